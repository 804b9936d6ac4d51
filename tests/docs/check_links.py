#!/usr/bin/env python3
"""Check that every relative link in the repository's Markdown files resolves.

For every tracked *.md file (git ls-files; without git, a walk of the tree that
skips build folders), every inline link [text](target), image ![alt](target) and
reference definition [label]: target that is not an absolute URL must name an
existing file or folder of the repository, and a #anchor must name a heading of
the target file (GitHub's slug rules: lower case, punctuation dropped, spaces to
hyphens, -1, -2, ... for repeated headings). Links inside code blocks and code
spans are not links and are ignored.

Usage: check_links.py [REPO_ROOT] [FILE.md ...]
Prints one line per broken link, FILE:LINE: TARGET: reason, and exits 1 if
there is any; exits 0 otherwise.
"""
import os
import re
import subprocess
import sys
from urllib.parse import unquote

SKIP_DIRS = {".git", "node_modules", "third_party", "_deps"}
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*(<[^>]*>|[^)\s]+)(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")
REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+[^>]*(?:name|id)=\"([^\"]+)\"", re.I)
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")


def markdown_files(root):
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--", "*.md"],
                             check=True, capture_output=True, text=True).stdout
        files = [f for f in out.split("\0") if f]
        if files:
            return sorted(files)
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(root):
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and not x.startswith("build")]
        files += [os.path.relpath(os.path.join(d, n), root) for n in names if n.endswith(".md")]
    return sorted(files)


def outside_fences(text):
    """(line number, line) of the lines outside fenced code blocks."""
    fence = None
    for n, line in enumerate(text.splitlines(), 1):
        m = FENCE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield n, line


def prose_lines(text):
    """(line number, line) of the lines outside fenced code blocks, code spans blanked."""
    for n, line in outside_fences(text):
        yield n, re.sub(r"(`+)(.+?)\1", lambda s: " " * len(s.group(0)), line)


def slug(heading):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)   # a link: its text
    text = re.sub(r"<[^>]+>", "", text)                          # html tags
    text = text.strip().lower()
    return "".join(c for c in text if c.isalnum() or c in " -_").replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        found, seen = set(), {}
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for _, line in outside_fences(text):
            found.update(HTML_ANCHOR.findall(line))
            h = HEADING.match(line)
            if h:
                s = slug(h.group(2))
                k = seen.get(s, 0)
                seen[s] = k + 1
                found.add(s if k == 0 else f"{s}-{k}")
        cache[path] = found
    return cache[path]


def check_file(root, rel):
    errors = []
    src = os.path.join(root, rel)
    with open(src, encoding="utf-8") as f:
        text = f.read()
    for n, line in prose_lines(text):
        targets = [m.group(1) for m in INLINE.finditer(line)]
        r = REFDEF.match(line)
        if r:
            targets.append(r.group(1))
        for target in targets:
            target = target.strip("<>")
            if SCHEME.match(target) or target.startswith("//"):
                continue
            path, _, anchor = target.partition("#")
            path = unquote(path)
            if path.startswith("/"):
                dest = os.path.normpath(os.path.join(root, path.lstrip("/")))
            elif path:
                dest = os.path.normpath(os.path.join(os.path.dirname(src), path))
            else:
                dest = src
            shown = f"{rel}:{n}: {target}"
            if not os.path.realpath(dest).startswith(os.path.realpath(root) + os.sep) \
                    and os.path.realpath(dest) != os.path.realpath(root):
                errors.append(f"{shown}: points outside the repository")
            elif not os.path.exists(dest):
                errors.append(f"{shown}: no such file or folder")
            elif anchor and os.path.isfile(dest) and dest.endswith(".md"):
                if unquote(anchor).lower() not in anchors(dest):
                    errors.append(f"{shown}: no heading '#{anchor}' in "
                                  f"{os.path.relpath(dest, root)}")
            elif anchor and not os.path.isfile(dest):
                errors.append(f"{shown}: an anchor on a folder")
    return errors


def main(argv):
    root = os.path.abspath(argv[1]) if len(argv) > 1 else \
        os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    files = argv[2:] or markdown_files(root)
    errors = []
    for rel in files:
        errors += check_file(root, rel)
    for e in errors:
        print(e)
    print(f"check_links: {len(files)} Markdown files, {len(errors)} broken links",
          file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
