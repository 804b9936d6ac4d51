#!/usr/bin/env bash
# Reference results (validation/reference/README.md): a sweep's results kept as small files
# only (report.json, mapping.pbtxt, deployed.json; no weights, no checkpoints, no logs) are
# complete for `sweep run` and `sweep reduce`; a pretraining point without its checkpoint is
# recomputed only when a point that still has to run starts from it, and then the points
# computed again equal the first run's bytes.
set -euo pipefail
odimo=$1
work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }

cat > spec.pbtxt <<'SPEC'
soc: "diana"
net: "tiny"
dataset: "synthetic"
lambda: [0, 5]
baseline: "all:aimc"
seed: [1]
pretrain_epochs: 1
warmup_epochs: 1
search_epochs: 1
finetune_epochs: 1
steps_per_epoch: 3
batch: 32
threads: 1
deploy_images: 50
SPEC
"$odimo" sweep plan spec.pbtxt -o plan > /dev/null
"$odimo" sweep run plan -o full --jobs 2 > full.out
grep -q "computed 4, skipped 0, failed 0" full.out || { cat full.out; fail "first run"; }
"$odimo" sweep reduce full --accuracy deployed > full-table.txt

# What a reference folder keeps (the same filter as validation/reference/.gitignore).
keep() {  # keep SRC DST
  (cd "$1" && find . -name report.json -o -name mapping.pbtxt -o -name deployed.json -o -name plan.pbtxt) |
    while read -r f; do mkdir -p "$2/$(dirname "$f")" && cp "$1/$f" "$2/$f"; done
}
keep full small
test ! -e small/point-000/checkpoint.pb || fail "keep copied a checkpoint"

# Complete from its reports alone: nothing runs, nothing is recomputed.
"$odimo" sweep run plan -o small --jobs 2 > small.out
grep -q "computed 0, skipped 4, failed 0" small.out || { cat small.out; fail "reports alone are not complete"; }
test ! -e small/point-000/checkpoint.pb || fail "the pretraining was recomputed though no point needed it"
(cd small && "$odimo" sweep reduce . --accuracy deployed) > /dev/null
"$odimo" sweep reduce small --accuracy deployed > small-table.txt
sed 's#^full#small#; s#full/#small/#g' full-table.txt > expected-table.txt
diff expected-table.txt small-table.txt || fail "reduce on the reports alone differs"

# One point alone (a job array's task) whose pretraining kept its report only: refused with the
# command that trains it again, nothing written.
rm -r small/point-002
set +e
"$odimo" sweep run plan -o small --index 2 > solo.out 2> solo.err
status=$?
set -e
[ "$status" = 2 ] || { cat solo.out solo.err; fail "--index without the pretraining's checkpoint: exit $status"; }
grep -q "whose checkpoint is not in small: train it again first (odimo sweep run PLAN -o small --index 0)" solo.err ||
  { cat solo.err; fail "--index without the pretraining's checkpoint: message"; }
test ! -e small/point-002/report.json || fail "--index wrote a report"
keep full small

# A point lost: the pretraining is recomputed first (it is needed), then the point, to the
# same bytes as the first run (the pretraining's own checkpoint differs only in its timing
# fields, so the point's files are what is compared).
rm -r small/point-002
"$odimo" sweep run plan -o small --jobs 2 > resume.out
grep -q "computed 2, skipped 2, failed 0" resume.out || { cat resume.out; fail "resume"; }
grep -q "computed: point-000 point-002$" resume.out || { cat resume.out; fail "the wrong points ran"; }
test -s small/point-000/checkpoint.pb || fail "no recomputed checkpoint"
for f in report.json mapping.pbtxt deployed.json weights.pb; do
  cmp "full/point-002/$f" "small/point-002/$f" || fail "point-002/$f differs from the first run"
done
echo "1 passed, 0 failed"
