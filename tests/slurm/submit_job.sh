#!/usr/bin/env bash
# Submits one of the real slurm/ job scripts to the test cluster with the overrides a CPU-only
# cluster of virtual nodes needs, waits for it (bounded), then runs a check on what it produced.
#
#   submit_job.sh CLUSTER SCRIPT WORKDIR HARNESS TASKS_PER_NODE [-- CHECK...]
#
# CLUSTER is the directory given to cluster.sh, SCRIPT the job script (e.g. slurm/scale_4node.sh),
# WORKDIR an empty directory to submit from (its results/ gets the results file), HARNESS the
# program the job runs (the harness, or the MPI probe). CHECK runs after the job with LB_JOB_ID,
# LB_RESULTS (the results file the job was to write) and LB_SLURM_OUT (the job's Slurm output) in
# its environment. Overrides already in the environment (e.g. LB_SUBSET) are kept.
# LB_EXPECT_FAILURE=1: the job must fail (and CHECK then looks at why).
# Exit codes: 0 passed, 1 the job or the check failed, 2 usage.
set -euo pipefail

if (($# < 5)); then
  echo "usage: submit_job.sh CLUSTER SCRIPT WORKDIR HARNESS TASKS_PER_NODE [-- CHECK...]" >&2
  exit 2
fi
cluster=$1 script=$(readlink -f "$2") workdir=$3 harness=$4 tasks_per_node=$5
shift 5
[[ ${1:-} == -- ]] && shift
here=$(cd "$(dirname "$0")" && pwd)
limit_s=${LB_TEST_JOB_LIMIT_S:-240}

eval "$("$here/cluster.sh" env "$cluster")"
rm -rf "$workdir" && mkdir -p "$workdir" && cd "$workdir"

# What differs from LUMI, and why:
# - partition, memory, time: this cluster's (the #SBATCH values are LUMI's); Slurm reads these
#   SBATCH_* variables in preference to the script's #SBATCH lines.
export SBATCH_PARTITION=$LB_TEST_PARTITION SBATCH_MEM_PER_GPU=100M SBATCH_TIMELIMIT=5
# - the harness on CPU, a tiny model, generated data; one thread per rank on one core each (the
#   analogue of LUMI's one 7-core group per GPU die), without Lmod.
export LB_HARNESS=$harness LB_DEVICE=${LB_DEVICE:-cpu} LB_MODEL=${LB_MODEL:-vit_micro} LB_DATA=${LB_DATA:-synthetic}
export LB_CPU_BIND=${LB_CPU_BIND-mask_cpu:0x1,0x2} LB_MODULES=""
# - Open MPI (--launcher mpi) is started through PMIx (Debian's Slurm has the pmix plugin;
#   cray_shasta is LUMI's).
export LB_SRUN_MPI=pmix
# - the virtual nodes' names (lbn1...) resolve nowhere: the env launcher's store is on loopback.
export MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
# - all virtual nodes are one host: Open MPI's shared-memory transport names its segments after the
#   host and the node-local rank, so ranks of different virtual nodes would share (and corrupt)
#   them. TCP over loopback only. Ranks outnumber cores, so they yield while waiting.
export OMPI_MCA_btl=self,tcp OMPI_MCA_btl_tcp_if_include=lo OMPI_MCA_mpi_yield_when_idle=1

# Polled here rather than with `sbatch --wait`, whose back-off adds up to 10 s to each short job.
# LB_SBATCH_NODES: a node count for scripts without one; LB_JOB_ARGS: the script's arguments.
node_args=()
[[ -n ${LB_SBATCH_NODES:-} ]] && node_args=(--nodes="$LB_SBATCH_NODES")
# shellcheck disable=SC2206  # split on spaces, as documented
job_args=(${LB_JOB_ARGS:-})
job_id=$(sbatch --parsable "${node_args[@]}" --ntasks-per-node="$tasks_per_node" --cpus-per-task=1 "$script" "${job_args[@]}") || {
  echo "FAIL: sbatch did not accept $script"; exit 1; }
job_id=${job_id%%;*}
job_status=124
for ((waited = 0; waited < limit_s * 4; waited++)); do
  info=$(scontrol show job -o "$job_id" 2>/dev/null || true)
  state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$info")
  case "$state" in
    COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL|OUT_OF_MEMORY|PREEMPTED|BOOT_FAIL|DEADLINE)
      # ExitCode=<code>:<signal>; a job ended by a signal counts as failed.
      exit_code=$(sed -n 's/.* ExitCode=\([0-9]*\):\([0-9]*\).*/\1 \2/p' <<<"$info")
      read -r code signal <<<"${exit_code:-1 0}"
      job_status=$code
      ((signal != 0 && job_status == 0)) && job_status=1
      [[ $state != COMPLETED && $job_status == 0 ]] && job_status=1
      break ;;
  esac
  sleep 0.25
done
job_name=$(sed -n 's/^#SBATCH --job-name=//p' "$script")
export LB_JOB_ID=$job_id
export LB_RESULTS=$workdir/results/$job_name-$job_id.h5
export LB_SLURM_OUT=$workdir/$job_name-$job_id.out

show_output() {
  echo "--- Slurm output ($LB_SLURM_OUT) ---"
  cat "$LB_SLURM_OUT" 2>/dev/null || echo "(none)"
  echo "--- job ---"
  scontrol show job "$job_id" 2>/dev/null | head -n 30 || true
}

if ((job_status == 124)); then
  echo "FAIL: job $job_id did not end within ${limit_s}s; cancelling it"
  scancel "$job_id" 2>/dev/null || true
  show_output
  exit 1
fi
if [[ ${LB_EXPECT_FAILURE:-0} == 1 ]]; then
  if ((job_status == 0)); then
    echo "FAIL: job $job_id succeeded but was expected to fail"; show_output; exit 1
  fi
  echo "job $job_id failed as expected (exit $job_status)"
elif ((job_status != 0)); then
  echo "FAIL: job $job_id exited with $job_status"
  show_output
  exit 1
else
  echo "job $job_id completed; results: $LB_RESULTS"
fi
if (($#)); then
  if ! "$@"; then
    show_output
    exit 1
  fi
fi
