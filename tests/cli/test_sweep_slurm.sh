#!/bin/bash
# A real single-node Slurm on this machine runs a 4-task array of `ibmig sweep --shard`, and the merged rows must equal
# the same sweep run locally, byte for byte. Everything lives in a temporary directory with its own munge key and
# socket, its own slurm.conf (SLURM_CONF, -f) and its own ports: no file in /etc is read or written, and only the
# processes started here are stopped (by their pid). Exit 77 (CTest: skipped) with the reason when it cannot run.
# Usage: test_sweep_slurm.sh BINARY_DIR SOURCE_DIR
set -u
BIN=$1/ibmig
SRC=$2
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (slurmd runs jobs as their user and munged's key must be root's)"
for b in munged slurmctld slurmd sbatch sinfo squeue scancel; do
  command -v "$b" >/dev/null || skip "$b is missing (apt-get install slurm-wlm munge)"
done
[ -x "$BIN" ] || { echo "FAIL: $BIN is not built"; exit 1; }

T=$(mktemp -d /tmp/ibmig-slurm-test-XXXXXX)
chmod 0700 "$T"
PIDS=()
cleanup() {
  [ -n "${JOB:-}" ] && scancel "$JOB" 2>/dev/null
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do kill "${PIDS[i]}" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  [ -f "$T/munged.pid" ] && kill "$(cat "$T/munged.pid")" 2>/dev/null
  sleep 0.2
  rm -rf "$T"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for f in "$T"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -20 "$f"; }; done
  exit 1
}

# munge: a key of our own, a socket and a pid file in $T (munged forks itself into the background).
mkdir -p "$T/munge" && chmod 0700 "$T/munge"
dd if=/dev/urandom of="$T/munge/munge.key" bs=1024 count=1 status=none && chmod 0400 "$T/munge/munge.key"
SOCK=$T/munge/munge.socket
munged --force --key-file="$T/munge/munge.key" --socket="$SOCK" --pid-file="$T/munged.pid" \
  --log-file="$T/munged.log" --seed-file="$T/munge/munge.seed" || skip "munged cannot start: $(tail -1 "$T/munged.log" 2>/dev/null)"

# Slurm on ports of our own (a system Slurm, if any, keeps its own), state and spool in $T.
HOST=$(hostname -s)
PORT=$((20000 + $$ % 20000))
mkdir -p "$T/state" "$T/spool" "$T/work"
cat >"$T/slurm.conf" <<CONF
ClusterName=ibmigtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/backfill
PlugStackConfig=$T/plugstack.conf
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=sweep Nodes=$HOST Default=YES MaxTime=10 State=UP
CONF
: >"$T/plugstack.conf"
export SLURM_CONF=$T/slurm.conf
slurmctld -D -c -f "$SLURM_CONF" >"$T/slurmctld.out.log" 2>&1 &
PIDS+=($!)
slurmd -D -f "$SLURM_CONF" -N "$HOST" >"$T/slurmd.out.log" 2>&1 &
PIDS+=($!)
up=
for _ in $(seq 60); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -1)
  [ "$state" = idle ] && { up=1; break; }
  for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || skip "a Slurm daemon exited: $(tail -3 "$T"/slurm*.log | tr '\n' ' ')"; done
  sleep 0.5
done
[ -n "$up" ] || skip "the node did not become idle within 30 s (state \"${state:-none}\"): $(tail -3 "$T/slurmd.log" | tr '\n' ' ')"

# The study: the fabric sweep with an invalid replica value, as 4 array tasks, then merged.
SWEEP="--sweep $SRC/scenarios/sweeps/fabric-mode-replica.json --vary volumes[0].replica=2,3,4"
cat >"$T/work/array.sh" <<JOB
#!/bin/bash
#SBATCH --array=0-3
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --output=$T/work/task-%a.out
exec $BIN sweep $SWEEP -j 1 --shard \$((SLURM_ARRAY_TASK_ID + 1))/4 -o $T/work/part-\$SLURM_ARRAY_TASK_ID.jsonl
JOB
JOB=$(sbatch --parsable --chdir="$T/work" "$T/work/array.sh") || fail "sbatch refused the array"
JOB=${JOB%%;*}
done_=
for _ in $(seq 120); do
  [ -z "$(squeue -h -j "$JOB" 2>/dev/null)" ] && { done_=1; break; }
  sleep 0.5
done
[ -n "$done_" ] || fail "the array job $JOB did not finish within 60 s: $(squeue -j "$JOB")"
for i in 0 1 2 3; do
  [ -s "$T/work/part-$i.jsonl" ] || fail "task $i wrote no rows: $(cat "$T/work/task-$i.out" 2>/dev/null)"
done
"$BIN" sweep --merge "$T/work/merged.jsonl" "$T"/work/part-{0,1,2,3}.jsonl $SWEEP || fail "merge failed"
"$BIN" sweep $SWEEP -o "$T/work/local.jsonl" >/dev/null || fail "the local sweep failed"
cmp "$T/work/merged.jsonl" "$T/work/local.jsonl" || fail "the merged Slurm rows differ from the local sweep's"
rows=$(wc -l <"$T/work/merged.jsonl")
[ "$rows" = 18 ] || fail "expected 18 rows, got $rows"
grep -q '"status":"invalid"' "$T/work/merged.jsonl" || fail "the invalid replica-4 points are missing"
echo "OK: 4 Slurm array tasks, $rows rows merged, identical to the local sweep"
