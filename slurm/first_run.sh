#!/bin/bash
# A user's first hour on LUMI, as one command on a login node: checks the account, the image (or
# the modules), builds the harness, submits a 1-node and a 2-node job of 15 minutes each to dev-g,
# waits for them and prints a verdict: images/s of each, the path the gradients took between and
# within nodes (as RCCL reported it), and the 2-node scaling against 1 node.
#   slurm/first_run.sh [--account PROJECT] [--skip-build] [--no-wait]
# Environment: SBATCH_ACCOUNT (or --account), SBATCH_PARTITION (dev-g), SBATCH_TIMELIMIT (00:15:00),
# LB_CONTAINER (default: the LUMI AI guide's image when present; empty: the native route),
# LB_FIRST_STEPS (steps per job, 60), LB_DATA (synthetic), LB_FIRST_WAIT_S (how long to wait, 1800),
# LB_SBATCH_ARGS (more sbatch options), LB_FIRST_DIR (where the jobs run and write: results/first_run),
# and every LB_* of slurm/common.sh. Exit: 0 both jobs completed (the verdict says whether the
# numbers are sound), 1 a job failed or did not end in time, 2 a setting or prerequisite is missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
skip_build=0 wait=1
while (($#)); do
  case "$1" in
    --account) export SBATCH_ACCOUNT=$2; shift ;;
    --skip-build) skip_build=1 ;;
    --no-wait) wait=0 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "first_run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { echo "first_run: $*"; }
fail() { echo "first_run: $*" >&2; exit 2; }

# --- 1. Account ---------------------------------------------------------------------------------
[[ -n ${SBATCH_ACCOUNT:-} ]] || fail "no project account: give --account project_4650xxxxx (or export SBATCH_ACCOUNT)"
accounts=""
command -v sacctmgr >/dev/null &&
  accounts=$({ sacctmgr -nP show assoc user="$(id -un)" format=account 2>/dev/null || true; } | sort -u | tr '\n' ' ')
if [[ -n ${accounts// /} ]]; then
  [[ " $accounts " == *" $SBATCH_ACCOUNT "* ]] ||
    fail "SBATCH_ACCOUNT='$SBATCH_ACCOUNT': not one of your accounts (${accounts% })"
  say "account $SBATCH_ACCOUNT"
else
  say "account $SBATCH_ACCOUNT (not checked: sacctmgr lists no accounts here)"
fi

# --- 2. Route: the guide's image, or the native modules -----------------------------------------
guide=/appl/local/laifs/containers/lumi-multitorch-u24r70f21m50t210-20260415_130625/lumi-multitorch-full-u24r70f21m50t210-20260415_130625.sif
if [[ -z ${LB_CONTAINER+set} ]]; then
  LB_CONTAINER=""
  [[ -f ${LB_GUIDE_IMAGE:-$guide} ]] && LB_CONTAINER=${LB_GUIDE_IMAGE:-$guide}
fi
export LB_CONTAINER
if [[ -n $LB_CONTAINER ]]; then
  [[ -f $LB_CONTAINER ]] || fail "LB_CONTAINER='$LB_CONTAINER': no such image file"
  command -v "${LB_CONTAINER_CMD:-singularity}" >/dev/null || fail "LB_CONTAINER_CMD='${LB_CONTAINER_CMD:-singularity}': command not found"
  export LB_HARNESS=${LB_HARNESS:-$root/build/lumi-container/harness/harness}
  say "route: container $LB_CONTAINER"
else
  type module >/dev/null 2>&1 || say "note: no 'module' command here; the native route's modules (LB_MODULES) will not be loaded"
  export LB_HARNESS=${LB_HARNESS:-$root/build/lumi/harness/harness}
  say "route: native (LB_CONTAINER is empty)"
fi

# --- 3. Build -----------------------------------------------------------------------------------
if ((skip_build)); then
  say "build skipped (--skip-build): $LB_HARNESS"
elif [[ -n $LB_CONTAINER ]]; then
  "$here/build_container.sh"
else
  (cd "$root" && cmake --preset lumi && cmake --build --preset lumi --target harness)
fi
[[ -x $LB_HARNESS ]] || fail "LB_HARNESS='$LB_HARNESS': not built"

# --- 4. Two short jobs --------------------------------------------------------------------------
export SBATCH_PARTITION=${SBATCH_PARTITION:-dev-g}
export SBATCH_TIMELIMIT=${SBATCH_TIMELIMIT:-00:15:00}
export LB_DATA=${LB_DATA:-synthetic}
export LB_MAX_STEPS=${LB_MAX_STEPS:-${LB_FIRST_STEPS:-60}}
export LB_EPOCHS=${LB_EPOCHS:-1}
submit_dir=${LB_FIRST_DIR:-$root/results/first_run}
export LB_OUTPUT_DIR=${LB_OUTPUT_DIR:-$submit_dir/results}
mkdir -p "$submit_dir"
ids=()
for nodes in 1 2; do
  # shellcheck disable=SC2086  # LB_SBATCH_ARGS: more sbatch options, split on spaces
  id=$(cd "$submit_dir" && sbatch --parsable ${LB_SBATCH_ARGS:-} --nodes="$nodes" --job-name="lb-first-${nodes}node" \
    "$here/scale_4node.sh") || fail "sbatch refused the ${nodes}-node job"
  ids+=("${id%%;*}")
  say "submitted the ${nodes}-node job ${id%%;*} ($SBATCH_PARTITION, $SBATCH_TIMELIMIT, $LB_MAX_STEPS steps)"
done
if ((!wait)); then
  say "not waiting (--no-wait): the results will be $LB_OUTPUT_DIR/lb-first-1node-${ids[0]}.h5 and lb-first-2node-${ids[1]}.h5"
  exit 0
fi

# --- 5. Wait and judge --------------------------------------------------------------------------
deadline=$((SECONDS + ${LB_FIRST_WAIT_S:-1800}))
states=()
for id in "${ids[@]}"; do
  state=""
  while ((SECONDS < deadline)); do
    state=$(scontrol show job -o "$id" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p')
    case "$state" in PENDING|CONFIGURING|RUNNING|COMPLETING|"") sleep 2 ;; *) break ;; esac
  done
  states+=("$state")
  say "job $id: ${state:-unknown}"
done
results=("$LB_OUTPUT_DIR/lb-first-1node-${ids[0]}.h5" "$LB_OUTPUT_DIR/lb-first-2node-${ids[1]}.h5")
py=(python3)
if [[ -n $LB_CONTAINER ]]; then
  # The image's Python has h5py, for results files whose journals were folded.
  py=("${LB_CONTAINER_CMD:-singularity}" run --bind "$root" "$LB_CONTAINER" python3)
fi
"${py[@]}" "$here/first_run_report.py" "${results[@]}" || true
for state in "${states[@]}"; do
  [[ $state == COMPLETED ]] || { say "a job did not complete: see $submit_dir/*.out"; exit 1; }
done
