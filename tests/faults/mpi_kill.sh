#!/usr/bin/env bash
# `odimo sweep run --mpi` with one rank killed mid-way (label faults): kill -9 of rank 1
# while it runs a point, then the same command again; the results equal an uninterrupted
# serial run byte for byte and no file under a final name is ever partial.
#   mpi_kill.sh ODIMO SOURCE_DIR WORK MPIEXEC
set -euo pipefail
odimo=$1
export SOURCE_DIR=$2
work=$3
mpiexec=$4
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
command -v protoc > /dev/null || skip "no protoc (Debian package protobuf-compiler)"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1  # CI runs as root
export OMPI_MCA_rmaps_base_oversubscribe=1                       # 2 ranks, whatever the cores
rm -rf "$work" && mkdir -p "$work" && cd "$work"

"$odimo" sweep plan "$here/faults.sweep.pbtxt" -o plan > /dev/null
"$odimo" sweep run plan -o ref --jobs 1 > ref.txt || { cat ref.txt; fail "serial run"; }

"$mpiexec" -np 2 "$odimo" sweep run --mpi plan -o out > killed.txt 2>&1 &
launcher=$!
# The rank processes are mpiexec's children; rank 1 is the one whose environment says so.
rank1() {
  local p env
  for p in $(pgrep -P $launcher); do
    env=$(tr '\0' '\n' < /proc/$p/environ 2> /dev/null) || continue
    if grep -qx OMPI_COMM_WORLD_RANK=1 <<< "$env"; then echo $p; return 0; fi
  done
  return 1
}
wait_until 60 "rank 1 to start" rank1
r1=$(rank1)
wait_until 60 "rank 1 to run a point" pgrep -P "$r1"
point=$(pgrep -P "$r1")
points=$(for p in $(pgrep -P $launcher); do pgrep -P "$p" || true; done | tr '\n' ' ')  # both ranks' point processes
kill -9 "$r1"
echo "killed rank 1 (pid $r1) while its point process $point ran"
# mpiexec notices the lost rank and stops the job; the point processes the ranks had
# started may finish (orphans) or be killed: wait for all of them, a bounded time.
gone() {
  local p
  for p in "$@"; do ! kill -0 "$p" 2> /dev/null || return 1; done
}
end=$((SECONDS + 60))
# shellcheck disable=SC2086
while ! gone $launcher $points; do
  [ $SECONDS -lt $end ] || { kill -9 $launcher $points 2> /dev/null; fail "mpiexec or a point did not end after the kill"; }
  sleep 0.1
done
if wait $launcher; then echo "note: mpiexec exited 0 after losing a rank"; fi
check_complete out
echo "after the kill: $(ls out/point-*/report.json 2> /dev/null | wc -l) of 3 reports"

"$mpiexec" -np 2 "$odimo" sweep run --mpi plan -o out > rerun.txt 2>&1 || { cat rerun.txt; fail "the rerun"; }
grep -q "failed 0 of 3 points" rerun.txt || { cat rerun.txt; fail "the rerun did not finish every point"; }
check_complete out
same_results ref out report.json mapping.pbtxt weights.pb simulation.json
echo "1 passed, 0 failed"
