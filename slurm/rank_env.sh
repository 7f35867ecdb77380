#!/bin/bash
# Runs once per rank under srun, before the harness (or the container that runs it): makes this
# node's MIOpen database and cache folders of the job (MIOPEN_USER_DB_PATH, MIOPEN_CUSTOM_CACHE_DIR,
# node-local, per job), and when LB_GPU_VISIBLE_VAR names a variable (ROCR_VISIBLE_DEVICES) gives
# the rank only the GPU whose index is its node-local rank; empty (the default) leaves every die
# visible and the harness takes the one of its local rank. Then becomes the command.
set -euo pipefail
for dir in ${MIOPEN_USER_DB_PATH:-} ${MIOPEN_CUSTOM_CACHE_DIR:-}; do
  mkdir -p "$dir" 2>/dev/null || { echo "rank_env.sh: cannot create the MIOpen folder '$dir'" >&2; exit 2; }
done
if [[ -n ${LB_GPU_VISIBLE_VAR:-} ]]; then
  if [[ -z ${SLURM_LOCALID:-} ]]; then
    echo "rank_env.sh: SLURM_LOCALID is not set: run under srun" >&2
    exit 2
  fi
  export "$LB_GPU_VISIBLE_VAR=$SLURM_LOCALID"
fi
exec "$@"
