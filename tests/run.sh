#!/usr/bin/env bash
# The whole test suite. Installs what is missing (with the test packages), builds the `cpu` preset
# and runs every test through ctest; then builds and tests the harness against LibTorch 2.6 in a
# Debian 13 root (tests/libtorch2/test.sh). Exits non-zero on any failure, and when no test ran.
#   tests/run.sh            the suite (CI runs this)
#   tests/run.sh --full     also compiles and links the `cuda` preset against LibTorch 2.6 for CUDA
#                           (a 2.5 GB download the first time)
#   tests/run.sh -- ARGS    extra ctest arguments (e.g. -- -R analysis)
set -euo pipefail
cd "$(dirname "$0")/.."
full=0
ctest_args=()
while (($#)); do
  case "$1" in
    --full) full=1 ;;
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
  libtorch2_args=()
  ((full)) && libtorch2_args+=(--cuda)
  tests/libtorch2/test.sh "${libtorch2_args[@]}"
fi
echo "tests/run.sh: everything took $((SECONDS - t0)) s" >&2
