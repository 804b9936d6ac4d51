#!/usr/bin/env bash
# Sweeps built on idempotent points, without MPI (label sweep): plan, every point
# locally, one point from a job-array variable, resume after a lost result, reduce,
# the Slurm script, and the errors a user meets first.
set -euo pipefail
odimo=$1
spec=$2
work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
expect_error() {  # expect_error REGEX command...: non-zero exit and REGEX on stderr
  local re=$1; shift
  if "$@" > out.txt 2> err.txt; then fail "'$*' succeeded"; fi
  grep -qE -- "$re" err.txt || { cat err.txt; fail "'$*' did not say: $re"; }
}

"$odimo" sweep plan "$spec" -o plan > plan.out
test "$(ls plan/point-*.pbtxt | wc -l)" = 6 || fail "the tiny spec should give 6 points"
grep -q "lambda=5 soc=diana-aimc2304" plan.out || fail "point labels"
"$odimo" sweep plan "$spec" -o plan > /dev/null  # the same plan again: fine
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: [100, 0.1]\nsteps_per_epoch: 3\n' > labels.pbtxt
"$odimo" sweep plan labels.pbtxt -o plan-labels > labels.out
grep -q "lambda=100 " labels.out && grep -q "lambda=0.1 " labels.out || fail "lambda labels: $(cat labels.out)"

"$odimo" sweep run plan -o ref --jobs 2 > ref.out
grep -q "computed 6, skipped 0, failed 0" ref.out || { cat ref.out; fail "serial run"; }

# Job-array mode: the index comes from the environment; same bytes as the local run.
SLURM_ARRAY_TASK_ID=4 "$odimo" sweep run --index-from-env plan -o arr > arr.out
MY_TASK=1 "$odimo" sweep run --index-var MY_TASK plan -o arr > arr2.out
for p in point-004 point-001; do diff -r "ref/$p" "arr/$p" || fail "array-mode $p differs from the local run"; done
test ! -e arr/point-000 || fail "array mode ran more than its point"

# A lost result is recomputed, alone, to the same bytes.
cp -r ref/point-003 saved-003
rm ref/point-003/report.json
"$odimo" sweep run plan -o ref > rerun.out
grep -q "computed 1, skipped 5, failed 0" rerun.out || { cat rerun.out; fail "resume"; }
grep -q "computed: point-003$" rerun.out || fail "the wrong point was recomputed"
diff -r saved-003 ref/point-003 || fail "the recomputed point differs"

"$odimo" sweep reduce ref > reduce.out
grep -q "== diana-aimc2304" reduce.out || fail "reduce: one table per SoC"
test -s ref/pareto-diana.svg && test -s ref/pareto-diana-aimc2304.svg || fail "reduce: SVGs"
"$odimo" sweep reduce arr > reduce-arr.out
grep -q "arr: 4 of 6 points have no complete result yet: point-000 point-002 point-003 point-005" reduce-arr.out ||
  { cat reduce-arr.out; fail "reduce: missing points"; }
# Results of two plans shown together (e.g. more lambdas run later into another folder).
"$odimo" sweep run plan-labels -o more > /dev/null
"$odimo" sweep reduce arr more > reduce-two.out
grep -q "lambda=100 " reduce-two.out && grep -q "lambda=5 soc=diana-aimc2304" reduce-two.out ||
  { cat reduce-two.out; fail "reduce of two folders"; }

# Seeds: one row per point with mean ± std over them, fronts and hypervolumes on the means,
# each baseline dominated or not; the chip's policy as a baseline.
"$odimo" sweep --soc diana --net tiny --dataset synthetic --lambdas 1 --baselines policy,greedy --seeds 1,2 \
  --epochs 1,1,1 --steps-per-epoch 3 --batch 32 --out seeds > seeds.out
grep -qE "^lambda=1 +search +2 +[0-9.]+ ± [0-9.]+ %" seeds.out || { cat seeds.out; fail "seeds: mean ± std row"; }
grep -qE "^policy +baseline +2 " seeds.out || { cat seeds.out; fail "seeds: policy baseline"; }
grep -q "latency: hypervolume search [0-9.]*, baselines [0-9.]*" seeds.out || { cat seeds.out; fail "hypervolume"; }
grep -qE "^  greedy: (dominated by lambda=1|not dominated)" seeds.out || { cat seeds.out; fail "dominance"; }
test "$(ls -d seeds/point-* | wc -l)" = 6 || fail "seeds: 3 points x 2 seeds"
expect_error "^odimo sweep: error: --seeds: 'x' is not a whole number" "$odimo" sweep --soc diana --net tiny \
  --dataset synthetic --lambdas 1 --seeds 1,x --out bad-seeds

# Pretrain once, search many: the pretraining point runs first, every other point starts from
# its checkpoint; a point whose pretraining is missing refuses to start; array mode (points run
# one by one from the environment) gives the bytes of the local run.
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\nbaseline: "greedy"\npretrain_epochs: 1\nsteps_per_epoch: 3\nbatch: 32\n' > pre.pbtxt
"$odimo" sweep plan pre.pbtxt -o plan-pre > /dev/null
test "$(ls plan-pre/point-*.pbtxt | wc -l)" = 3 || fail "pretraining: 1 pretraining + 2 points"
expect_error "starts from .*no complete result yet" env SLURM_ARRAY_TASK_ID=1 "$odimo" sweep run --index-from-env plan-pre -o pre-arr
"$odimo" sweep run plan-pre -o pre-ref --jobs 2 > pre-ref.out
grep -q "computed 3, skipped 0, failed 0" pre-ref.out || { cat pre-ref.out; fail "pretraining run"; }
for i in 0 1 2; do SLURM_ARRAY_TASK_ID=$i "$odimo" sweep run --index-from-env plan-pre -o pre-arr > /dev/null; done
for p in point-001 point-002; do
  grep -q '"init": "../point-000/checkpoint.pb"' pre-ref/$p/report.json || fail "$p did not start from the pretraining"
  for f in report.json mapping.pbtxt weights.pb; do
    cmp pre-ref/$p/$f pre-arr/$p/$f || fail "pretrained $p/$f differs between local and array mode"
  done
done

# Imported or earlier-trained weights for a whole sweep (spec field init, relative to the spec):
# every point starts from them; with pretraining, the pretraining does.
"$odimo" train --net tiny --dataset synthetic --epochs 1 --steps-per-epoch 3 --batch 32 --quiet --out tr > /dev/null
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\ninit: "tr/checkpoint.pb"\nsteps_per_epoch: 3\nbatch: 32\n' > init.pbtxt
"$odimo" sweep plan init.pbtxt -o plan-init > /dev/null
grep -q 'init: ".*tr/checkpoint.pb"' plan-init/point-000.pbtxt || fail "init: the point does not start from the spec's weights"
"$odimo" sweep run plan-init -o init-out > /dev/null
grep -q '"init": "../../tr/checkpoint.pb"' init-out/point-000/report.json || fail "init: report.json $(grep init init-out/point-000/report.json)"
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\ninit: "no-such.pb"\n' > bad-init.pbtxt
expect_error "bad-init.pbtxt: field 'init': '.*no-such.pb': no such file" "$odimo" sweep plan bad-init.pbtxt -o p5

"$odimo" sweep sbatch plan -o "$work/slurm-out" --max-parallel 2 > sweep.sbatch
grep -q "^#SBATCH --array=0-5%2$" sweep.sbatch || fail "sbatch: array line"
grep -q "sweep run --index-from-env $work/plan -o $work/slurm-out$" sweep.sbatch || fail "sbatch: command"
bash -n sweep.sbatch || fail "sbatch: not a valid script"

# Results do not depend on where they are written: the heap layout differs with the path's
# length and, before mapper/tensor/aligned_new.cpp, so did the bits of this ResNet-8 point.
printf 'soc: "diana"\nnet: "resnet8"\ndataset: "synthetic"\nlambda: 1\nsteps_per_epoch: 5\nbatch: 32\nsearch_epochs: 1\n' > r8.pbtxt
"$odimo" sweep plan r8.pbtxt -o plan-r8 > /dev/null
"$odimo" sweep run plan-r8 -o r8 --index 0 > /dev/null
"$odimo" sweep run plan-r8 -o "$work/r8-in-a-folder-with-a-much-longer-name" --index 0 > /dev/null
for f in weights.pb report.json mapping.pbtxt; do
  cmp r8/point-000/$f "$work/r8-in-a-folder-with-a-much-longer-name/point-000/$f" || fail "$f depends on the output path"
done

# Errors name the file, the field and the value.
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: [1, -2]\n' > bad-lambda.pbtxt
expect_error "bad-lambda.pbtxt: field 'lambda': '-2': expected a number in \[0, 1e\+06\]" "$odimo" sweep plan bad-lambda.pbtxt -o p2
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nbaseline: "all:dwe"\n' > bad-cu.pbtxt
expect_error "bad-cu.pbtxt: field 'baseline': 'all:dwe': SoC 'diana' has no such compute unit" \
  "$odimo" sweep plan bad-cu.pbtxt -o p3
printf 'soc: "diana"\nnet: "tiny"\ndataset: "synthetic"\nlambda: 1\nlambda: 2\n' > other.pbtxt
expect_error "plan.pbtxt: holds a different plan" "$odimo" sweep plan other.pbtxt -o plan
printf 'soc: "diana"\nnet: "tiny"\nlambda: 1\n' > bad-shape.pbtxt
expect_error "bad-shape.pbtxt: field 'dataset': fashion-mnist has 1x28x28 images but the network takes 1x8x8" \
  "$odimo" sweep plan bad-shape.pbtxt -o p4
expect_error "nothing-here/plan.pbtxt: cannot open" "$odimo" sweep run nothing-here -o x
expect_error "point 6 does not exist: the plan has points 0..5" "$odimo" sweep run --index 6 plan -o x
expect_error "NO_SUCH_VAR is not set" "$odimo" sweep run --index-var NO_SUCH_VAR plan -o x
expect_error "choose one of --index, --index-from-env and --mpi" "$odimo" sweep run --index 1 --mpi plan -o x
"$odimo" sweep plan other.pbtxt -o plan-other > /dev/null
expect_error "holds results of a different plan" "$odimo" sweep run plan-other -o ref
echo "1 passed, 0 failed"
