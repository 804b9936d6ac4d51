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
rm "$work/b/lambda-5/report.json"
"$odimo" sweep "${args[@]}" --out "$work/b" > "$work/b2.out"
grep -q "skip   lambda-0" "$work/b2.out" || { echo "FAIL: the complete point was recomputed"; exit 1; }
grep -q "start  lambda-5" "$work/b2.out" || { echo "FAIL: the missing point was not recomputed"; exit 1; }
for p in lambda-0 lambda-5 baseline-all-aimc; do
  cmp "$work/a/$p/mapping.pbtxt" "$work/b/$p/mapping.pbtxt"
  cmp "$work/a/$p/weights.pb" "$work/b/$p/weights.pb"
done
test -s "$work/b/pareto.svg"
echo "1 passed, 0 failed"
