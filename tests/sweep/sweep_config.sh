#!/usr/bin/env bash
# A planned point file holds the point's search configuration (proto/search.proto SearchConfig),
# not command-line words: `sweep run` runs it, and `odimo search --config` runs the same file
# to the same bytes. Bad configuration files end as one line and exit status 2.
set -euo pipefail
odimo=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
expect_error() {  # expect_error REGEX command...: exit status 2 and REGEX on stderr
  local re=$1; shift
  local status=0
  "$@" > out.txt 2> err.txt || status=$?
  test "$status" = 2 || { cat err.txt; fail "'$*' exited $status, expected 2"; }
  grep -qE -- "$re" err.txt || { cat err.txt; fail "'$*' did not say: $re"; }
  test "$(wc -l < err.txt)" = 1 || { cat err.txt; fail "'$*' said more than one line"; }
}

cat > spec.pbtxt <<'SPEC'
soc: "diana"
net: "tiny"
dataset: "synthetic"
lambda: [5]
baseline: "greedy"
warmup_epochs: 1
search_epochs: 1
finetune_epochs: 1
steps_per_epoch: 3
batch: 32
threads: 1
deploy: false
SPEC
"$odimo" sweep plan spec.pbtxt -o plan > /dev/null
for p in point-000 point-001; do
  grep -q "^config {" "plan/$p.pbtxt" || fail "$p.pbtxt holds no config"
  ! grep -q "search_args" "plan/$p.pbtxt" || fail "$p.pbtxt holds command-line words"
done
grep -q "lambda: 5" plan/point-000.pbtxt || fail "point-000 is not lambda 5"
grep -q 'baseline: "greedy"' plan/point-001.pbtxt || fail "point-001 is not the greedy baseline"
grep -q "finetune_epochs: 3" plan/point-001.pbtxt || fail "the baseline does not get the whole budget"

"$odimo" sweep run plan -o out --jobs 2 > run.out
grep -q "computed 2, skipped 0, failed 0" run.out || { cat run.out; fail "sweep run"; }

# The same point file through odimo search: the same results, byte for byte.
for p in point-000 point-001; do
  "$odimo" search --config "plan/$p.pbtxt" -o "direct-$p" --quiet > "direct-$p.out"
  for f in report.json mapping.pbtxt weights.pb simulation.json; do
    cmp "out/$p/$f" "direct-$p/$f" || fail "$p/$f differs between sweep run and search --config"
  done
done

# A bare configuration: the fields it leaves out take their defaults.
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 5\nwarmup_epochs: 1\nsearch_epochs: 1\nsteps_per_epoch: 3\nbatch: 32\nthreads: 1\nlabel: "lambda=5"\n' > bare.pbtxt
"$odimo" search --config bare.pbtxt -o bare --quiet --no-replay > bare.out
cmp out/point-000/weights.pb bare/weights.pb || fail "the bare configuration trained differently"

expect_error "^odimo search: error: --config: plan/point-000.pbtxt holds the whole configuration; --lambda" \
  "$odimo" search --config plan/point-000.pbtxt --lambda 1 -o x
printf 'soc: "diana"\nnet: "tiny"\nlambda: 1\nbatch: 0\n' > zero-batch.pbtxt
expect_error "^odimo search: error: zero-batch.pbtxt: field 'batch': 0 must be in \[1, 65536\]$" \
  "$odimo" search --config zero-batch.pbtxt -o x
printf 'soc: "diana"\nnet: "tiny"\n' > no-lambda.pbtxt
expect_error "^odimo search: error: no-lambda.pbtxt: field 'lambda': missing" \
  "$odimo" search --config no-lambda.pbtxt -o x
sed 's/^  batch: 32/  batch: -4/' plan/point-000.pbtxt > plan-bad.pbtxt
expect_error "plan-bad.pbtxt: config: field 'batch': -4 must be in" "$odimo" search --config plan-bad.pbtxt -o x
mkdir -p broken && cp plan/plan.pbtxt plan/point-001.pbtxt broken/
sed 's/^  batch: 32/  batch: -4/' plan/point-000.pbtxt > broken/point-000.pbtxt
expect_error "broken/point-000.pbtxt: config: field 'batch': -4 must be in" "$odimo" sweep run broken -o y
echo "1 passed, 0 failed"
