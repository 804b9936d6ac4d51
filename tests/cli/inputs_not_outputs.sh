#!/usr/bin/env bash
# No output over an input (label cli): an output naming one of the command's
# input files, directly, through a symlink or through "..", is refused before any work,
# the input is left as it was, and a command that fails after choosing a new --out folder
# leaves no empty folder behind.
set -euo pipefail
odimo=$1
work=$2
source=$3  # the repository (workloads/tiny.pbtxt)
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/expect.sh"
unchanged() { cmp -s "$1" "$1.orig" || fail "$1 was changed"; }

# simulate: --report over --net, directly, through a symlink and through "..".
cp "$source/workloads/tiny.pbtxt" net.pbtxt
cp net.pbtxt net.pbtxt.orig
expect_error "net.pbtxt: --report is the same file as --net net.pbtxt" \
  "$odimo" simulate --soc diana --net net.pbtxt --report net.pbtxt
ln -s net.pbtxt link.json
expect_error "link.json: --trace is the same file as --net" \
  "$odimo" simulate --soc diana --net net.pbtxt --trace link.json
mkdir sub
expect_error "--report is the same file as --net" \
  "$odimo" simulate --soc diana --net net.pbtxt --report sub/../net.pbtxt
unchanged net.pbtxt

# calibrate: --out over --traces.
"$odimo" simulate --soc diana --net tiny --trace-csv traces.csv > /dev/null
cp traces.csv traces.csv.orig
expect_error "traces.csv: --out is the same file as --traces traces.csv" \
  "$odimo" calibrate --soc diana --traces traces.csv --out traces.csv
unchanged traces.csv

# train: --out DIR whose checkpoint.pb is the --init file.
"$odimo" train --net tiny --dataset synthetic --epochs 1 --steps-per-epoch 2 --out pre --quiet > /dev/null 2>&1
[ -f pre/checkpoint.pb ] || fail "train wrote no checkpoint"
cp pre/checkpoint.pb pre/checkpoint.pb.orig
expect_error "is the same file as --init" \
  "$odimo" train --net tiny --dataset synthetic --epochs 1 --steps-per-epoch 2 --init pre/checkpoint.pb --out pre
unchanged pre/checkpoint.pb

# A search that fails after its --out folder was chosen (weights of another network)
# leaves no empty folder.
rc=0
"$odimo" search --soc diana --net resnet8 --dataset synthetic --lambda 1 --epochs 0,0,1 --steps-per-epoch 1 \
  --init pre/checkpoint.pb --out fresh/deeper --no-replay --quiet > out.txt 2> err.txt || rc=$?
[ "$rc" = 2 ] || { cat err.txt; fail "search with another network's weights exited $rc, expected 2"; }
[ ! -e fresh ] || fail "a rejected search left its --out folder behind"
echo "inputs_not_outputs: all checks passed"
