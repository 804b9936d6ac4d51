#!/usr/bin/env bash
# A search report is read back (pareto, sweep reduce, replay, deploy) only as odimo wrote it:
# a malformed one is one line, a number outside its range (-100 % accuracy, negative time,
# 1e308 uJ) or an unknown kind is refused, and one run listed twice is not two seeds.
# usage: reports.sh ODIMO WORKDIR
set -euo pipefail
odimo=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/expect.sh"

"$odimo" search --soc diana --net tiny --dataset synthetic --epochs 1,1,1 --steps-per-epoch 1 --batch 4 \
  --lambda 1 --out point --quiet --no-replay > /dev/null
# sweep/point-000 is the good run; point-001 gets one bad field at a time.
mutate() {  # mutate SED-EXPRESSION: sweep/point-001/report.json = the good report, edited
  rm -rf sweep && mkdir -p sweep && cp -r point sweep/point-000 && cp -r point sweep/point-001
  sed -i 's/"label": "lambda=1"/"label": "lambda=2"/; s/"lambda": 1,/"lambda": 2,/' sweep/point-001/report.json
  sed -i "$1" sweep/point-001/report.json
}
report=sweep/point-001/report.json
mutate 's/"soc": "diana"/"soc": NaN/'
for cmd in pareto "sweep reduce" replay deploy; do
  dir=sweep; [ "$cmd" = replay ] || [ "$cmd" = deploy ] && dir=sweep/point-001
  expect_error "$report: not a search report: Unexpected token\\. near '" "$odimo" $cmd $dir
done
mutate 's/"test_accuracy": [0-9.e-]*/"test_accuracy": -1/'
expect_error "$report: field 'test_accuracy': value -1 must be in \[0, 1\]" "$odimo" pareto sweep
mutate 's/"latency_us": [0-9.e-]*/"latency_us": -1/'
expect_error "$report: field 'analytic.latency_us': value -1 must be >= 0" "$odimo" pareto sweep
mutate 's/"energy_uj": [0-9.e-]*/"energy_uj": 1e308/'
expect_error "$report: field 'analytic.energy_uj': value 1e\+308 must be finite and at most 1e\+12" \
  "$odimo" sweep reduce sweep
mutate 's/"kind": "search"/"kind": "frob"/'
expect_error "$report: field 'kind': value 'frob' is not search or baseline" "$odimo" pareto sweep
mutate 's/"label": "lambda=2"/"label": "lambda=1"/; s/"lambda": 2,/"lambda": 1,/'
expect_error "sweep/point-00[01]/report.json: point 'lambda=1' seed 1 is also sweep/point-00[01]: each run once" \
  "$odimo" pareto sweep
mutate 's/"soc": "diana"/"soc": "darkside"/'
expect_error "$report: field 'soc': 'darkside' but 'diana' is SoC 'diana'" "$odimo" replay sweep/point-001
mutate 's/"network": "tiny"/"network": "resnet8"/'
expect_error "$report: field 'network': 'resnet8' but 'tiny' is network 'tiny'" "$odimo" deploy sweep/point-001
# The good reports still make a table.
mutate 's/x/x/'
"$odimo" pareto sweep > out.txt || fail "pareto of two good points failed"
grep -q "lambda=2" out.txt || fail "pareto did not list lambda=2"
echo "reports: all checks passed"
