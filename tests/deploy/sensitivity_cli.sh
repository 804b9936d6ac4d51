#!/usr/bin/env bash
# The sensitivity baseline (mapper/deploy/sensitivity.h) end to end on tiny: the decisions in
# report.json, the all-digital start folder, the same bytes twice, a threshold of 100 points
# converting every layer, a start from --init, a sweep point; bad values are one line and exit 2.
set -euo pipefail
odimo=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
S="search --soc diana --net tiny --dataset synthetic --epochs 1,1,1 --batch 32 --steps-per-epoch 4 --threads 1
   --no-replay --quiet --aimc-noise 1lsb --chips 2 --sensitivity-images 64"
# shellcheck disable=SC2086
"$odimo" $S --baseline sensitivity:measured --sensitivity-threshold 2 --out m > m.out
decisions() {  # DIR: one line per decision, "layer macs kept"
  python3 -c '
import json, sys
r = json.load(open(sys.argv[1] + "/report.json"))
s = r["sensitivity"]
assert r["kind"] == "baseline", r["kind"]
assert s["chips"] == 2 and s["images"] > 0 and s["aimc_noise_lsb"] == 1, s
for d in s["decisions"]:
    print(d["layer"], d["macs"], d.get("kept", False), d.get("alone_accuracy", "-"))
' "$1"
}
decisions m > m.decisions
[ "$(wc -l < m.decisions)" = 4 ] || { echo "FAIL: tiny has 4 candidate layers"; cat m.decisions; exit 1; }
grep -q '"label": "sensitivity:measured"' m/report.json || { echo "FAIL: label"; exit 1; }
grep -q '"startWeights": "all-digital/weights.pb"\|"start_weights": "all-digital/weights.pb"' m/report.json ||
  { echo "FAIL: start weights"; grep -i start m/report.json; exit 1; }
for f in report.json weights.pb; do [ -f "m/all-digital/$f" ] || { echo "FAIL: no all-digital/$f"; exit 1; }; done
grep -q 'alone' m.out || { echo "FAIL: no alone measurement logged"; exit 1; }
# Deterministic: the same options give the same bytes.
# shellcheck disable=SC2086
"$odimo" $S --baseline sensitivity:measured --sensitivity-threshold 2 --out m2 > m2.out
cmp m/weights.pb m2/weights.pb || { echo "FAIL: not deterministic"; exit 1; }
cmp m/report.json m2/report.json || { echo "FAIL: report not deterministic"; exit 1; }
# Resumed over a finished run (both phases' checkpoints complete): the same bytes again.
# shellcheck disable=SC2086
"$odimo" $S --baseline sensitivity:measured --sensitivity-threshold 2 --out m2 --resume > m2r.out
cmp m/weights.pb m2/weights.pb || { echo "FAIL: --resume changed the weights"; exit 1; }
grep -q "resumed from m2/all-digital/search-checkpoint.pb" m2r.out || { echo "FAIL: all-digital not resumed"; exit 1; }
# Threshold 100 points: every conversion is kept, every candidate's channels on the AIMC.
# shellcheck disable=SC2086
"$odimo" $S --baseline sensitivity --sensitivity-threshold 100 --out all > all.out
decisions all > all.decisions
grep -q " False " all.decisions && { echo "FAIL: a layer refused at 100 points"; cat all.decisions; exit 1; }
head -1 all.decisions | grep -q "^conv2 36864 " || { echo "FAIL: MACs order starts with conv2"; cat all.decisions; exit 1; }
# From --init (a float checkpoint): no all-digital training, the decisions on those weights.
"$odimo" train --net tiny --dataset synthetic --epochs 1 --steps-per-epoch 3 --batch 32 --threads 1 --out t --quiet > t.out
# shellcheck disable=SC2086
"$odimo" $S --baseline sensitivity --init t/checkpoint.pb --out i > i.out
[ ! -e i/all-digital ] || { echo "FAIL: --init trained all-digital"; exit 1; }
grep -q '"../t/checkpoint.pb"' i/report.json || { echo "FAIL: start weights not the init"; exit 1; }
# A sweep point with the baseline and the spec's threshold.
cat > s.sweep.pbtxt <<'EOF'
soc: "diana" net: "tiny" dataset: "synthetic" baseline: "sensitivity" sensitivity_threshold: 3
baseline: "greedy" deploy_aimc_noise: 0.05
warmup_epochs: 0 search_epochs: 0 finetune_epochs: 1 steps_per_epoch: 2 batch: 32 deploy: false
EOF
"$odimo" sweep plan s.sweep.pbtxt -o plan > plan.out
grep -q 'sensitivity_threshold: 3' plan/point-000.pbtxt || { echo "FAIL: threshold not in the point"; exit 1; }
grep -q 'aimc_noise: 0.05' plan/point-000.pbtxt || { echo "FAIL: the deployment's noise not in the point"; exit 1; }
grep -q 'sensitivity\|aimc_noise' plan/point-001.pbtxt && { echo "FAIL: greedy point carries the fields"; exit 1; }
"$odimo" sweep run plan -o sw --index 0 > sw.out 2>&1 || { echo "FAIL: the sweep point"; cat sw.out; exit 1; }
grep -q '"sensitivity"' sw/point-000/report.json || { echo "FAIL: sweep point has no decisions"; exit 1; }

bad_commands="search|sweep plan"
# shellcheck source=tests/deploy/expect_bad.sh
source "$here/expect_bad.sh"
B="search --soc diana --net tiny --dataset synthetic --epochs 1,1,1 --steps-per-epoch 1 --no-replay --quiet"
# shellcheck disable=SC2086
expect_bad negative "sensitivity-threshold" $B --baseline sensitivity --sensitivity-threshold -1 --out c
# shellcheck disable=SC2086
expect_bad nan "sensitivity-threshold" $B --baseline sensitivity --sensitivity-threshold nan --out c
# shellcheck disable=SC2086
expect_bad above-100 "sensitivity-threshold" $B --baseline sensitivity --sensitivity-threshold 101 --out c
# shellcheck disable=SC2086
expect_bad noise "--aimc-noise: '-1lsb': expected a noise sigma" $B --baseline sensitivity --aimc-noise -1lsb --out c
# shellcheck disable=SC2086
expect_bad chips "chips" $B --baseline sensitivity --chips 1001 --out c
# shellcheck disable=SC2086
expect_bad not-sensitivity "--chips: only with --baseline sensitivity" $B --baseline greedy --chips 3 --out c
# shellcheck disable=SC2086
expect_bad bad-ranking "'sensitivity:random': expected all:CU" $B --baseline sensitivity:random --out c
expect_bad darkside "SoC darkside has no analog CU" search --soc darkside --net mobilenetv1-0.25-cifar --input 3x8x8 \
  --dataset synthetic --baseline sensitivity --no-replay --out c
cat > g.pbtxt <<'EOF'
soc: "diana" net: "tiny" dataset: "synthetic" baseline: "greedy" sensitivity_threshold: 2
EOF
expect_bad file-not-sensitivity "g.pbtxt: field 'sensitivity_threshold': set, but only the sensitivity baseline" \
  search --config g.pbtxt --out c
sed 's/sensitivity_threshold: 3/sensitivity_threshold: -2/' s.sweep.pbtxt > bad.sweep.pbtxt
expect_bad sweep-threshold "field 'sensitivity_threshold': -2 must be in \[0, 100\]" sweep plan bad.sweep.pbtxt -o p2
[ ! -e c ] || { echo "FAIL: a rejected search left c behind"; exit 1; }
echo "1 passed, 0 failed"
