#!/usr/bin/env bash
# A read-noise grid with chip instances end to end (label sweep): `sweep plan` of
# workloads/sweeps/tiny-noise.sweep.pbtxt labels each point with its level and records it in
# the point file (noise-aware points train at it), `sweep run` deploys each point at its level
# on the chips, `sweep reduce` shows one front per level with the spread over the chips; the
# one-line `odimo sweep` honours --adc-aware, --adc-noise, --aimc-noise and --chips; bad noise
# fields are one line and exit 2.
set -euo pipefail
odimo=$1
spec=$2  # workloads/sweeps/tiny-noise.sweep.pbtxt
work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/../cli/expect.sh"

"$odimo" sweep plan "$spec" -o plan > plan.out
for label in "lambda=1 noise=0lsb" "lambda=1 aware noise=0lsb" "all:aimc noise=0lsb" "lambda=1 noise=2lsb" \
  "lambda=1 aware noise=2lsb" "all:aimc noise=2lsb"; do
  grep -qE "  $label  " plan.out || { cat plan.out; fail "the plan has no point '$label'"; }
done
grep -q "^aimc_noise_lsb: 2$" plan/point-004.pbtxt || fail "the point file does not record its level"
grep -q "adc_noise_lsb: 2$" plan/point-004.pbtxt || fail "the noise-aware point does not train at its level"
! grep -q "adc_aware: true" plan/point-003.pbtxt || fail "the noise-blind point trains ADC-aware"
grep -q "^search_from: 0$" plan/point-003.pbtxt || fail "the noise-blind point does not reuse its first level's search"
! grep -q "search_from" plan/point-004.pbtxt || fail "the noise-aware point reuses a search"
"$odimo" sweep run plan -o out --jobs 1 > run.out
grep -q "computed 6, skipped 0, failed 0" run.out || { cat run.out; fail "run"; }
# The noise-blind points of level 2 copied the search of level 0; searched alone (point-003 and
# point-005 first, in array mode) they give the same bytes.
for p in point-003 point-005; do
  grep -q "): the search of point-00[02] (.*), copied$" out/logs/$p.log || fail "$p did not copy its search"
done
for i in 3 5; do
  "$odimo" sweep run --index $i plan -o solo > solo-$i.out
  grep -q "^odimo sweep: point-00$i of 6 (.*noise=2lsb)$" solo-$i.out || { cat solo-$i.out; fail "point $i: no search"; }
  ! grep -q "copied" solo-$i.out || fail "point $i copied a search that does not exist"
done
for p in point-003 point-005; do
  for f in report.json deployed.json mapping.pbtxt weights.pb simulation.json; do
    cmp out/$p/$f solo/$p/$f || fail "$p/$f: the copied search differs from the searched one"
  done
done
python3 - out <<'PY'
import json, sys
for point, level in (("point-000", 0), ("point-005", 2)):
    d = json.load(open(f"{sys.argv[1]}/{point}/deployed.json"))
    assert d["chips"] == 3 and len(d["chip_test_accuracy"]) == 3, (point, d.get("chips"))
    assert d.get("aimc_noise_lsb", 0) == level, (point, d.get("aimc_noise_lsb"))
PY
"$odimo" sweep reduce out --accuracy deployed > reduce.out
for level in 0 2; do
  grep -q "^== diana noise=${level}lsb$" reduce.out || { cat reduce.out; fail "no front for level $level"; }
  test -s out/pareto-noise${level}lsb.svg || fail "no SVG for level $level"
  grep -q "AIMC read noise ${level} LSB, deployed accuracy (integer pipelines), mean of 3 chip instances" \
    out/pareto-noise${level}lsb.svg || fail "the SVG title of level $level"
done
grep -qE "^point +kind +seeds +trained acc +deployed acc +chips +chip std +worst chip +latency us" reduce.out ||
  { cat reduce.out; fail "the chip columns"; }
[ "$(grep -cE "^all:aimc +baseline +1 +[0-9.]+ % +[0-9.]+ % +3 +[0-9.]+ % +[0-9.]+ % " reduce.out)" = 2 ] ||
  { cat reduce.out; fail "the baseline's rows"; }
grep -q "accuracy: over all chip instances" out/pareto-noise2lsb.svg || fail "the SVG legend"
"$odimo" pareto out > trained.out  # trained accuracy: the same fronts by level, chips still shown
grep -q "^== diana noise=2lsb$" trained.out || { cat trained.out; fail "trained: fronts by level"; }

# The one-line sweep: --adc-aware --aimc-noise NLSB --chips N reach every point.
"$odimo" sweep --soc diana --net tiny --dataset synthetic --lambdas 1 --baselines none --epochs 1,1,1 \
  --steps-per-epoch 3 --batch 32 --adc-aware --aimc-noise 1lsb --chips 2 --deploy-images 50 --out one > one.out
grep -q "adc_noise_lsb: 1$" one/plan/point-000.pbtxt || fail "one-line: --adc-aware --aimc-noise 1lsb"
grep -q '"chips": 2' one/point-000/deployed.json || fail "one-line: --chips"
grep -qE "^point +kind +seeds +trained acc +deployed acc +chips" one.out || { cat one.out; fail "one-line table"; }
"$odimo" sweep --soc diana --net tiny --dataset synthetic --lambdas 1 --baselines none --epochs 1,1,1 \
  --steps-per-epoch 3 --batch 32 --adc-aware --adc-noise 0.5lsb --no-deploy --out two > /dev/null
grep -q "adc_noise_lsb: 0.5$" two/plan/point-000.pbtxt || fail "one-line: --adc-noise 0.5lsb"
one_line=(sweep --soc diana --net tiny --dataset synthetic --lambdas 1 --out bad)
expect_error "^odimo sweep: error: --adc-noise 0.1 needs --adc-aware$" "$odimo" "${one_line[@]}" --adc-noise 0.1
expect_error "^odimo sweep: error: --adc-noise 0.1: with --adc-aware and --aimc-noise 1lsb" \
  "$odimo" "${one_line[@]}" --adc-aware --adc-noise 0.1 --aimc-noise 1lsb
expect_error "^odimo sweep: error: --chips: 1001: expected an integer in \[0, 1000\]" "$odimo" "${one_line[@]}" --chips 1001
expect_error "^odimo sweep: error: --aimc-noise: '-1lsb'" "$odimo" "${one_line[@]}" --aimc-noise=-1lsb
expect_error "^odimo sweep: error: --no-deploy: --chips is about the deployment" "$odimo" "${one_line[@]}" \
  --no-deploy --chips 2

# Bad noise fields of a spec: one line naming the file, the field and the value.
base='soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\n'
bad_spec() {  # bad_spec NAME EXTRA-FIELDS REGEX
  printf "$base$2" > "$1.pbtxt"
  expect_error "^odimo sweep plan: error: .*$1.pbtxt: field $3" "$odimo" sweep plan "$1.pbtxt" -o "p-$1"
}
bad_spec negative 'aimc_noise_lsb: [1, -0.5]\n' "'aimc_noise_lsb': '-0.5': expected a level in \[0, 1024\]"
bad_spec nan 'aimc_noise_lsb: nan\n' "'aimc_noise_lsb': 'nan': expected a level in \[0, 1024\]"
bad_spec absurd 'aimc_noise_lsb: 1e6\n' "'aimc_noise_lsb': '1e\+06': expected a level in \[0, 1024\]"
bad_spec twice 'aimc_noise_lsb: [1, 1]\n' "'aimc_noise_lsb': 1 is listed twice"
bad_spec two-units 'aimc_noise_lsb: 1\ndeploy_aimc_noise: 0.05\n' "'aimc_noise_lsb': deploy_aimc_noise is 0.05 too"
bad_spec aware-twice 'aimc_noise_lsb: 1\nadc_aware: true\nadc_noise: 0.05\n' "'aimc_noise_lsb': with adc_aware every level"
bad_spec train-units 'adc_aware: true\nadc_noise: 0.05\nadc_noise_lsb: 1\n' "'adc_noise_lsb': 1: adc_noise is set too"
bad_spec blind-lsb 'adc_noise_lsb: 1\n' "'adc_noise_lsb': 1 needs adc_aware: true"
bad_spec aware-no-grid 'noise_aware_lambda: 4\n' "'noise_aware_lambda': needs aimc_noise_lsb"
bad_spec chips-negative 'deploy_chips: -1\n' "'deploy_chips': -1 must be in \[0, 1000\]"
bad_spec chips-many 'deploy_chips: 1001\n' "'deploy_chips': 1001 must be in \[0, 1000\]"
bad_spec chips-off 'deploy_chips: 2\ndeploy: false\n' "'deploy_chips': 2 chip instances, but deploy: false"
echo "1 passed, 0 failed"
