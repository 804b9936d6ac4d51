#!/usr/bin/env bash
# A sweep killed part-way and rerun equals an uninterrupted one: same mappings and
# bit-identical weights for every point; only the missing point is recomputed.
set -euo pipefail
odimo=$1
work=$2
rm -rf "$work" && mkdir -p "$work"
args=(--soc diana --net tiny --dataset synthetic --lambdas 0,5 --epochs 1,1,1 --batch 32 --steps-per-epoch 5
      --threads 1 --baselines all:aimc --jobs 2)
"$odimo" sweep "${args[@]}" --out "$work/a" > "$work/a.out"
"$odimo" sweep "${args[@]}" --out "$work/b" > "$work/b.out"
# "Kill" one point: its results vanish (a half-written point has no complete report).
rm "$work/b/point-001/report.json"  # lambda = 5 (b/plan/point-001.pbtxt)
"$odimo" sweep "${args[@]}" --out "$work/b" > "$work/b2.out"
grep -q "lambda: 5" "$work/b/plan/point-001.pbtxt" || { echo "FAIL: point-001 is not lambda 5"; exit 1; }
grep -q "skip    point-000" "$work/b2.out" || { echo "FAIL: the complete point was recomputed"; exit 1; }
grep -q "start   point-001" "$work/b2.out" || { echo "FAIL: the missing point was not recomputed"; exit 1; }
grep -q "computed 1, skipped 2, failed 0" "$work/b2.out" || { echo "FAIL: more than the missing point ran"; exit 1; }
for p in point-000 point-001 point-002; do
  cmp "$work/a/$p/mapping.pbtxt" "$work/b/$p/mapping.pbtxt"
  cmp "$work/a/$p/weights.pb" "$work/b/$p/weights.pb"
  cmp "$work/a/$p/report.json" "$work/b/$p/report.json"
done
test -s "$work/b/pareto.svg"
echo "1 passed, 0 failed"
