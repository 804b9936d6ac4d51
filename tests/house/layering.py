#!/usr/bin/env python3
"""The rooms of mapper/ and who may use whom.

    layering.py [ROOT]     check ROOT (default: the repository holding this script)
    layering.py --self-test

Every .h/.cpp under mapper/ sits in a room (mapper/<room>/). Each `#include "mapper/..."`
must name a file of its own room or of a room the table below allows, and each room's
CMakeLists.txt may link only those rooms' targets (odimo_<room>). The table mirrors the
CMake graph of mapper/*/CMakeLists.txt. One line per violation; exit 1 if there is any.
"""
import os
import re
import sys
import tempfile

# room -> the rooms it may use (everything it reaches, not only direct links).
ALLOWED = {
    "tensor": set(),
    "ops": {"tensor"},
    "nn": {"ops", "tensor"},
    "data": set(),
    "train": {"nn", "ops", "tensor", "data"},
    "cost": set(),
    "search_files": {"tensor"},
    "search": {"search_files", "cost", "train", "nn", "ops", "tensor", "data"},
    "sweep": {"search_files", "cost", "tensor"},
    "deploy": {"search", "search_files", "cost", "train", "nn", "ops", "tensor", "data"},
}
SOURCE_SUFFIXES = (".h", ".cpp")
INCLUDE = re.compile(r'^\s*#\s*include\s*"mapper/([^"]*)"')
TARGET = re.compile(r"\bodimo_(\w+)\b")


def may_use(room):
    uses = sorted(ALLOWED[room])
    return ", ".join(uses) if uses else "nothing else of mapper/"


def include_violations(root, path, room):
    rel = os.path.relpath(path, root)
    out = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(1)
            other = target.split("/", 1)[0] if "/" in target else None
            if other is None:
                out.append(f"{rel}:{number}: includes mapper/{target}, which is in no room")
            elif other not in ALLOWED:
                out.append(f"{rel}:{number}: includes mapper/{target}, in unknown room {other}/")
            elif other != room and other not in ALLOWED[room]:
                out.append(f"{rel}:{number}: {room}/ may not include mapper/{target} "
                           f"({room}/ may use: {may_use(room)})")
    return out


def link_violations(root, room):
    path = os.path.join(root, "mapper", room, "CMakeLists.txt")
    if not os.path.isfile(path):
        return []
    rel = os.path.relpath(path, root)
    out = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            for name in TARGET.findall(line.split("#", 1)[0]):
                if name == "mapper":
                    out.append(f"{rel}:{number}: {room}/ links odimo_mapper (every room); link rooms by name")
                elif name in ALLOWED and name != room and name not in ALLOWED[room]:
                    out.append(f"{rel}:{number}: {room}/ may not link odimo_{name} ({room}/ may use: {may_use(room)})")
    return out


def check(root):
    """Returns (violations, number of sources read)."""
    mapper = os.path.join(root, "mapper")
    out, count = [], 0
    for dirpath, dirnames, filenames in os.walk(mapper):
        dirnames.sort()
        parts = os.path.relpath(dirpath, mapper).split(os.sep)
        room = None if parts == ["."] else parts[0]
        for name in sorted(filenames):
            if not name.endswith(SOURCE_SUFFIXES):
                continue
            path = os.path.join(dirpath, name)
            count += 1
            if room is None:
                out.append(f"{os.path.relpath(path, root)}: in no room (mapper/<room>/)")
            elif room not in ALLOWED:
                out.append(f"{os.path.relpath(path, root)}: in unknown room {room}/ (add it to {__file__})")
            else:
                out += include_violations(root, path, room)
    for room in sorted(ALLOWED):
        out += link_violations(root, room)
    return out, count


def self_test():
    """The check finds what it must: a wrong include, a flat source, a wrong link."""
    files = {
        "mapper/tensor/tensor.h": "#pragma once\n",
        "mapper/ops/ops.h": '#include "mapper/tensor/tensor.h"\n',
        "mapper/data/data.cpp": '#include "mapper/data/data.h"\n  #include "mapper/nn/model.h"\n',
        "mapper/train/trainer.cpp": '#include "mapper/nn/model.h"\n#include "mapper/data/data.h"\n',
        "mapper/flat.cpp": "",
        "mapper/ops/CMakeLists.txt": "target_link_libraries(odimo_ops PUBLIC odimo_tensor odimo_nn)  # odimo_data\n",
    }
    expected = [
        "mapper/data/data.cpp:2: data/ may not include mapper/nn/model.h",
        "mapper/flat.cpp: in no room",
        "mapper/ops/CMakeLists.txt:1: ops/ may not link odimo_nn",
    ]
    with tempfile.TemporaryDirectory() as root:
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), "w", encoding="utf-8") as f:
                f.write(text)
        found, _ = check(root)
    ok = len(found) == len(expected) and all(any(v.startswith(e) for v in found) for e in expected)
    if not ok:
        print("layering self-test: expected\n  " + "\n  ".join(expected) + "\nfound\n  " + "\n  ".join(found))
        return 1
    print(f"layering self-test: the {len(expected)} planted violations found, nothing else")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = argv[1] if len(argv) == 2 else os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.path.isdir(os.path.join(root, "mapper")):
        print(f"layering: {root}: no mapper/ folder", file=sys.stderr)
        return 2
    violations, count = check(root)
    for v in violations:
        print(v)
    if violations:
        print(f"layering: {len(violations)} violation(s) in {count} sources of mapper/")
        return 1
    print(f"layering: {count} sources of mapper/ in {len(ALLOWED)} rooms, every include and link allowed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
