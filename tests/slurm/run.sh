#!/usr/bin/env bash
# Integration test: a sharded defsim run on a real, private, one-node Slurm cluster.
#
# Installs Slurm and MUNGE from the distribution's packages where absent (Debian, as root),
# touches nothing in /etc: MUNGE runs with its own socket, fresh random key, pid, log and seed
# files, and Slurm with a private slurm.conf (SLURM_CONF and -f) whose state and spool folders
# sit in a temporary folder, on ports that were free a moment before. slurmctld and slurmd run
# in the foreground (-D) in the background of this script; their PIDs are recorded and killed
# at the end and on any failure (trap), never by name. Then deploy/slurm/submit.sh submits an
# array of 4 shards (with both trial tables) and the merge job, and the merged summary.json,
# trials.csv and trials.parquet must equal, byte for byte, those of a local
# `defsim run --streaming` of the same scenario, seed and trials.
#
# If Slurm cannot be installed or started, the test says why and fails: it never skips.
#
#   tests/slurm/run.sh [path/to/defsim]      (default: target/release/defsim, built if absent)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
defsim=${1:-$repo/target/release/defsim}
trials=${DEFSIM_SLURM_TRIALS:-60000}
shards=4
budget=${DEFSIM_SLURM_TIMEOUT:-240}

fail() {
    echo "tests/slurm/run.sh: FAILED: $*" >&2
    exit 1
}

if [ ! -x "$defsim" ]; then
    (cd "$repo" && cargo build --release --locked --bin defsim) || fail "cannot build defsim"
fi
defsim=$(cd "$(dirname "$defsim")" && pwd)/$(basename "$defsim")

need=()
for tool in slurmctld slurmd sbatch squeue sinfo scontrol munged; do
    command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "tests/slurm/run.sh: installing slurm-wlm and munge (missing: ${need[*]})" >&2
    [ "$(id -u)" = 0 ] || fail "Slurm is not installed and this is not root: cannot apt-get install slurm-wlm munge"
    command -v apt-get >/dev/null 2>&1 || fail "Slurm is not installed and there is no apt-get"
    export DEBIAN_FRONTEND=noninteractive
    (apt-get update -qq && apt-get install -y -qq slurm-wlm munge) >&2 ||
        fail "apt-get install -y slurm-wlm munge failed"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/defsim-slurm.XXXXXX")
pids=()
cleanup() {
    local status=$?
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null || true
    done
    if [ "$status" != 0 ]; then
        echo "---- logs of the failed Slurm test ($tmp) ----" >&2
        for f in "$tmp"/log/* "$tmp"/work/*.out; do
            [ -f "$f" ] && { echo "== $f" >&2; tail -n 40 "$f" >&2; }
        done
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null ||
        shuf -i 20000-60000 -n 1
}
port_in_use() { ss -ltn 2>/dev/null | awk '{print $4}' | grep -q ":$1\$"; }

mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool" "$tmp/log" "$tmp/work"
chmod 700 "$tmp/munge"
head -c 1024 /dev/urandom >"$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
socket=$tmp/munge/munge.socket
munged --foreground --force --socket="$socket" --key-file="$tmp/munge/munge.key" \
    --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/log/munged.log" \
    --seed-file="$tmp/munge/munged.seed" >"$tmp/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
[ -S "$socket" ] || fail "munged did not create its socket $socket"

ctld_port=$(free_port)
slurmd_port=$(free_port)
while [ "$slurmd_port" = "$ctld_port" ] || port_in_use "$slurmd_port"; do slurmd_port=$(free_port); done
host=$(hostname -s)
: >"$tmp/plugstack.conf"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=defsimtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
PlugStackConfig=$tmp/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" >"$tmp/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -f "$SLURM_CONF" >"$tmp/log/slurmd.out" 2>&1 &
pids+=($!)
up=
for _ in $(seq 120); do
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || fail "a Slurm or MUNGE daemon exited at start-up (see its log below)"; done
    if sinfo -h -o %T 2>/dev/null | grep -qx idle; then up=1; break; fi
    sleep 0.5
done
[ -n "$up" ] || fail "the node did not become idle within 60 s: $(sinfo 2>&1 | tr '\n' ' ')"
echo "tests/slurm/run.sh: one-node cluster up ($host, slurmctld :$ctld_port, slurmd :$slurmd_port)" >&2

scenario=$repo/scenarios/baseline.toml
parts=$tmp/work/parts
out=$tmp/work/merged
export DEFSIM=$defsim
ids=$(SBATCH_EXTRA="--chdir=$tmp/work --cpus-per-task=1" \
    "$repo/deploy/slurm/submit.sh" "$scenario" "$shards" "$parts" "$out" --trials "$trials" \
    --trials-csv --trials-parquet)
echo "tests/slurm/run.sh: submitted $ids" >&2
array=$(awk '{print $2}' <<<"$ids")
merge=$(awk '{print $4}' <<<"$ids")
[ -n "$array" ] && [ -n "$merge" ] || fail "submit.sh printed no job ids: $ids"

# Local reference run while Slurm works.
"$defsim" run "$scenario" --streaming --trials "$trials" --trials-csv --trials-parquet \
    --out "$tmp/work/local" >/dev/null

deadline=$((SECONDS + budget))
while squeue -h -j "$array,$merge" 2>/dev/null | grep -q .; do
    [ "$SECONDS" -lt "$deadline" ] || fail "jobs still queued or running after $budget s: $(squeue 2>&1 | tr '\n' ' ')"
    sleep 1
done
state=$(scontrol show job "$merge" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | head -n 1 || true)
[ -f "$out/summary.json" ] || fail "the merge job ($state) wrote no $out/summary.json"
for k in $(seq 0 $((shards - 1))); do
    [ -f "$parts/part-$k-of-$shards.defsim" ] || fail "no part $k of $shards"
done
ls "$tmp/work"/defsim-*.out >/dev/null 2>&1 || fail "no job output files in $tmp/work"
for f in summary.json trials.csv trials.parquet; do
    cmp "$out/$f" "$tmp/work/local/$f" ||
        fail "merged $f differs from the local --streaming run"
done
for f in report.html summary.csv timeseries.csv run.json; do
    [ -s "$out/$f" ] || fail "the merge wrote no $f"
done
echo "tests/slurm/run.sh: ok: $shards shards of $trials trials merged on Slurm, summary.json, trials.csv and trials.parquet identical to the local --streaming run ($SECONDS s)" >&2
