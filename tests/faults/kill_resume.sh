#!/usr/bin/env bash
# `odimo train` or `odimo search` killed (kill -9) at 10 seeded random moments, resumed
# each time with --resume (label faults): after every kill each file under a final name
# parses; the resumed run ends with the bytes of an uninterrupted one.
#   kill_resume.sh ODIMO SOURCE_DIR WORK train|search
# train: checkpoint.pb and report.json equal but for their wall-clock fields (seconds,
# images_per_second); search: every output equal byte for byte.
set -euo pipefail
odimo=$1
export SOURCE_DIR=$2
work=$3
what=$4
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v protoc > /dev/null || skip "no protoc (Debian package protobuf-compiler)"
rm -rf "$work" && mkdir -p "$work" && cd "$work"

case "$what" in
  train) cmd=("$odimo" train --net resnet8 --dataset synthetic --epochs 12 --steps-per-epoch 3 --batch 16
              --val-fraction 0.05 --threads 1 --quiet --resume) ;;
  search) cmd=("$odimo" search --soc diana --net tiny --dataset synthetic --lambda 5 --epochs 2,20,3
               --steps-per-epoch 150 --batch 32 --threads 1 --quiet --resume) ;;
  *) fail "usage: kill_resume.sh ODIMO SOURCE_DIR WORK train|search" ;;
esac
now_ms() { echo $(($(date +%s%N) / 1000000)); }

t0=$(now_ms)
"${cmd[@]}" --out ref > ref.txt 2>&1 || { cat ref.txt; fail "the uninterrupted run"; }
total=$(($(now_ms) - t0))
echo "uninterrupted run: ${total} ms"

RANDOM=16  # the kill moments are the same sequence every time (their effect depends on the machine's speed)
landed=0
for k in $(seq 10); do
  delay=$((total * (3 + RANDOM % 18) / 100))  # 3..20 % of a whole run: ~10 kills to its end
  "${cmd[@]}" --out run > run-$k.txt 2>&1 &
  pid=$!
  sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
  kill -9 $pid 2> /dev/null || true
  rc=0
  wait $pid 2> /dev/null || rc=$?
  if [ $rc -eq 137 ]; then
    landed=$((landed + 1))
  elif [ $rc -ne 0 ]; then
    cat run-$k.txt
    fail "resumed run $k failed (status $rc)"
  fi
  check_complete run
  echo "kill $k after ${delay} ms: $([ $rc -eq 137 ] && echo killed || echo 'had finished'); $(grep -o 'resumed from .*' run-$k.txt || echo 'from scratch')"
done
[ $landed -ge 5 ] || fail "only $landed of 10 kills hit a running process: the run is too short to test"
"${cmd[@]}" --out run > final.txt 2>&1 || { cat final.txt; fail "the last resume"; }
check_complete run

if [ "$what" = train ]; then
  # Wall-clock fields aside, the checkpoint (weights, statistics, optimizer, history) and report.
  decode() {
    protoc -I"$SOURCE_DIR" --decode=odimo.proto.Checkpoint "$SOURCE_DIR/proto/checkpoint.proto" < "$1" |
      grep -vE '^ *(seconds|images_per_second): '
  }
  decode ref/checkpoint.pb > ref.ckpt && decode run/checkpoint.pb > run.ckpt
  cmp ref.ckpt run.ckpt || fail "checkpoint.pb: the resumed run differs from the uninterrupted one"
  untimed() { sed -E 's/"images_per_second": [-0-9.e+]+//g' "$1"; }
  untimed ref/report.json > ref.report && untimed run/report.json > run.report
  cmp ref.report run.report || fail "report.json: the resumed run differs from the uninterrupted one"
else
  for f in report.json mapping.pbtxt weights.pb simulation.json search-checkpoint.pb; do
    cmp ref/$f run/$f || fail "$f: the resumed run differs from the uninterrupted one"
  done
fi
# A checkpoint of other options is refused, not continued.
rc=0
"${cmd[@]}" --out run --seed 2 > other.txt 2>&1 || rc=$?
[ $rc -eq 2 ] && grep -q "checkpoint was written by a .* with other options" other.txt ||
  { cat other.txt; fail "--resume with other options: status $rc"; }
echo "$landed of 10 kills hit a running $what; resumed to the uninterrupted result"
echo "1 passed, 0 failed"
