#!/usr/bin/env bash
# The whole test suite. Installs what is missing (with the test packages), builds the `cpu` preset
# and runs every test through ctest; builds the device check's configuration (no MPI, no HDF5) and
# runs its CPU dry run (tests/device/gpu_check.sh --cpu-dry-run); then does both against LibTorch
# 2.6 in a Debian 13 root and compiles and links the `cuda` preset against LibTorch 2.6 for CUDA
# (tests/libtorch2/test.sh; a 2.5 GB download the first time). Exits non-zero on any failure, and
# when no test ran.
#   tests/run.sh            the suite (CI runs this)
#   tests/run.sh --no-cuda  without the cuda preset's compile (about 13 minutes less on a fresh machine)
#   tests/run.sh --next     also the LibTorch 2.x tests in a Debian unstable root: LibTorch 2.14, CMake 4,
#                           GCC 16 (about 17 minutes more on a fresh machine; not in CI, for its time)
#   tests/run.sh -- ARGS    extra ctest arguments (e.g. -- -R analysis); LibTorch 2.6 is skipped then
set -euo pipefail
cd "$(dirname "$0")/.."
cuda=1
next=0
ctest_args=()
while (($#)); do
  case "$1" in
    --no-cuda) cuda=0 ;;
    --next) next=1 ;;
    --) shift; ctest_args=("$@"); break ;;
    *) ctest_args+=("$1") ;;
  esac
  shift
done
t0=$SECONDS
./quickstart.sh --setup-only --with-tests
echo "tests/run.sh: set-up and build took $((SECONDS - t0)) s" >&2
t1=$SECONDS
ctest --preset cpu "${ctest_args[@]}"
echo "tests/run.sh: ctest (LibTorch $(build/cpu/harness/harness --version | sed 's/.*LibTorch \([0-9.]*\).*/\1/')) took $((SECONDS - t1)) s" >&2
if ((${#ctest_args[@]} == 0)); then
  t2=$SECONDS
  # The GPU path's configuration and checks, on this LibTorch, without a GPU.
  LB_PYTHON=/usr/bin/python3 tests/device/gpu_check.sh --cpu-dry-run --log-dir build/gpu-check-logs
  echo "tests/run.sh: the device check's dry run took $((SECONDS - t2)) s" >&2
  libtorch2_args=()
  ((cuda)) && libtorch2_args+=(--cuda)
  ((next)) && libtorch2_args+=(--next)
  tests/libtorch2/test.sh "${libtorch2_args[@]}"
fi
echo "tests/run.sh: everything took $((SECONDS - t0)) s" >&2
