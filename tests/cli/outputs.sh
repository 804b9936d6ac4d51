#!/usr/bin/env bash
# Output destinations (label cli): a symlink is written through to its
# target, FIFOs, devices and directories are refused, two outputs of one command
# naming the same file are refused, and every destination is checked before the
# work starts (the refusal comes without the work's output) and leaves no folder.
set -euo pipefail
odimo=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/expect.sh"
sim=("$odimo" simulate --soc diana --net tiny)

# A symlink (also a dangling one) is written through: the link stays, its target gets the report.
mkdir targets
ln -s targets/report.json link.json
"${sim[@]}" --report link.json > /dev/null
[ -L link.json ] || fail "the symlink was replaced by a regular file"
grep -q '"total"' targets/report.json || fail "the symlink's target has no report"
ls targets | grep -q tmp && fail "a temporary file was left behind"
"${sim[@]}" --report link.json > /dev/null  # the target exists now: replaced, link kept
[ -L link.json ] || fail "the symlink was replaced on the second write"

# Non-regular destinations: refused, left as they were. /dev/null is a device: refused too
# (leave the option out to write nothing).
mkfifo pipe
expect_error "pipe: --report: is a FIFO: odimo writes outputs to regular files only" "${sim[@]}" --report pipe
[ -p pipe ] || fail "the FIFO was replaced"
expect_error "/dev/null: --trace: is a character device" "${sim[@]}" --trace /dev/null
[ -c /dev/null ] || fail "/dev/null was replaced"
mkdir adir
expect_error "adir: --vcd: is a directory" "${sim[@]}" --vcd adir
ln -s pipe pipe-link
expect_error "pipe-link: --report: \(-> ./pipe\) is a FIFO" "${sim[@]}" --report pipe-link
ln -s pipe cost.json
expect_error "cost.json: --report: \(-> ./pipe\) is a FIFO" "$odimo" cost --soc diana --net tiny --report cost.json

# Two outputs of one command naming the same file (also through a symlink or ./): refused.
expect_error "--report and --trace name the same file" "${sim[@]}" --report same.json --trace ./same.json
expect_error "--report and --trace-csv name the same file" "${sim[@]}" --report link.json \
  --trace-csv targets/report.json
expect_error "--out and --traces-out name the same file" "$odimo" calibrate --soc diana --out c.pbtxt \
  --traces-out c.pbtxt

# A folder that does not exist: refused before the work (no simulation table on stdout).
expect_error "no/such/r.json: --report: folder no/such does not exist" "${sim[@]}" --report no/such/r.json
expect_error "no/such/c.pbtxt: --out: folder no/such does not exist" "$odimo" calibrate --soc diana \
  --out no/such/c.pbtxt
expect_error "no/such/t.csv: --traces-out: folder no/such does not exist" "$odimo" calibrate --soc diana \
  --traces-out no/such/t.csv
touch afile
expect_error "afile/x: --out: afile is a regular file, expected a folder" "$odimo" search --soc diana \
  --net tiny --dataset synthetic --lambda 1 --out afile/x
expect_error "afile/x: --out: afile is a regular file, expected a folder" "$odimo" train --net tiny \
  --dataset synthetic --out afile/x

# A rejected command leaves no empty output folder behind.
expect_error "--lambda" "$odimo" search --soc diana --net tiny --dataset synthetic --out newdir
[ ! -e newdir ] || fail "a rejected search left newdir behind"
expect_error "" "$odimo" train --net no-such-net --dataset synthetic --out newdir2
[ ! -e newdir2 ] || fail "a rejected train left newdir2 behind"
# odimo replay DIR checks DIR/simulation.json before simulating.
"$odimo" search --soc diana --net tiny --dataset synthetic --baseline greedy --epochs 0,0,1 \
  --steps-per-epoch 1 --no-replay --quiet -o point > /dev/null 2>&1
mkfifo point/simulation.json
expect_error "point/simulation.json: DIR: is a FIFO" "$odimo" replay point
echo "outputs: all checks passed"
