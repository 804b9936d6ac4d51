#!/usr/bin/env bash
# A full disk (label faults): a small tmpfs as the output folder of `odimo train --out`
# (the checkpoint of epoch 2 does not fit next to epoch 1's) and of `odimo simulate
# --report/--trace` (the disk filled after a first complete write). Each must end with
# exit 2 and one line naming the file and "No space left on device", leave the previous
# complete file intact and no temporary behind; standard output on /dev/full, exit 2 too.
# Skips (exit 77) where mount is not allowed.
#   full_disk.sh ODIMO SOURCE_DIR WORK
set -euo pipefail
odimo=$1
export SOURCE_DIR=$2
work=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v protoc > /dev/null || skip "no protoc (Debian package protobuf-compiler)"
rm -rf "$work" && mkdir -p "$work" && cd "$work"
# Standard output on a full device: a clear error, not exit 0 with half a script.
if [ -w /dev/full ]; then
  rc=0
  "$odimo" inspect resnet8 > /dev/full 2> err.txt || rc=$?
  [ $rc -eq 2 ] && grep -qx "odimo inspect: error: standard output: cannot write: No space left on device" err.txt ||
    { cat err.txt; fail "stdout on /dev/full: status $rc"; }
fi
[ "$(id -u)" -eq 0 ] || skip "not root: cannot mount a tmpfs"
mounted=()
cleanup() {
  local rc=$? m
  for m in "${mounted[@]}"; do umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true; done
  exit $rc
}
trap cleanup EXIT
small_disk() {  # small_disk DIR SIZE
  mkdir -p "$1"
  mount -t tmpfs -o size="$2" tmpfs "$1" 2> mount.err || skip "mount -t tmpfs is not permitted here: $(cat mount.err)"
  mounted+=("$1")
}
fill() { dd if=/dev/zero of="$1/filler" bs=4k 2> /dev/null || true; }  # until the disk is full
# expect_enospc FILE COMMAND...: exit 2, the one error line names FILE and the full disk.
expect_enospc() {
  local file=$1 rc=0
  shift
  "$@" > out.txt 2> err.txt || rc=$?
  [ $rc -eq 2 ] || { cat out.txt err.txt; fail "'$*' exited $rc, expected 2"; }
  grep -qE "^odimo [a-z]+: error: $file: cannot write: No space left on device$" err.txt ||
    { cat err.txt; fail "'$*' did not name $file and the full disk"; }
  [ -z "$(find "$(dirname "$file")" -name '*.tmp.*')" ] || fail "a temporary of $file was left behind"
}

# Training: the tiny network's checkpoint is 3 pages; 4 pages hold one, not two.
small_disk train 16k
expect_enospc train/checkpoint.pb "$odimo" train --net tiny --dataset synthetic --epochs 3 --steps-per-epoch 3 \
  --batch 16 --out train --quiet
check_complete train
protoc -I"$SOURCE_DIR" --decode=odimo.proto.Checkpoint "$SOURCE_DIR/proto/checkpoint.proto" < train/checkpoint.pb > ckpt.txt
grep -qx "epochs_done: 1" ckpt.txt || fail "the checkpoint of epoch 1 is not intact"
test ! -e train/report.json || fail "a report after a failed checkpoint"
# Once there is room again, --resume goes on from the intact checkpoint to the end.
mount -o remount,size=1m train
"$odimo" train --net tiny --dataset synthetic --epochs 3 --steps-per-epoch 3 --batch 16 --out train --quiet \
  --resume > resume.txt 2>&1 || { cat resume.txt; fail "--resume after the full disk"; }
grep -q "resumed from train/checkpoint.pb after epoch 1" resume.txt || { cat resume.txt; fail "did not resume"; }
check_complete train

# Simulation: a complete report (trace) first, then the same command on the full disk.
small_disk sim 64k
"$odimo" simulate --soc diana --net resnet8 --report sim/report.json --trace sim/trace.json > /dev/null
cp sim/report.json report.saved && cp sim/trace.json trace.saved
fill sim
expect_enospc sim/report.json "$odimo" simulate --soc diana --net resnet8 --report sim/report.json
expect_enospc sim/trace.json "$odimo" simulate --soc diana --net resnet8 --trace sim/trace.json
cmp sim/report.json report.saved || fail "the previous report was damaged"
cmp sim/trace.json trace.saved || fail "the previous trace was damaged"
check_complete sim
echo "1 passed, 0 failed"
