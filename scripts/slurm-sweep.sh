#!/usr/bin/env bash
# A sharded sweep under a real Slurm job array, checked byte for byte
# against the same sweep run whole (docs/capacity.md, "Slurm job array").
#
#   scripts/slurm-sweep.sh            # as root (it installs packages and starts daemons)
#
# 1. Installs Debian's slurm-wlm and munge if they are missing.
# 2. Starts munged (unless one is running) and a single-node Slurm,
#    slurmctld and slurmd, from a configuration of its own under
#    target/slurm-sweep/ (nothing in /etc/slurm is read or written):
#    proctrack/linuxproc, task/none, select/cons_tres, no accounting, so it
#    runs without systemd or cgroups.
# 3. Submits `simbench sweep ... --shard auto/N` as `sbatch --array=0-(N-1)
#    --chdir=REPO` and waits for it: each task takes its shard from
#    SLURM_ARRAY_TASK_ID.
# 4. Merges the shards with `simbench merge` and diffs every output file
#    (sweep.json, sweep.csv, the charts) against the unsharded sweep.
# 5. Stops the daemons it started (also on failure or Ctrl-C).
#
# Environment: SHARDS (default 4), SLURMCTLD_PORT and SLURMD_PORT (default
# 16817 and 16818, away from a system Slurm's), SIMBENCH (a binary to use
# instead of building target/release/simbench).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

SHARDS=${SHARDS:-4}
SLURMCTLD_PORT=${SLURMCTLD_PORT:-16817}
SLURMD_PORT=${SLURMD_PORT:-16818}
work=$root/target/slurm-sweep

say() { printf '== %s\n' "$*"; }
fail() { printf 'slurm-sweep: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root: it installs packages and starts slurmctld, slurmd and munged"

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
   ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q slurm-wlm munge
fi

if [ -n "${SIMBENCH:-}" ]; then
  bin=$SIMBENCH
else
  say "cargo build --release --locked"
  cargo build --release --locked --quiet
  bin=$root/target/release/simbench
fi

rm -rf "$work"
mkdir -p "$work"/{state,spool,logs,shards,whole,merged}

started=()   # pid files of the daemons this script started
cleanup() {
  local status=$?
  set +e
  if [ -n "${job:-}" ]; then
    scancel "$job" 2>/dev/null
  fi
  # Stop in reverse order of starting: slurmd, slurmctld, then munged.
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do
    local pidfile=${started[i]} pid
    pid=$(cat "$pidfile" 2>/dev/null) || continue
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
  done
  [ ${#started[@]} -gt 0 ] && echo "== stopped the daemons this script started"
  if [ "$status" != 0 ]; then
    echo "slurm-sweep: failed; logs in $work/logs" >&2
    tail -n 20 "$work"/logs/*.log 2>/dev/null >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munged: the system's key (Debian's package makes one) and socket.
if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
  say "munged is already running: using it"
else
  say "starting munged"
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  runuser -u munge -- munged --pid-file=/run/munge/munged.pid
  started+=(/run/munge/munged.pid)
  for _ in $(seq 50); do munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
  munge -n </dev/null | unmunge >/dev/null || fail "munged does not answer"
fi

host=$(hostname -s)
# The node as slurmd measures it (CPUs, sockets, cores, memory), first line only.
node=$(slurmd -C | head -n 1)
case $node in NodeName=*) ;; *) fail "slurmd -C printed no node line: $node" ;; esac
export SLURM_CONF=$work/slurm.conf
cat >"$SLURM_CONF" <<EOF
# Written by scripts/slurm-sweep.sh: one node, no systemd, no cgroups, no accounting.
ClusterName=simbench
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$SLURMCTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/logs/slurmctld.log
SlurmdLogFile=$work/logs/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=simbench Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

say "starting slurmctld and slurmd (ports $SLURMCTLD_PORT, $SLURMD_PORT)"
slurmctld -c -f "$SLURM_CONF"
started+=("$work/slurmctld.pid")
for _ in $(seq 100); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 0.1; done
scontrol ping | grep -q UP || fail "slurmctld does not answer"
slurmd -f "$SLURM_CONF" -N "$host"
started+=("$work/slurmd.pid")
for _ in $(seq 100); do
  state=$(sinfo -h -N -n "$host" -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 0.2
done
[ "$state" = idle ] || fail "node $host is '$state', not idle"
sinfo

# The study: api-server.json at 12 arrival rates, small enough to take seconds.
sweep=(sweep scenarios/api-server.json
  --set classes.request.arrivals.poisson.rate=50..600:50
  --set classes.request.arrivals.poisson.count=2000
  --jobs 1 --quiet)

say "sbatch --array=0-$((SHARDS - 1)): simbench ${sweep[*]} --shard auto/$SHARDS"
cat >"$work/sweep.sbatch" <<EOF
#!/bin/bash
#SBATCH --job-name=simbench-sweep
#SBATCH --cpus-per-task=1
#SBATCH --output=$work/logs/task-%A_%a.out
exec "$bin" ${sweep[*]} --shard auto/$SHARDS --out "$work/shards"
EOF
job=$(sbatch --parsable --array=0-$((SHARDS - 1)) --chdir="$root" "$work/sweep.sbatch")
say "job $job submitted; waiting"
for _ in $(seq 600); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -z "$(squeue -h -j "$job")" ] || fail "job $job still queued or running after 300 s"
states=$(scontrol -o show job "$job" | grep -o 'JobState=[A-Z_]*' | sort | uniq -c)
echo "$states"
bad=$(scontrol -o show job "$job" | grep -v 'JobState=COMPLETED' || true)
[ -z "$bad" ] || { cat "$work"/logs/task-*.out >&2; fail "some tasks did not complete: $bad"; }
job=   # finished: nothing to cancel

ls "$work/shards/api-server"
count=$(find "$work/shards/api-server" -name 'sweep.shard-*-of-*.json' | wc -l)
[ "$count" = "$SHARDS" ] || fail "expected $SHARDS shard files, found $count"

say "simbench merge"
"$bin" merge "$work/shards" --out "$work/merged" --quiet
say "the same sweep unsharded"
"$bin" "${sweep[@]}" --out "$work/whole"

say "diff -r: merged shards against the whole sweep"
diff -r "$work/whole" "$work/merged"
ls "$work/merged/api-server"
say "ok: $SHARDS Slurm array tasks merged are byte for byte the whole sweep"
