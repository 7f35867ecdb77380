#!/bin/bash
# Runs once per rank under srun, before the harness: gives the rank the one GPU whose index is its
# node-local rank (LUMI: ROCR_VISIBLE_DEVICES=SLURM_LOCALID, so that with the CPU masks of
# common.sh each rank sits next to its GPU die), then becomes the harness (or the container).
# LB_GPU_VISIBLE_VAR names the variable (empty: devices are left as Slurm set them).
set -euo pipefail
if [[ -n ${LB_GPU_VISIBLE_VAR:-} ]]; then
  if [[ -z ${SLURM_LOCALID:-} ]]; then
    echo "rank_env.sh: SLURM_LOCALID is not set: run under srun" >&2
    exit 2
  fi
  export "$LB_GPU_VISIBLE_VAR=$SLURM_LOCALID"
fi
exec "$@"
