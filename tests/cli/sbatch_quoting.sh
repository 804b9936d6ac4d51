#!/usr/bin/env bash
# Values written into the Slurm script of `odimo sweep sbatch` (label cli): a value of an
# #SBATCH line that the line cannot hold is refused (one line, exit 2, no script, no folder);
# every other value is quoted, so the script parses and runs nothing it was not meant to.
set -euo pipefail
odimo=$1
work=$2
spec=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work"
. "$here/expect.sh"

"$odimo" sweep plan "$spec" -o plan > /dev/null
nl='
'
for bad in '$(touch PWNED)' "gpu${nl}touch PWNED" "a'b" 'a"b' 'a b' 'a;touch PWNED' '`touch PWNED`'; do
  for opt in --partition --account --time; do
    expect_error "^odimo sweep[a-z ]*: error: $opt: the character '.*' cannot be written into a Slurm #SBATCH line" \
      "$odimo" sweep sbatch plan -o out "$opt" "$bad"
  done
  expect_error "^odimo sweep[a-z ]*: error: --out: the character" "$odimo" sweep sbatch plan -o "out$bad"
done
[ ! -e out ] || fail "a refused script left its OUT folder"

# A PLAN folder with a hostile name only reaches quoted words and a comment: the script parses,
# and running it (without Slurm, so the task fails for want of its index) executes nothing else.
hostile="p \$(touch PWNED) \`touch PWNED\` 'q\" &touch PWNED"  # no ';': a CMake list separator
cp -r plan "$hostile"
"$odimo" sweep sbatch "$hostile" -o out --partition gpu --account a-1 --time 01:00:00 > job.sbatch
bash -n job.sbatch || fail "the script does not parse"
grep -q '^#SBATCH --partition=gpu$' job.sbatch || fail "no partition line"
rc=0
env -u SLURM_ARRAY_TASK_ID bash job.sbatch > run.txt 2>&1 || rc=$?
[ "$rc" = 2 ] || { cat run.txt; fail "the script exited $rc, expected 2 (no array index)"; }
grep -q 'SLURM_ARRAY_TASK_ID is not set' run.txt || { cat run.txt; fail "the task did not run as written"; }
[ ! -e PWNED ] || fail "a value was executed"
rm -rf "$hostile"  # other tests glob the build tree
echo "sbatch_quoting: all checks passed"
