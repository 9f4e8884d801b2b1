#!/usr/bin/env bash
# The explore performance target, measured side by side: wall time of the whole
# `defsim explore benches/explore-100.toml` process (100 policies x 20,000 trials, outputs
# and plots included) against one `defsim run scenarios/baseline.toml --trials 2000000`
# (outputs and plots included), alternating, REPS pairs (default 3). Prints each pair's
# wall and CPU (user + system, all threads) times and ratios (explore / run) and the median
# ratios; the target is <= 1.2. On a machine shared with other jobs the CPU ratio is the
# steadier of the two.
# Usage: benches/explore-vs-run.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
PKG_CONFIG=/bin/false cargo build --release --quiet
bin=target/release/defsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
# "wall cpu" seconds of a command (bash's time: real, and user + sys of the children).
secs() {
  local TIMEFORMAT='%R %U %S' t
  t=$( { time "$@" >/dev/null 2>&1; } 2>&1 )
  read -r real user sys <<<"$t"
  echo "$real $(echo "$user + $sys" | bc)"
}
walls=()
cpus=()
for rep in $(seq "$reps"); do
  read -r ew ec <<<"$(secs "$bin" --quiet explore benches/explore-100.toml --out "$out/e")"
  read -r rw rc <<<"$(secs "$bin" --quiet run scenarios/baseline.toml --trials 2000000 --out "$out/r")"
  wall=$(echo "scale=3; $ew / $rw" | bc)
  cpu=$(echo "scale=3; $ec / $rc" | bc)
  walls+=("$wall")
  cpus+=("$cpu")
  echo "pair $rep: explore 100x20000 wall ${ew}s cpu ${ec}s; run 2000000 wall ${rw}s cpu ${rc}s; ratio wall $wall cpu $cpu"
done
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
echo "median ratio explore/run: wall $(median "${walls[@]}"), cpu $(median "${cpus[@]}") (target <= 1.2)"
