#!/bin/bash
# A job for the test cluster: multi-rank training against single-rank training
# (tests/device/ddp_equivalence.cpp) started by srun under either launcher, so that both launchers
# pass the equivalence test on a Slurm cluster, ranks on several (virtual) nodes.
#   sbatch --nodes=N --ntasks-per-node=T equivalence_job.sh PROGRAM LAUNCHER [SRUN_MPI]
#SBATCH --job-name=lb-equivalence
# GPUs as the scale scripts ask for them (the test cluster schedules memory per GPU).
#SBATCH --gpus-per-node=2
#SBATCH --output=%x-%j.out
set -euo pipefail
program=$1 launcher=$2 srun_mpi=${3:-}
args=(--kill-on-bad-exit=1)
[[ $launcher == mpi && -n $srun_mpi ]] && args+=(--mpi="$srun_mpi")
if [[ $launcher == env ]]; then
  export MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
  export MASTER_PORT=${MASTER_PORT:-$((10000 + SLURM_JOB_ID % 10000))}
fi
srun "${args[@]}" "$program" adam --launcher "$launcher" --backend gloo
