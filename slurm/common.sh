# shellcheck shell=bash
# The part every scale_*.sh job shares: read the settings, check them, set the LUMI environment and
# start one harness rank per task with srun. Sourced by the job scripts after they set
# LB_SLURM_DIR; not run on its own.
#
# Two routes, the container route first, as the LUMI AI guide does it:
#  - container: each rank runs the harness inside LUMI's PyTorch ROCm image (LB_CONTAINER), built
#    against that PyTorch's own LibTorch (slurm/build_container.sh); ranks find each other through
#    Slurm's variables and a c10d store (--launcher env): no MPI at all;
#  - native: a harness built with the Cray environment (cmake --preset lumi), --launcher env or mpi.
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
# The image the LUMI AI guide uses (PyTorch 2.10 on ROCm 7.0): the container route when it is there.
LB_GUIDE_IMAGE=${LB_GUIDE_IMAGE:-/appl/local/laifs/containers/lumi-multitorch-u24r70f21m50t210-20260415_130625/lumi-multitorch-full-u24r70f21m50t210-20260415_130625.sif}
if [[ -z ${LB_CONTAINER+set} ]]; then
  LB_CONTAINER=""
  [[ -f $LB_GUIDE_IMAGE ]] && LB_CONTAINER=$LB_GUIDE_IMAGE
fi
if [[ -n $LB_CONTAINER ]]; then
  LB_HARNESS=${LB_HARNESS:-$LB_ROOT/build/lumi-container/harness/harness}
  # The guide's module: binds the host's Slingshot (libfabric/CXI) libraries into LUMI's images,
  # which is how their RCCL network plugin reaches the NICs.
  LB_MODULE_PATH=${LB_MODULE_PATH-/appl/local/laifs/modules}
  LB_MODULES=${LB_MODULES-lumi-aif-singularity-bindings}
else
  LB_HARNESS=${LB_HARNESS:-$LB_ROOT/build/lumi/harness/harness}
  LB_MODULE_PATH=${LB_MODULE_PATH-}
  # A native RCCL needs the aws-ofi-rccl plugin too: add its module here (docs/lumi.md).
  LB_MODULES=${LB_MODULES-LUMI/24.03 partition/G rocm cray-hdf5}
fi
LB_LAUNCHER=${LB_LAUNCHER:-env}
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
LB_REQUIRE_FAST_NETWORK=${LB_REQUIRE_FAST_NETWORK:-0}
# LUMI-G: one 7-core group per GPU die, the i-th mask the group closest to die i (the guide's
# masks; core 0 of each group of 8 is the system's). "none" or empty: no binding option.
LB_CPU_BIND=${LB_CPU_BIND-mask_cpu:fe000000000000,fe00000000000000,fe0000,fe000000,fe,fe00,fe00000000,fe0000000000}
# Empty (the guide's way): every die stays visible and each rank takes the one of its local rank, so
# RCCL sees the direct links between dies. A variable name (ROCR_VISIBLE_DEVICES): each rank sees
# only die SLURM_LOCALID.
LB_GPU_VISIBLE_VAR=${LB_GPU_VISIBLE_VAR-}
# srun's PMI plugin for --launcher mpi; empty = the cluster's default (cray_shasta on LUMI).
LB_SRUN_MPI=${LB_SRUN_MPI:-}
LB_SRUN_ARGS=${LB_SRUN_ARGS:-}
LB_CONTAINER_CMD=${LB_CONTAINER_CMD:-singularity}
# `run`, as the guide starts its images (their runscript sets the Python environment up).
LB_CONTAINER_RUN=${LB_CONTAINER_RUN:-run}
LB_CONTAINER_BINDS=${LB_CONTAINER_BINDS-/pfs,/scratch,/projappl,/project,/flash,/appl}
# Folds the journals of a harness built without HDF5 into the results file after the run.
LB_ANALYZE=${LB_ANALYZE:-$LB_ROOT/build/cpu/analysis/analyze}
LB_DRY_RUN=${LB_DRY_RUN:-0}

# --- Checks -------------------------------------------------------------------------------------
if [[ -z ${SLURM_JOB_ID:-} && $LB_DRY_RUN != 1 ]]; then
  lb_fail "not inside a Slurm job: submit with 'sbatch $LB_SLURM_DIR/${LB_JOB_LABEL:-scale_Nnode}.sh' (or set LB_DRY_RUN=1 to print the launch)"
fi
case "$LB_DEVICE" in cpu|cuda|rocm) ;; *)
  lb_fail "LB_DEVICE='$LB_DEVICE': expected cpu, cuda or rocm" ;;
esac
case "$LB_LAUNCHER" in env|mpi) ;; *)
  lb_fail "LB_LAUNCHER='$LB_LAUNCHER': expected env (Slurm's rank variables, no MPI) or mpi" ;;
esac
case "$LB_REQUIRE_FAST_NETWORK" in 0|1) ;; *)
  lb_fail "LB_REQUIRE_FAST_NETWORK='$LB_REQUIRE_FAST_NETWORK': expected 0 or 1" ;;
esac
case "$LB_CONTAINER_RUN" in run|exec) ;; *)
  lb_fail "LB_CONTAINER_RUN='$LB_CONTAINER_RUN': expected run or exec" ;;
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
  # The harness is built into the checkout, which is bound into the container at the same path.
  [[ $LB_DRY_RUN == 1 || -x $LB_HARNESS ]] ||
    lb_fail "LB_HARNESS='$LB_HARNESS': not an executable file (build it in the image: slurm/build_container.sh)"
elif [[ ! -x $LB_HARNESS ]]; then
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

# --- Environment (each setting with its reason) -------------------------------------------------
if [[ -n $LB_MODULES ]]; then
  # A batch shell is not a login shell: Lmod's function comes from the submitting shell, or here.
  if ! type module >/dev/null 2>&1 && [[ -n ${LMOD_PKG:-} && -f $LMOD_PKG/init/bash ]]; then
    # shellcheck disable=SC1091
    source "$LMOD_PKG/init/bash"
  fi
  if type module >/dev/null 2>&1; then
    [[ -n $LB_MODULE_PATH ]] && module use "$LB_MODULE_PATH"
    # shellcheck disable=SC2086  # a list of module names
    module load $LB_MODULES || lb_fail "LB_MODULES='$LB_MODULES': module load failed"
  else
    echo "$LB_JOB_LABEL: no 'module' command here; LB_MODULES ($LB_MODULES) not loaded" >&2
  fi
fi
# One thread pool per rank the size of its core group.
export OMP_NUM_THREADS=$LB_THREADS
if [[ -e /sys/class/net/hsn0 ]]; then
  # RCCL's own traffic (bootstrap, and sockets if its plugin is missing) on the Slingshot NICs, not
  # the management network (the guide).
  export NCCL_SOCKET_IFNAME=${NCCL_SOCKET_IFNAME-hsn0,hsn1,hsn2,hsn3}
  # The NIC reads GPU memory directly where GPU and NIC share a PCIe host bridge (the guide).
  export NCCL_NET_GDR_LEVEL=${NCCL_NET_GDR_LEVEL-PHB}
  # Gloo (CPU runs) on the Slingshot network too.
  export GLOO_SOCKET_IFNAME=${GLOO_SOCKET_IFNAME-hsn0}
fi
# MIOpen's database and kernel cache per job on node-local /tmp: 64 ranks on one database in
# $HOME lock each other and make first steps slow and uneven (the guide; rank_env.sh creates them).
job_id=${SLURM_JOB_ID:-dryrun}
export MIOPEN_USER_DB_PATH=${MIOPEN_USER_DB_PATH:-/tmp/lb-miopen-$job_id/db}
export MIOPEN_CUSTOM_CACHE_DIR=${MIOPEN_CUSTOM_CACHE_DIR:-/tmp/lb-miopen-$job_id/cache}
if [[ $LB_LAUNCHER == env ]]; then
  # Where the ranks meet (c10d's store on rank 0): the first node, and the guide's port rule ("1"
  # and the job id's last four digits), so that two jobs sharing a node do not collide.
  if [[ -z ${MASTER_ADDR:-} ]]; then
    first=""
    if [[ -n ${SLURM_JOB_NODELIST:-} ]] && command -v scontrol >/dev/null; then
      first=$(scontrol show hostnames "$SLURM_JOB_NODELIST" 2>/dev/null | head -n 1)
    fi
    [[ -n $first ]] && export MASTER_ADDR=$first
  fi
  if [[ -z ${MASTER_PORT:-} ]]; then
    digits=0000$job_id
    [[ $job_id =~ ^[0-9]+$ ]] && export MASTER_PORT=$((10#1${digits: -4}))
  fi
fi
export LB_GPU_VISIBLE_VAR

# --- Launch -------------------------------------------------------------------------------------
job_name=${SLURM_JOB_NAME:-$LB_JOB_LABEL}
results=$LB_OUTPUT_DIR/$job_name-$job_id.h5

harness_args=(--device "$LB_DEVICE" --model "$LB_MODEL" --data "$LB_DATA" --launcher "$LB_LAUNCHER"
  --threads "$LB_THREADS" --output "$results")
[[ -n $LB_EPOCHS ]] && harness_args+=(--epochs "$LB_EPOCHS")
[[ -n $LB_BATCH_SIZE ]] && harness_args+=(--batch-size "$LB_BATCH_SIZE")
[[ -n $LB_SUBSET ]] && harness_args+=(--subset "$LB_SUBSET")
[[ -n $LB_MAX_STEPS ]] && harness_args+=(--max-steps "$LB_MAX_STEPS")
[[ -n $LB_SEED ]] && harness_args+=(--seed "$LB_SEED")
[[ $LB_REQUIRE_FAST_NETWORK == 1 ]] && harness_args+=(--require-fast-network)
# shellcheck disable=SC2206  # extra arguments are split on spaces, as documented
[[ -n $LB_HARNESS_ARGS ]] && harness_args+=($LB_HARNESS_ARGS)

# A rank that dies ends the step at once instead of leaving the others waiting in a collective
# until the time limit.
srun_args=(--kill-on-bad-exit=1)
[[ -n ${SLURM_CPUS_PER_TASK:-} ]] && srun_args+=(--cpus-per-task="$SLURM_CPUS_PER_TASK")
[[ -n $LB_CPU_BIND && $LB_CPU_BIND != none ]] && srun_args+=(--cpu-bind="$LB_CPU_BIND")
[[ $LB_LAUNCHER == mpi && -n $LB_SRUN_MPI ]] && srun_args+=(--mpi="$LB_SRUN_MPI")
# shellcheck disable=SC2206
[[ -n $LB_SRUN_ARGS ]] && srun_args+=($LB_SRUN_ARGS)

container=()
if [[ -n $LB_CONTAINER ]]; then
  container=("$LB_CONTAINER_CMD" "$LB_CONTAINER_RUN")
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
route=native
[[ -n $LB_CONTAINER ]] && route="container $LB_CONTAINER"
echo "$LB_JOB_LABEL: route: $route; launcher: $LB_LAUNCHER"
echo "$LB_JOB_LABEL: results -> $results"
echo "$LB_JOB_LABEL: environment: OMP_NUM_THREADS=$OMP_NUM_THREADS NCCL_SOCKET_IFNAME=${NCCL_SOCKET_IFNAME:-}" \
  "NCCL_NET_GDR_LEVEL=${NCCL_NET_GDR_LEVEL:-} GLOO_SOCKET_IFNAME=${GLOO_SOCKET_IFNAME:-}" \
  "MIOPEN_USER_DB_PATH=$MIOPEN_USER_DB_PATH MASTER_ADDR=${MASTER_ADDR:-} MASTER_PORT=${MASTER_PORT:-}" \
  "per-rank GPU variable: ${LB_GPU_VISIBLE_VAR:-none (all dies visible, device = local rank)}"
printf '%s: launch:' "$LB_JOB_LABEL"; printf ' %q' "${launch[@]}"; echo
if [[ $LB_DRY_RUN == 1 ]]; then
  exit 0
fi
start=$(date +%s)
status=0
"${launch[@]}" || status=$?
echo "$LB_JOB_LABEL: harness exited with $status after $(($(date +%s) - start)) s; results: $results"
# The job's last step: runs whose journals were not folded into the results file (a harness built
# without HDF5, a killed rank 0) go into it now, so that h5py users see them too.
if compgen -G "$results.journals/*.jsonl" >/dev/null; then
  if [[ -x $LB_ANALYZE ]]; then
    "$LB_ANALYZE" --fold-journals "$results" || echo "$LB_JOB_LABEL: folding the journals failed; they stay in $results.journals" >&2
  else
    echo "$LB_JOB_LABEL: journals left in $results.journals (LB_ANALYZE='$LB_ANALYZE' is not built): analyze reads them as they are, or fold them later with 'analyze --fold-journals $results'" >&2
  fi
fi
exit "$status"
