#!/usr/bin/env bash
# Output paths at the file system's limits (label cli): a name as long as the file system
# allows is written (its temporary name is cut to fit); a longer one, or a relative path
# after the working directory was deleted, is one line before any work, exit 2.
set -euo pipefail
odimo=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/expect.sh"
sim=("$odimo" simulate --soc diana --net tiny)

long=$(printf 'r%.0s' $(seq 250)).json  # 255 bytes
"${sim[@]}" --report "$long" > /dev/null
grep -q '"total"' "$long" || fail "the 255-byte name was not written"
"${sim[@]}" --report "$long" > /dev/null  # replaced, through a cut temporary name
[ "$(ls | wc -l)" = 1 ] || { ls; fail "a temporary was left behind"; }
too_long=$(printf 'r%.0s' $(seq 300)).json
expect_error "^odimo simulate: error: r+\.json: --report: the file name is 305 bytes: its file system takes at most 255$" \
  "${sim[@]}" --report "$too_long"
expect_error "^odimo train: error: r+\.json/out: --out: the folder name r{16}\.\.\. is 305 bytes: its file system takes at most 255$" \
  "$odimo" train --net tiny --dataset synthetic --epochs 1 --out "$too_long/out"

# The working directory deleted under the command: a relative output has no folder.
mkdir gone
rc=0
(cd gone && rmdir ../gone && exec "${sim[@]}" --report r.json > "$work/gone.out" 2> "$work/gone.err") || rc=$?
[ "$rc" = 2 ] || { cat gone.out gone.err; fail "deleted working directory: exit $rc, expected 2"; }
[ "$(wc -l < gone.err)" = 1 ] || { cat gone.err; fail "deleted working directory: not one line"; }
grep -q "folder . has been deleted (the working directory)" gone.err || { cat gone.err; fail "not said"; }
[ ! -s gone.out ] || fail "the work was done before the refusal"
echo "output_paths: all checks passed"
