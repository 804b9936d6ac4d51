#!/usr/bin/env bash
# `odimo sweep run --mpi` (label mpi): 1, 2 and 3 ranks (oversubscribed on 2 cores)
# give byte-identical results; a lost result is recomputed alone; a failing point is
# reported and the others finish.
set -euo pipefail
odimo=$1
spec=$2
work=$3
mpiexec=$4
rm -rf "$work" && mkdir -p "$work" && cd "$work"
fail() { echo "FAIL: $*"; exit 1; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root

"$odimo" sweep plan "$spec" -o plan > /dev/null
"$odimo" sweep run plan -o ref > ref.out
"$mpiexec" -np 1 "$odimo" sweep run --mpi plan -o out1 > out1.txt
"$mpiexec" -np 2 "$odimo" sweep run --mpi plan -o out2 > out2.txt
"$mpiexec" --oversubscribe -np 3 "$odimo" sweep run --mpi plan -o out3 > out3.txt
grep -q "over 3 MPI rank(s)" out3.txt || fail "3 ranks"
grep -q "on rank 2" out3.txt || fail "rank 2 got no point"
for o in out1 out2 out3; do
  grep -q "computed 6, skipped 0, failed 0" $o.txt || { cat $o.txt; fail "$o"; }
  diff -r -x logs ref $o || fail "$o differs from the serial run"
done

rm -r out2/point-003
"$mpiexec" -np 2 "$odimo" sweep run --mpi plan -o out2 > rerun.txt
grep -q "computed 1, skipped 5, failed 0" rerun.txt || { cat rerun.txt; fail "resume"; }
grep -q "computed: point-003$" rerun.txt || fail "the wrong point was recomputed"
diff -r -x logs ref out2 || fail "the recomputed point differs"

# A point that cannot write its result fails; the sweep goes on and exits non-zero.
mkdir bad && touch bad/point-002
if "$mpiexec" -np 2 "$odimo" sweep run --mpi plan -o bad > bad.txt 2>&1; then fail "a failed point must fail the run"; fi
grep -q "FAILED  point-002" bad.txt || { cat bad.txt; fail "the failed point is not reported"; }
grep -q "computed 5, skipped 0, failed 1" bad.txt || { cat bad.txt; fail "the other points did not finish"; }
grep -q "is a regular file, expected a folder" bad/logs/point-002.log || fail "the point's log says why"
echo "1 passed, 0 failed"
