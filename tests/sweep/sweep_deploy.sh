#!/usr/bin/env bash
# Sweeps deploy their points (label sweep): `sweep run` runs each search point and
# baseline bit-true on the integer pipelines after replay, the pretraining point not; a
# deployed point is skipped, a point replayed but not deployed only deploys; local and array
# mode write the same bytes; `pareto --accuracy trained|deployed` shows both accuracies and
# puts its fronts on the chosen one; an undeployed point under --accuracy deployed, a bad
# --accuracy, bad deploy fields are one line and exit 2.
set -euo pipefail
odimo=$1
work=$2
soc_file=$3  # hw/socs/diana.pbtxt
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/../cli/expect.sh"

printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\nbaseline: "all:aimc"\npretrain_epochs: 1\nsteps_per_epoch: 3\nbatch: 32\ndeploy_images: 100\n' > spec.pbtxt
"$odimo" sweep plan spec.pbtxt -o plan > /dev/null
"$odimo" sweep run plan -o ref --jobs 2 > ref.out
grep -q "computed 3, skipped 0, failed 0" ref.out || { cat ref.out; fail "local run"; }
test ! -e ref/point-000/deployed.json || fail "the pretraining point was deployed"
for p in point-001 point-002; do
  grep -q '"deployed"' ref/$p/report.json || fail "$p: report.json has no deployed"
  grep -q '"images": 100' ref/$p/deployed.json || fail "$p: deploy_images not passed"
  grep -q "): deploy$" ref/logs/$p.log || fail "$p: no deploy step in its log"
done
# Array mode, point by point: the same bytes as the local run.
for i in 0 1 2; do SLURM_ARRAY_TASK_ID=$i "$odimo" sweep run --index-from-env plan -o arr > arr-$i.out; done
for p in point-001 point-002; do
  for f in report.json deployed.json mapping.pbtxt weights.pb; do
    cmp ref/$p/$f arr/$p/$f || fail "$p/$f differs between local and array mode"
  done
done
# Nothing left: every point skipped. A replayed point without its deployment deploys only.
"$odimo" sweep run plan -o ref > again.out
grep -q "computed 0, skipped 3, failed 0" again.out || { cat again.out; fail "a deployed sweep ran again"; }
cp ref/point-002/report.json saved-report.json
cp ref/point-002/deployed.json saved-deployed.json
python3 - ref/point-002/report.json <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); del r["deployed"]
json.dump(r, open(sys.argv[1], "w"), indent=1)
PY
rm ref/point-002/deployed.json
cp ref/point-002/weights.pb saved-weights.pb
"$odimo" sweep run plan -o ref > redeploy.out
grep -q "computed 1, skipped 2, failed 0" redeploy.out || { cat redeploy.out; fail "redeploy"; }
grep -q "): deploy$" ref/logs/point-002.log || fail "the redeploy did not deploy"
! grep -q "^odimo search" ref/logs/point-002.log || fail "the redeploy searched again"
cmp saved-weights.pb ref/point-002/weights.pb || fail "the redeploy touched the weights"
cmp saved-deployed.json ref/point-002/deployed.json || fail "the redeployed point differs"
cmp saved-report.json ref/point-002/report.json || fail "the redeployed report differs"
# The table: both accuracies; fronts on the chosen one.
"$odimo" pareto ref > trained.out
grep -qE "^point +kind +seeds +trained acc +deployed acc +latency us" trained.out || { cat trained.out; fail "columns"; }
grep -qE "^lambda=1 +search +1 +[0-9.]+ % +[0-9.]+ % " trained.out || { cat trained.out; fail "lambda row"; }
"$odimo" pareto ref --accuracy deployed > deployed.out
grep -q "on the deployed accuracy" deployed.out || { cat deployed.out; fail "--accuracy deployed"; }
grep -q "deployed accuracy (integer pipelines)" ref/pareto.svg || fail "the SVG's title"
"$odimo" sweep reduce ref --accuracy deployed > reduce.out
cmp deployed.out reduce.out || fail "sweep reduce and pareto differ"
# Without deployment: one accuracy column, and --accuracy deployed refuses.
"$odimo" sweep --soc diana --net tiny --dataset synthetic --lambdas 1 --baselines none --epochs 1,1,1 \
  --steps-per-epoch 3 --batch 32 --no-deploy --out nodeploy > nodeploy.out
test ! -e nodeploy/point-000/deployed.json || fail "--no-deploy deployed"
grep -qE "^point +kind +seeds +test acc +latency us" nodeploy.out || { cat nodeploy.out; fail "one column"; }
expect_error "^odimo pareto: error: .*nodeploy/point-000/report.json: field 'deployed': missing" \
  "$odimo" pareto nodeploy --accuracy deployed
expect_error "^odimo sweep reduce: error: .*field 'deployed': missing" "$odimo" sweep reduce nodeploy --accuracy deployed
expect_error "^odimo pareto: error: --accuracy: bogus not in" "$odimo" pareto ref --accuracy bogus
"$odimo" pareto nodeploy --accuracy trained > /dev/null
# deploy_table.py: one row per deployment, the noisy ones written beside deployed.json included;
# a folder without deployed points, or a broken file, is one line and exit 2.
table=$here/../../mapper/deploy/deploy_table.py
cp ref/point-002/report.json before-noise.json
"$odimo" deploy ref/point-002 --aimc-noise 0.2 --images 50 --seed 1 --quiet --out ref/point-002/deployed-sigma0.2.json > /dev/null
cmp before-noise.json ref/point-002/report.json || fail "a deployment with --out changed report.json"
python3 "$table" ref > table.md
[ "$(grep -c '^| [a-z]' table.md)" = 4 ] || { cat table.md; fail "deploy_table: header + 3 rows"; }
grep -qE '^\| [^|]+ \| ADC-free \| [0-9]+ / [0-9]+ \| [0-9.]+ \| 0.2 \| 50 \| ' table.md || { cat table.md; fail "deploy_table: the noisy row"; }
expect_error "nodeploy: no deployed search or baseline point" python3 "$table" nodeploy
cp -r ref broken && echo '{' > broken/point-001/report.json
expect_error "deploy_table.py: error: broken/point-001/report.json: " python3 "$table" broken

# Bad deploy fields of a spec.
grep -v "adc_bits" "$soc_file" > noadc.pbtxt
printf 'soc: "noadc.pbtxt"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\ndeploy: true\n' > bad-deploy.pbtxt
expect_error "bad-deploy.pbtxt: field 'deploy': true, but SoC 'diana' cannot be deployed: .*adc_bits" \
  "$odimo" sweep plan bad-deploy.pbtxt -o p1
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\ndeploy_images: -5\n' > bad-images.pbtxt
expect_error "bad-images.pbtxt: field 'deploy_images': -5 must be in \[0, 16777216\]" \
  "$odimo" sweep plan bad-images.pbtxt -o p2
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\ndeploy_aimc_noise: 11\n' > bad-noise.pbtxt
expect_error "bad-noise.pbtxt: field 'deploy_aimc_noise': 11 must be in \[0, 10\]" \
  "$odimo" sweep plan bad-noise.pbtxt -o p3
expect_error "^odimo sweep: error: --deploy-images" "$odimo" sweep --soc diana --net tiny --dataset synthetic \
  --lambdas 1 --deploy-images -1 --out p4
# A SoC without integer parameters is not deployed by default.
printf 'soc: "noadc.pbtxt"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\nsteps_per_epoch: 2\nbatch: 32\n' > noadc-spec.pbtxt
"$odimo" sweep plan noadc-spec.pbtxt -o plan-noadc > /dev/null
"$odimo" sweep run plan-noadc -o noadc > noadc.out
grep -q "computed 1, skipped 0, failed 0" noadc.out || { cat noadc.out; fail "SoC without integer parameters"; }
test ! -e noadc/point-000/deployed.json || fail "a SoC without integer parameters was deployed"
echo "1 passed, 0 failed"
