#!/bin/bash
# ViT-B/16 training on 1 LUMI-G node (8 GPU dies per node, one rank per die). Submit from the project
# root:  sbatch slurm/scale_1node.sh   (account: export SBATCH_ACCOUNT=project_... or sbatch -A ...)
# Every value below and in common.sh can be overridden; see docs/lumi.md.
#SBATCH --job-name=lb-scale-1node
#SBATCH --partition=standard-g
#SBATCH --nodes=1
#SBATCH --gpus-per-node=8
#SBATCH --ntasks-per-node=8
#SBATCH --cpus-per-task=7
#SBATCH --mem-per-gpu=60G
#SBATCH --time=01:00:00
# SIGUSR1 to every rank 120 s before the time limit: the harness stops after the current step and
# records the run as interrupted (docs/harness.md, exit code 138), well inside the limit.
#SBATCH --signal=USR1@120
#SBATCH --output=%x-%j.out
set -euo pipefail
LB_JOB_LABEL=scale_1node
# sbatch runs a copy of this file from Slurm's spool directory: common.sh sits next to the original.
if [[ -z ${LB_SLURM_DIR:-} ]]; then
  if [[ -f $(dirname "$0")/common.sh ]]; then
    LB_SLURM_DIR=$(cd "$(dirname "$0")" && pwd)
  else
    LB_SLURM_DIR=$(dirname "$(scontrol show job "${SLURM_JOB_ID:-}" | sed -n 's/^ *Command=//p')")
  fi
fi
# shellcheck source=common.sh
source "$LB_SLURM_DIR/common.sh"
