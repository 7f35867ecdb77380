#!/usr/bin/env bash
# Shell-level checks of slurm/ that need no cluster: syntax, the LUMI-G defaults the issue lists,
# what each environment override changes in the launch command (LB_DRY_RUN=1 with a faked job
# environment), the one-line errors with exit code 2, the per-rank wrapper and laptop_pair.sh.
#   check_scripts.sh SLURM_DIR
# Exit codes: 0 all passed, 1 a check failed, 2 usage.
set -uo pipefail
(($# == 1)) || { echo "usage: check_scripts.sh SLURM_DIR" >&2; exit 2; }
slurm=$(cd "$1" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
failures=0 checks=0

pass_or_fail() {  # pass_or_fail STATUS MESSAGE
  checks=$((checks + 1))
  if [[ $1 != 0 ]]; then
    echo "FAIL: $2"
    failures=$((failures + 1))
  fi
}
contains() {  # contains TEXT PATTERN MESSAGE
  [[ $1 == *"$2"* ]]
  pass_or_fail $? "$3 (expected '$2' in: $1)"
}
lacks() {
  [[ $1 != *"$2"* ]]
  pass_or_fail $? "$3 (did not expect '$2' in: $1)"
}

# --- Syntax -------------------------------------------------------------------------------------
for script in "$slurm"/*.sh; do
  bash -n "$script"
  pass_or_fail $? "bash -n $script"
done

# --- The #SBATCH lines are LUMI-G's defaults ----------------------------------------------------
sbatch_value() { sed -n "s/^#SBATCH --$2=//p" "$1"; }
for nodes in 1 4 8; do
  script=$slurm/scale_${nodes}node.sh
  [[ -x $script ]]
  pass_or_fail $? "$script is not executable"
  for expected in partition=standard-g nodes=$nodes gpus-per-node=8 ntasks-per-node=8 \
    cpus-per-task=7 mem-per-gpu=60G job-name=lb-scale-${nodes}node; do
    value=$(sbatch_value "$script" "${expected%%=*}")
    [[ $value == "${expected#*=}" ]]
    pass_or_fail $? "$script: #SBATCH --${expected%%=*} is '$value', expected '${expected#*=}'"
  done
  [[ $(sbatch_value "$script" output) == *%j* ]]
  pass_or_fail $? "$script: the Slurm output is not named after the job id (%j)"
  # An account is never written into the script: it comes from SBATCH_ACCOUNT or sbatch -A.
  ! grep -qE '^#SBATCH (-A|--account)' "$script"
  pass_or_fail $? "$script names an account"
done

# --- The launch with LUMI defaults, in a faked 8-node job --------------------------------------
fake_job() {  # runs scale_8node.sh as Slurm would start it, printing its launch line
  (cd "$scratch" && env -u LB_CPU_BIND -u LB_GPU_VISIBLE_VAR -u MPICH_GPU_SUPPORT_ENABLED -u LB_LAUNCHER \
    -u LB_SRUN_MPI -u LB_CONTAINER -u LB_MODULES -u LB_MODULE_PATH -u MASTER_ADDR -u MASTER_PORT \
    -u MIOPEN_USER_DB_PATH -u MIOPEN_CUSTOM_CACHE_DIR -u LB_REQUIRE_FAST_NETWORK -u LB_CONTAINER_RUN \
    LB_GUIDE_IMAGE="$scratch/no-such-image.sif" SLURM_JOB_ID=4242 SLURM_JOB_NAME=lb-scale-8node \
    SLURM_SUBMIT_DIR="$scratch" SLURM_CPUS_PER_TASK=7 SLURM_JOB_NUM_NODES=8 SLURM_NTASKS=64 \
    LB_DRY_RUN=1 LB_HARNESS=/bin/true LB_DATA=synthetic "$@" "$slurm/scale_8node.sh" 2>&1)
}
unescape() { sed 's/\\//g'; }  # the launch line is printed shell-quoted (%q)
out=$(fake_job env | unescape)
pass_or_fail $? "dry run of scale_8node.sh exited non-zero: $out"
masks=fe000000000000,fe00000000000000,fe0000,fe000000,fe,fe00,fe00000000,fe0000000000
contains "$out" "--cpu-bind=mask_cpu:$masks " "LUMI-G CPU masks"
contains "$out" "--cpus-per-task=7 " "srun gets the job's cpus-per-task"
contains "$out" "srun --kill-on-bad-exit=1 " "a crashed rank ends the step"
lacks "$out" "MPICH_GPU_SUPPORT_ENABLED" "Cray MPICH's GPU transport is not asked for"
contains "$out" "per-rank GPU variable: none (all dies visible, device = local rank)" "every die visible"
contains "$out" "route: native; launcher: env" "no image here: native, and no MPI"
contains "$out" "MIOPEN_USER_DB_PATH=/tmp/lb-miopen-4242/db" "MIOpen's database per job on node-local /tmp"
contains "$out" "MASTER_PORT=14242" "the guide's port rule"
contains "$out" "$slurm/rank_env.sh /bin/true --device rocm --model vit_b_16" "harness through the rank wrapper on ROCm"
contains "$out" "--launcher env " "ranks from Slurm's variables"
contains "$out" "--threads 7 " "threads = cpus-per-task"
contains "$out" "--output $scratch/results/lb-scale-8node-4242.h5" "results file named after the job id"
lacks "$out" "--mpi=" "no PMI plugin forced on LUMI (cray_shasta is the default)"
lacks "$out" "--epochs" "training options left to the harness unless set"
lacks "$out" "singularity" "native by default"

# --- Each override changes what it should -------------------------------------------------------
image=$scratch/pytorch.sif
: >"$image"
out=$(fake_job LB_CPU_BIND=none LB_LAUNCHER=mpi LB_SRUN_MPI=pmix LB_GPU_VISIBLE_VAR=CUDA_VISIBLE_DEVICES \
  LB_DEVICE=cpu LB_MODEL=vit_micro LB_EPOCHS=3 LB_BATCH_SIZE=16 \
  LB_SUBSET=10% LB_MAX_STEPS=5 LB_SEED=7 LB_THREADS=2 LB_OUTPUT_DIR="$scratch/out" LB_REQUIRE_FAST_NETWORK=1 \
  LB_HARNESS_ARGS="--warmup-steps 2" LB_SRUN_ARGS="--exclusive" | unescape)
lacks "$out" "--cpu-bind" "LB_CPU_BIND=none drops the binding"
contains "$out" "--mpi=pmix" "LB_SRUN_MPI with the MPI launcher"
contains "$out" "per-rank GPU variable: CUDA_VISIBLE_DEVICES" "LB_GPU_VISIBLE_VAR"
lacks "$out" "MASTER_PORT=1" "no rendezvous variables for MPI"
contains "$out" "--exclusive " "LB_SRUN_ARGS"
contains "$out" "--device cpu --model vit_micro --data synthetic --launcher mpi --threads 2 --output $scratch/out/lb-scale-8node-4242.h5 --epochs 3 --batch-size 16 --subset 10% --max-steps 5 --seed 7 --require-fast-network --warmup-steps 2" "training overrides"
out=$(fake_job LB_SRUN_MPI=pmix | unescape)
lacks "$out" "--mpi=" "no PMI plugin for the env launcher"
out=$(fake_job MIOPEN_USER_DB_PATH=/local/db MASTER_ADDR=10.1.1.1 MASTER_PORT=29400 | unescape)
contains "$out" "MIOPEN_USER_DB_PATH=/local/db MASTER_ADDR=10.1.1.1 MASTER_PORT=29400" "the user's own values kept"
out=$(fake_job LB_CONTAINER="$image" LB_CONTAINER_BINDS="$scratch" LB_HARNESS=/opt/lb/harness | unescape)
contains "$out" "rank_env.sh singularity run --bind " "LB_CONTAINER runs the harness in the image, as the guide starts it"
contains "$out" "$image /opt/lb/harness --device rocm" "the container's harness path is used as given"
contains "$out" "route: container $image" "the route is named"
lacks "$out" "LB_HARNESS=" "the harness path is not checked on the host in a dry run"
out=$(fake_job LB_GUIDE_IMAGE="$image" LB_CONTAINER_RUN=exec LB_CONTAINER_BINDS="" | unescape)
contains "$out" "singularity exec --bind " "LB_CONTAINER_RUN"
contains "$out" "route: container $image;" "the guide's image by default where it exists"
out=$(fake_job LB_CONTAINER="" LB_GUIDE_IMAGE="$image" | unescape)
contains "$out" "route: native" "LB_CONTAINER empty: native even where the image exists"

# --- Bad settings: one line naming the setting, exit code 2 --------------------------------------
expect_error() {  # expect_error SETTING_NAME_IN_MESSAGE ENV...
  local name=$1; shift
  local out status
  out=$(fake_job "$@"); status=$?
  [[ $status == 2 && $out == *"$name="* && $(wc -l <<<"$out") == 1 ]]
  pass_or_fail $? "bad $name: exit $status, output: $out"
}
expect_error LB_HARNESS LB_HARNESS="$scratch/missing"
expect_error LB_DATA LB_DATA="$scratch/missing.h5"
expect_error LB_DEVICE LB_DEVICE=tpu
expect_error LB_EPOCHS LB_EPOCHS=three
expect_error LB_CONTAINER LB_CONTAINER="$scratch/missing.sif"
expect_error LB_LAUNCHER LB_LAUNCHER=slurm
expect_error LB_REQUIRE_FAST_NETWORK LB_REQUIRE_FAST_NETWORK=yes
expect_error LB_CONTAINER_RUN LB_CONTAINER="$image" LB_CONTAINER_RUN=shell
out=$(cd "$scratch" && env -u SLURM_JOB_ID LB_HARNESS=/bin/true LB_DATA=synthetic "$slurm/scale_4node.sh" 2>&1)
status=$?
[[ $status == 2 && $out == *"sbatch"*scale_4node.sh* ]]
pass_or_fail $? "outside Slurm: exit $status, output: $out"

# --- The per-rank wrapper ---------------------------------------------------------------------
out=$(SLURM_LOCALID=3 LB_GPU_VISIBLE_VAR=ROCR_VISIBLE_DEVICES "$slurm/rank_env.sh" printenv ROCR_VISIBLE_DEVICES)
[[ $out == 3 ]]
pass_or_fail $? "rank_env.sh: ROCR_VISIBLE_DEVICES='$out' for local id 3"
out=$(env -u SLURM_LOCALID LB_GPU_VISIBLE_VAR=ROCR_VISIBLE_DEVICES "$slurm/rank_env.sh" true 2>&1)
status=$?
[[ $status == 2 && $out == *SLURM_LOCALID* ]]
pass_or_fail $? "rank_env.sh without SLURM_LOCALID: exit $status, output: $out"
out=$(env -u SLURM_LOCALID ROCR_VISIBLE_DEVICES=5 LB_GPU_VISIBLE_VAR="" "$slurm/rank_env.sh" printenv ROCR_VISIBLE_DEVICES)
[[ $out == 5 ]]
pass_or_fail $? "rank_env.sh with LB_GPU_VISIBLE_VAR empty changed the devices: '$out'"
MIOPEN_USER_DB_PATH=$scratch/miopen/db MIOPEN_CUSTOM_CACHE_DIR=$scratch/miopen/cache "$slurm/rank_env.sh" true
[[ -d $scratch/miopen/db && -d $scratch/miopen/cache ]]
pass_or_fail $? "rank_env.sh did not make the MIOpen folders"

# --- first_run.sh and build_container.sh refuse what they cannot use ---------------------------
out=$(cd "$scratch" && env -u SBATCH_ACCOUNT "$slurm/first_run.sh" --skip-build 2>&1); status=$?
[[ $status == 2 && $out == *SBATCH_ACCOUNT* && $(wc -l <<<"$out") == 1 ]]
pass_or_fail $? "first_run.sh without an account: exit $status, output: $out"
out=$(cd "$scratch" && SBATCH_ACCOUNT=p LB_CONTAINER="$scratch/missing.sif" "$slurm/first_run.sh" --skip-build 2>&1); status=$?
[[ $status == 2 && $out == *"LB_CONTAINER='$scratch/missing.sif'"* ]]
pass_or_fail $? "first_run.sh with a missing image: exit $status, output: $out"
out=$(LB_CONTAINER="$scratch/missing.sif" "$slurm/build_container.sh" 2>&1); status=$?
[[ $status == 2 && $out == *LB_CONTAINER=* && $(wc -l <<<"$out") == 1 ]]
pass_or_fail $? "build_container.sh with a missing image: exit $status, output: $out"

# --- laptop_pair.sh ---------------------------------------------------------------------------
out=$(LB_DRY_RUN=1 LB_CORES=6 LB_OUTPUT="$scratch/pair.h5" "$slurm/laptop_pair.sh" --epochs 1 | unescape)
pass_or_fail $? "laptop_pair.sh dry run failed: $out"
first=$(sed -n 1p <<<"$out") second=$(sed -n 2p <<<"$out")
contains "$first" "--device cpu --threads 1 --subset --epochs 1 --output $scratch/pair.h5" "single-core run"
if command -v taskset >/dev/null; then contains "$first" "taskset -c " "single-core run pinned"; fi
contains "$second" "--device cpu --threads 6 --subset --epochs 1 --output $scratch/pair.h5" "all-cores run"
lacks "$second" "taskset" "all-cores run not pinned"
out=$(LB_DRY_RUN=1 "$slurm/laptop_pair.sh" --subset 5% | unescape)
lacks "$out" "--subset --subset" "a --subset of the user's replaces the default"
out=$(LB_CORES=0 "$slurm/laptop_pair.sh" 2>&1); status=$?
[[ $status == 2 && $out == *LB_CORES=* ]]
pass_or_fail $? "laptop_pair.sh LB_CORES=0: exit $status, output: $out"
out=$(LB_HARNESS="$scratch/missing" "$slurm/laptop_pair.sh" 2>&1); status=$?
[[ $status == 2 && $out == *LB_HARNESS=* ]]
pass_or_fail $? "laptop_pair.sh missing harness: exit $status, output: $out"

echo "$((checks - failures)) passed, $failures failed"
((failures == 0))
