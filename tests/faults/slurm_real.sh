#!/usr/bin/env bash
# A sweep under a real single-node Slurm (label faults): this script starts munged,
# slurmctld and slurmd on loopback with their state in a temporary folder, submits the
# job-array script of `odimo sweep sbatch`, cancels a running task (scancel), resubmits,
# and checks the results equal an uninterrupted local run byte for byte. Skips (exit 77)
# when the daemons cannot run here: not root, no Slurm or munge, or they do not start.
#   slurm_real.sh ODIMO SOURCE_DIR WORK  (the sweep: faults.sweep.pbtxt beside this script)
set -euo pipefail
odimo=$1
export SOURCE_DIR=$2
work=$3
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
spec=$here/faults.sweep.pbtxt
PATH=$PATH:/usr/sbin:/sbin

[ "$(id -u)" -eq 0 ] || skip "not root: slurmd and munged run as root here"
for b in munged munge slurmctld slurmd sbatch squeue sinfo scancel protoc; do
  command -v $b > /dev/null || skip "no $b (Debian packages slurm-wlm, munge, protobuf-compiler)"
done

rm -rf "$work" && mkdir -p "$work" && cd "$work"
daemons=$(mktemp -d /tmp/odimo-slurm.XXXXXX)  # short: a unix socket path has ~100 characters
chmod 755 "$daemons"
mkdir -p "$daemons/state" "$daemons/spool"
export SLURM_CONF=$daemons/slurm.conf
started=0
stop_daemons() {
  local rc=$?
  if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ $started -eq 1 ]; then
    echo "--- squeue"; squeue 2>&1 || true
    for l in slurmctld slurmd munged; do echo "--- $l.log (last 30 lines)"; tail -30 "$daemons/$l.log" 2>/dev/null || true; done
    for l in out/logs/*; do [ -f "$l" ] && { echo "--- $l"; tail -20 "$l"; }; done
  fi
  for d in slurmd slurmctld munged; do
    [ -f "$daemons/$d.pid" ] && kill "$(cat "$daemons/$d.pid")" 2> /dev/null || true
  done
  sleep 0.5
  for d in slurmd slurmctld munged; do
    [ -f "$daemons/$d.pid" ] && kill -9 "$(cat "$daemons/$d.pid")" 2> /dev/null || true
  done
  rm -rf "$daemons"
  exit $rc
}
trap stop_daemons EXIT

# munge: its own key, socket, pid and log, whatever the machine runs.
head -c 1024 /dev/urandom > "$daemons/munge.key"
chmod 600 "$daemons/munge.key"
munged -f --socket="$daemons/munge.sock" --key-file="$daemons/munge.key" --log-file="$daemons/munged.log" \
  --pid-file="$daemons/munged.pid" --seed-file="$daemons/munged.seed" ||
  skip "munged does not start here: $(tail -3 "$daemons/munged.log" 2> /dev/null)"
started=1
wait_until 10 "munged's socket" test -S "$daemons/munge.sock"

# Ports from the pid: another Slurm (or another run of this test) may hold the defaults.
port=$((20000 + ($$ % 2000) * 2))
host=$(hostname -s)
cat > "$SLURM_CONF" <<CONF
ClusterName=odimotest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$daemons/munge.sock
CredType=cred/munge
StateSaveLocation=$daemons/state
SlurmdSpoolDir=$daemons/spool
SlurmctldPidFile=$daemons/slurmctld.pid
SlurmdPidFile=$daemons/slurmd.pid
SlurmctldLogFile=$daemons/slurmctld.log
SlurmdLogFile=$daemons/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
InactiveLimit=0
KillWait=2
MinJobAge=300
NodeName=odimo1 NodeHostname=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=odimo Nodes=odimo1 Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF" -i || skip "slurmctld does not start here: $(tail -3 "$daemons/slurmctld.log" 2> /dev/null)"
slurmd -f "$SLURM_CONF" -N odimo1 || skip "slurmd does not start here: $(tail -3 "$daemons/slurmd.log" 2> /dev/null)"
node_idle() { [ "$(sinfo -h -n odimo1 -o %t 2> /dev/null)" = idle ]; }
end=$((SECONDS + 30))
until node_idle; do
  [ $SECONDS -lt $end ] || skip "the Slurm node did not come up idle in 30 s: $(sinfo 2>&1 | tail -1);" \
    "$(tail -3 "$daemons/slurmd.log" 2> /dev/null)"
  sleep 0.2
done
echo "slurm up: $(sinfo -h -o '%P %t %N %c CPUs')"

"$odimo" sweep plan "$spec" -o plan > /dev/null
"$odimo" sweep sbatch plan -o "$work/out" > sweep.sbatch

job=$(sbatch --parsable sweep.sbatch) || fail "sbatch refused the generated script"
echo "submitted array job $job"
running_task() {  # the first running task of the array, e.g. 12_1
  local t
  t=$(squeue -h -j "$job" -t R -o %i 2> /dev/null | awk '/_[0-9]/ && !n++') && [ -n "$t" ] && echo "$t"
}
wait_until 60 "a running task of job $job" running_task
task=$(running_task)
scancel "$task"
echo "cancelled $task while it ran"
job_done() { [ -z "$(squeue -h -j "$1" 2> /dev/null)" ]; }
wait_until 120 "job $job to end" job_done "$job"
check_complete out
echo "after the cancel: $(ls -d out/point-* 2> /dev/null | wc -l) point folders; report of the cancelled point:" \
  "$(ls out/point-00${task#*_}/report.json 2> /dev/null || echo none)"

job2=$(sbatch --parsable sweep.sbatch) || fail "sbatch refused the script the second time"
echo "resubmitted as $job2"
wait_until 180 "job $job2 to end" job_done "$job2"
check_complete out
grep -l "complete result exists, skipped" out/logs/slurm-"$job2"_*.out > /dev/null ||
  fail "the resubmitted job recomputed every point"

"$odimo" sweep run plan -o ref --jobs 1 > ref.txt || { cat ref.txt; fail "local run"; }
same_results ref out report.json mapping.pbtxt weights.pb simulation.json
for i in 0 1 2; do
  if grep -q "error" out/logs/slurm-"$job2"_$i.out; then cat out/logs/slurm-"$job2"_$i.out; fail "task $i"; fi
done
echo "1 passed, 0 failed"
