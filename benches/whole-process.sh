#!/usr/bin/env bash
# Wall time and peak memory of the whole `defsim run` process (parse, simulate, statistics,
# write) for 1,000,000 trials of the baseline, on 1 thread and on 2 threads.
# Usage: benches/whole-process.sh [TRIALS]   (needs GNU time at /usr/bin/time for peak memory)
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-1000000}
cargo build --release --quiet
bin=target/release/defsim
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for threads in 1 2; do
  for rep in 1 2 3; do
    if [ -x /usr/bin/time ]; then
      /usr/bin/time -f "threads=$threads rep=$rep wall=%es peak_rss=%MkB" \
        "$bin" run scenarios/baseline.toml --trials "$trials" --threads "$threads" --out "$out/r" >/dev/null
    else
      start=$(date +%s.%N)
      "$bin" run scenarios/baseline.toml --trials "$trials" --threads "$threads" --out "$out/r" >/dev/null
      echo "threads=$threads rep=$rep wall=$(echo "$(date +%s.%N) - $start" | bc)s"
    fi
    grep -E '"simulate_seconds"' "$out/r/run.json" | sed "s/^ */  threads=$threads rep=$rep /"
  done
done
