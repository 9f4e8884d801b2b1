#!/usr/bin/env bash
# The explore performance target, measured side by side: wall time of the whole
# `defsim explore benches/explore-100.toml` process (100 policies x 20,000 trials, outputs
# and plots included) against one `defsim run scenarios/baseline.toml --trials 2000000`
# (outputs and plots included), alternating, REPS pairs (default 3). Prints each pair's
# times and ratio (explore / run) and the median ratio; the target is <= 1.2.
# Usage: benches/explore-vs-run.sh [REPS]
set -euo pipefail
cd "$(dirname "$0")/.."
reps=${1:-3}
PKG_CONFIG=/bin/false cargo build --release --quiet
bin=target/release/defsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
secs() { local s; s=$(date +%s.%N); "$@" >/dev/null; echo "$(date +%s.%N) - $s" | bc; }
ratios=()
for rep in $(seq "$reps"); do
  e=$(secs "$bin" --quiet explore benches/explore-100.toml --out "$out/e")
  r=$(secs "$bin" --quiet run scenarios/baseline.toml --trials 2000000 --out "$out/r")
  ratio=$(echo "scale=3; $e / $r" | bc)
  ratios+=("$ratio")
  printf 'pair %s: explore 100x20000 %.2fs, run 2000000 %.2fs, ratio %s\n' "$rep" "$e" "$r" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (reps + 1) / 2 ))p")
echo "median ratio explore/run: $median (target <= 1.2)"
