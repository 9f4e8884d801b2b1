#!/usr/bin/env bash
# Submit a sharded defsim run to Slurm: an array of N shards, then a merge job that starts only
# when every shard succeeded (afterok) and is cancelled, not left pending, if one fails
# (--kill-on-invalid-dep=yes).
#
#   deploy/slurm/submit.sh SCENARIO N PARTS_DIR OUT_DIR [run options, e.g. --trials 100000000]
#
# Prints the array's and the merge job's ids. Extra sbatch options (partition, account, time)
# go in SBATCH_* environment variables or in SBATCH_EXTRA, e.g. SBATCH_EXTRA="--partition=long".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scenario=${1:?usage: submit.sh SCENARIO N PARTS_DIR OUT_DIR [run options]}
n=${2:?number of shards}
parts=${3:?folder of the parts}
out=${4:?output folder}
shift 4
read -r -a extra <<<"${SBATCH_EXTRA:-}"
array=$(sbatch --parsable "${extra[@]}" --array=0-$((n - 1)) --job-name=defsim-shard \
    "$here/defsim-array.sbatch" shard "$scenario" "$parts" "$@")
array=${array%%;*}
merge=$(sbatch --parsable "${extra[@]}" --job-name=defsim-merge \
    --output=defsim-merge-%j.out --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
    "$here/defsim-array.sbatch" merge "$parts" "$n" "$out")
merge=${merge%%;*}
echo "array $array merge $merge"
