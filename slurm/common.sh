# shellcheck shell=bash
# The part every scale_*.sh job shares: read the settings, check them, and start one harness rank
# per task with srun. Sourced by the job scripts after they set LB_SLURM_DIR; not run on its own.
#
# Every LUMI-specific value is an environment variable with the LUMI default below, so the same
# scripts run on another Slurm cluster. docs/lumi.md lists them all with examples.
#
# Exit codes: the harness's own code when it ran; 2 when a setting is wrong or the script is not
# inside a Slurm job (nothing was started).

lb_fail() {
  echo "${LB_JOB_LABEL:-slurm}: $*" >&2
  exit 2
}

# --- Settings -----------------------------------------------------------------------------------
LB_ROOT=${LB_ROOT:-$(cd "$LB_SLURM_DIR/.." && pwd)}
LB_HARNESS=${LB_HARNESS:-$LB_ROOT/build/lumi/harness/harness}
LB_DEVICE=${LB_DEVICE:-rocm}
LB_MODEL=${LB_MODEL:-vit_b_16}
LB_DATA=${LB_DATA:-$LB_ROOT/data/tiny-imagenet.h5}
LB_OUTPUT_DIR=${LB_OUTPUT_DIR:-${SLURM_SUBMIT_DIR:-$PWD}/results}
LB_THREADS=${LB_THREADS:-${SLURM_CPUS_PER_TASK:-1}}
# Training options passed only when set, so that the harness's own defaults apply otherwise.
LB_EPOCHS=${LB_EPOCHS:-}
LB_BATCH_SIZE=${LB_BATCH_SIZE:-}
LB_SUBSET=${LB_SUBSET:-}
LB_MAX_STEPS=${LB_MAX_STEPS:-}
LB_SEED=${LB_SEED:-}
LB_HARNESS_ARGS=${LB_HARNESS_ARGS:-}
# LUMI-G: one 7-core group per GPU die, in the order of the dies' distance to the cores (the GCD
# behind ROCR_VISIBLE_DEVICES=i is closest to the i-th mask). "none" or empty: no binding option.
LB_CPU_BIND=${LB_CPU_BIND-mask_cpu:fe000000000000,fe00000000000000,fe0000,fe000000,fe,fe00,fe00000000,fe0000000000}
# Each rank sees only the GPU whose index is its node-local rank. Empty: leave devices alone.
LB_GPU_VISIBLE_VAR=${LB_GPU_VISIBLE_VAR-ROCR_VISIBLE_DEVICES}
# Cray MPICH reads device buffers directly only with this set (LUMI needs it for GPU-aware MPI).
export MPICH_GPU_SUPPORT_ENABLED=${MPICH_GPU_SUPPORT_ENABLED-1}
# Gradients travel through RCCL (c10d's NCCL process group on ROCm), as PyTorch DDP's do: over the
# Slingshot NICs (hsn0..hsn3) through the aws-ofi-rccl plugin, GPU memory read directly by the NIC
# where the topology allows (LUMI's documented settings). Gloo (CPU runs) uses the same network.
# Set only where the nodes have those NICs, so the scripts run unchanged on other clusters.
if [[ -e /sys/class/net/hsn0 ]]; then
  export NCCL_SOCKET_IFNAME=${NCCL_SOCKET_IFNAME-hsn0,hsn1,hsn2,hsn3}
  export NCCL_NET_GDR_LEVEL=${NCCL_NET_GDR_LEVEL-PHB}
  export GLOO_SOCKET_IFNAME=${GLOO_SOCKET_IFNAME-hsn0}
fi
# srun's PMI plugin; empty = the cluster's default (cray_shasta on LUMI). Open MPI needs pmix.
LB_SRUN_MPI=${LB_SRUN_MPI:-}
LB_SRUN_ARGS=${LB_SRUN_ARGS:-}
# Native runs load these modules (if the `module` command exists); a container run loads none.
LB_MODULES=${LB_MODULES-LUMI/24.03 partition/G rocm cray-hdf5}
# A Singularity/Apptainer image runs the harness when set; the project and data must be bound in.
LB_CONTAINER=${LB_CONTAINER:-}
LB_CONTAINER_CMD=${LB_CONTAINER_CMD:-singularity}
LB_CONTAINER_BINDS=${LB_CONTAINER_BINDS-/pfs,/scratch,/projappl,/project,/flash,/appl}
LB_DRY_RUN=${LB_DRY_RUN:-0}

# --- Checks -------------------------------------------------------------------------------------
if [[ -z ${SLURM_JOB_ID:-} && $LB_DRY_RUN != 1 ]]; then
  lb_fail "not inside a Slurm job: submit with 'sbatch $LB_SLURM_DIR/${LB_JOB_LABEL:-scale_Nnode}.sh' (or set LB_DRY_RUN=1 to print the launch)"
fi
case "$LB_DEVICE" in cpu|cuda|rocm) ;; *)
  lb_fail "LB_DEVICE='$LB_DEVICE': expected cpu, cuda or rocm" ;;
esac
for setting in LB_THREADS LB_EPOCHS LB_BATCH_SIZE LB_MAX_STEPS LB_SEED; do
  value=${!setting}
  [[ -z $value || $value =~ ^[0-9]+$ ]] || lb_fail "$setting='$value': expected a whole number"
done
if [[ -n $LB_CONTAINER ]]; then
  [[ -f $LB_CONTAINER ]] || lb_fail "LB_CONTAINER='$LB_CONTAINER': no such image file"
  if [[ $LB_DRY_RUN != 1 ]] && ! command -v "$LB_CONTAINER_CMD" >/dev/null; then
    lb_fail "LB_CONTAINER_CMD='$LB_CONTAINER_CMD': command not found"
  fi
elif [[ ! -x $LB_HARNESS ]]; then
  # Inside a container the harness path is the container's, so it is only checked natively.
  lb_fail "LB_HARNESS='$LB_HARNESS': not an executable file (build with the lumi preset or set LB_HARNESS)"
fi
if [[ $LB_DATA != synthetic && ! -f $LB_DATA ]]; then
  lb_fail "LB_DATA='$LB_DATA': no such file (an HDF5 file with images and labels, or 'synthetic')"
fi

if [[ $LB_DRY_RUN != 1 ]]; then
  # Before the container's bind list is made: only existing paths are bound.
  mkdir -p "$LB_OUTPUT_DIR" 2>/dev/null ||
    lb_fail "LB_OUTPUT_DIR='$LB_OUTPUT_DIR': cannot create the directory"
fi

# --- Environment --------------------------------------------------------------------------------
if [[ -z $LB_CONTAINER && -n $LB_MODULES ]]; then
  # A batch shell is not a login shell: Lmod's function comes from the submitting shell, or here.
  if ! type module >/dev/null 2>&1 && [[ -n ${LMOD_PKG:-} && -f $LMOD_PKG/init/bash ]]; then
    # shellcheck disable=SC1091
    source "$LMOD_PKG/init/bash"
  fi
  if type module >/dev/null 2>&1; then
    # shellcheck disable=SC2086  # a list of module names
    module load $LB_MODULES || lb_fail "LB_MODULES='$LB_MODULES': module load failed"
  else
    echo "$LB_JOB_LABEL: no 'module' command here; LB_MODULES ($LB_MODULES) not loaded" >&2
  fi
fi
export OMP_NUM_THREADS=$LB_THREADS
export LB_GPU_VISIBLE_VAR

# --- Launch -------------------------------------------------------------------------------------
job_id=${SLURM_JOB_ID:-dryrun}
job_name=${SLURM_JOB_NAME:-$LB_JOB_LABEL}
results=$LB_OUTPUT_DIR/$job_name-$job_id.h5

harness_args=(--device "$LB_DEVICE" --model "$LB_MODEL" --data "$LB_DATA"
  --threads "$LB_THREADS" --output "$results")
[[ -n $LB_EPOCHS ]] && harness_args+=(--epochs "$LB_EPOCHS")
[[ -n $LB_BATCH_SIZE ]] && harness_args+=(--batch-size "$LB_BATCH_SIZE")
[[ -n $LB_SUBSET ]] && harness_args+=(--subset "$LB_SUBSET")
[[ -n $LB_MAX_STEPS ]] && harness_args+=(--max-steps "$LB_MAX_STEPS")
[[ -n $LB_SEED ]] && harness_args+=(--seed "$LB_SEED")
# shellcheck disable=SC2206  # extra arguments are split on spaces, as documented
[[ -n $LB_HARNESS_ARGS ]] && harness_args+=($LB_HARNESS_ARGS)

# A rank that dies without MPI_Abort (a crash) ends the step at once instead of leaving the other
# ranks waiting in a collective until the time limit.
srun_args=(--kill-on-bad-exit=1)
[[ -n ${SLURM_CPUS_PER_TASK:-} ]] && srun_args+=(--cpus-per-task="$SLURM_CPUS_PER_TASK")
[[ -n $LB_CPU_BIND && $LB_CPU_BIND != none ]] && srun_args+=(--cpu-bind="$LB_CPU_BIND")
[[ -n $LB_SRUN_MPI ]] && srun_args+=(--mpi="$LB_SRUN_MPI")
# shellcheck disable=SC2206
[[ -n $LB_SRUN_ARGS ]] && srun_args+=($LB_SRUN_ARGS)

container=()
if [[ -n $LB_CONTAINER ]]; then
  container=("$LB_CONTAINER_CMD" exec)
  binds=$LB_ROOT,$LB_OUTPUT_DIR${LB_CONTAINER_BINDS:+,$LB_CONTAINER_BINDS}
  [[ $LB_DATA != synthetic ]] && binds+=,$(dirname "$LB_DATA")
  # Bind only what exists: singularity refuses a missing source directory.
  existing=()
  IFS=, read -r -a wanted <<<"$binds"
  for path in "${wanted[@]}"; do [[ -e $path ]] && existing+=("$path"); done
  ((${#existing[@]})) && container+=(--bind "$(IFS=,; echo "${existing[*]}")")
  container+=("$LB_CONTAINER")
fi

launch=(srun "${srun_args[@]}" "$LB_SLURM_DIR/rank_env.sh" "${container[@]}" "$LB_HARNESS"
  "${harness_args[@]}")

echo "$LB_JOB_LABEL: job $job_id on ${SLURM_JOB_NUM_NODES:-?} nodes (${SLURM_JOB_NODELIST:-?}), ${SLURM_NTASKS:-?} ranks"
echo "$LB_JOB_LABEL: results -> $results"
echo "$LB_JOB_LABEL: environment: OMP_NUM_THREADS=$OMP_NUM_THREADS" \
  "MPICH_GPU_SUPPORT_ENABLED=$MPICH_GPU_SUPPORT_ENABLED NCCL_SOCKET_IFNAME=${NCCL_SOCKET_IFNAME:-}" \
  "GLOO_SOCKET_IFNAME=${GLOO_SOCKET_IFNAME:-} per-rank GPU variable: ${LB_GPU_VISIBLE_VAR:-none}"
printf '%s: launch:' "$LB_JOB_LABEL"; printf ' %q' "${launch[@]}"; echo
if [[ $LB_DRY_RUN == 1 ]]; then
  exit 0
fi
start=$(date +%s)
status=0
"${launch[@]}" || status=$?
echo "$LB_JOB_LABEL: harness exited with $status after $(($(date +%s) - start)) s; results: $results"
exit "$status"
