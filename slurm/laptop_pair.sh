#!/bin/bash
# The guide's two laptop configurations with one command, on this machine (no Slurm, no MPI):
#   1. single core: one intra-op thread, pinned to one CPU (taskset, where it exists);
#   2. all cores:   one thread per logical CPU this process may use (nproc).
# Both runs go into one results file, each as its own run (docs/hdf5-schema.md).
#
#   slurm/laptop_pair.sh [HARNESS OPTIONS...]      e.g.  slurm/laptop_pair.sh --epochs 1
#
# Options are passed to both runs; without a --subset of your own, the harness's default subset is
# used (as ./quickstart.sh does). Environment:
#   LB_HARNESS   the harness (build/cpu/harness/harness)
#   LB_OUTPUT    the results file (results/laptop_pair.h5)
#   LB_CORES     threads of the all-cores run (nproc: logical CPUs available)
#   LB_DRY_RUN=1 print the two commands without running them
# Exit codes: 0 both runs completed; otherwise the failing run's exit code (a failed single-core
# run stops the script before the all-cores run); 2 a setting is wrong.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
harness=${LB_HARNESS:-$root/build/cpu/harness/harness}
output=${LB_OUTPUT:-$root/results/laptop_pair.h5}
cores=${LB_CORES:-$(nproc)}
dry_run=${LB_DRY_RUN:-0}

fail() { echo "laptop_pair.sh: $*" >&2; exit 2; }
[[ $cores =~ ^[1-9][0-9]*$ ]] || fail "LB_CORES='$cores': expected a positive whole number"
[[ $dry_run == 1 || -x $harness ]] ||
  fail "LB_HARNESS='$harness': not an executable file (build with ./quickstart.sh --setup-only)"

extra=("$@")
subset=(--subset)
for arg in "${extra[@]}"; do
  [[ $arg == --subset || $arg == --subset=* ]] && subset=()
done

# The first CPU this process may run on: pinning to CPU 0 would fail where 0 is not allowed.
first_cpu=$(awk '/^Cpus_allowed_list/ { split($2, a, /[,-]/); print a[1] }' /proc/self/status 2>/dev/null || true)
pin=()
if command -v taskset >/dev/null && [[ -n $first_cpu ]]; then
  pin=(taskset -c "$first_cpu")
else
  echo "laptop_pair.sh: no taskset here: the single-core run uses one thread but is not pinned" >&2
fi

single=("${pin[@]}" "$harness" --device cpu --threads 1 "${subset[@]}" "${extra[@]}" --output "$output")
all=("$harness" --device cpu --threads "$cores" "${subset[@]}" "${extra[@]}" --output "$output")

# run LABEL THREADS COMMAND...: OpenMP's pool is sized like the harness's intra-op threads.
run() {
  local label=$1 threads=$2; shift 2
  printf 'laptop_pair.sh: %s:' "$label"; printf ' %q' "$@"; echo
  [[ $dry_run == 1 ]] && return 0
  OMP_NUM_THREADS=$threads "$@"
}
[[ $dry_run == 1 ]] || mkdir -p "$(dirname "$output")"
run "single core" 1 "${single[@]}"
run "all $cores cores" "$cores" "${all[@]}"
[[ $dry_run == 1 ]] || echo "laptop_pair.sh: both runs are in $output"
