#!/usr/bin/env bash
# slurm/first_run.sh end to end on the test cluster, with stand-ins for what only LUMI has: the
# image is an empty file, `singularity run [--bind ...] IMAGE CMD...` runs CMD as it is, the
# harness is the one built here (--skip-build), dev-g is the test partition. It must submit a
# 1-node and a 2-node job, wait for both and print their throughput, transport and scaling.
#   first_run_test.sh CLUSTER SLURM_DIR HARNESS WORKDIR
# Exit codes: 0 passed, 1 failed, 2 usage.
set -euo pipefail
(($# == 4)) || { echo "usage: first_run_test.sh CLUSTER SLURM_DIR HARNESS WORKDIR" >&2; exit 2; }
cluster=$1 slurm=$2 harness=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
eval "$("$here/cluster.sh" env "$cluster")"
rm -rf "$work" && mkdir -p "$work/bin"
cat >"$work/bin/singularity" <<'STANDIN'
#!/bin/bash
# Stand-in: singularity run|exec [--bind PATHS] IMAGE COMMAND...
shift
[[ ${1:-} == --bind ]] && shift 2
shift
exec "$@"
STANDIN
chmod +x "$work/bin/singularity"
ln -s /usr/bin/python3 "$work/bin/python3"  # the image's Python has h5py; here Debian's does
: >"$work/image.sif"
export PATH=$work/bin:$PATH
export LB_CONTAINER=$work/image.sif LB_HARNESS=$harness SBATCH_ACCOUNT=lbtest-project
export SBATCH_PARTITION=$LB_TEST_PARTITION SBATCH_MEM_PER_GPU=100M SBATCH_TIMELIMIT=5
export LB_SBATCH_ARGS="--ntasks-per-node=2 --cpus-per-task=1"
export LB_DEVICE=cpu LB_MODEL=vit_micro LB_CPU_BIND=mask_cpu:0x1,0x2 LB_MODULES="" MASTER_ADDR=127.0.0.1
export LB_FIRST_DIR=$work/jobs LB_FIRST_STEPS=6 LB_BATCH_SIZE=2 LB_SUBSET=64 LB_FIRST_WAIT_S=240 LB_ROOT
LB_ROOT=$(cd "$slurm/.." && pwd)
out=$(cd "$work" && "$slurm/first_run.sh" --skip-build 2>&1) || { echo "FAIL: first_run.sh exited $?"; echo "$out"; exit 1; }
echo "$out"
failures=0
for pattern in "first_run: 1 node: completed, 2 ranks on 1 node(s)" "first_run: 2 nodes: completed, 4 ranks on 2 node(s)" \
  "first_run: scaling 1 -> 2 nodes:" "between nodes Gloo (TCP)" "VERDICT: between nodes the gradients went over 'Gloo (TCP)'"; do
  if [[ $out != *"$pattern"* ]]; then echo "FAIL: expected '$pattern'"; failures=$((failures + 1)); fi
done
((failures == 0)) && echo "first_run: all expected lines present"
((failures == 0))
