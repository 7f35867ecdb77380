#!/usr/bin/env bash
# The harness against LibTorch 2.x: builds the `cpu` preset inside the Debian 13 root
# (tests/libtorch2/root.sh: LibTorch 2.6, LUMI's major version) and runs the unit, parity and
# equivalence tests and the device check's dry run there, against torchvision 0.21. With --next it
# does the same in the Debian unstable root (LibTorch 2.14, torchvision 0.27, CMake 4, GCC 16: newer
# than the GPU machine's PyTorch 2.11 and CMake 4.4, so what those changed breaks here first). With
# --cuda it also compiles and links the `cuda` preset against LibTorch 2.6 for CUDA (nothing runs:
# no GPU here). Prints the time each part took.
#   tests/libtorch2/test.sh [--cuda] [--next] [--no-tests]
set -euo pipefail
cd "$(dirname "$0")/../.."
cuda=0
next=0
run_tests=1
for arg in "$@"; do
  case "$arg" in
    --cuda) cuda=1 ;;
    --next) next=1 ;;
    --no-tests) run_tests=0 ;;
    *) echo "tests/libtorch2/test.sh: unknown option '$arg' (expected --cuda, --next or --no-tests)" >&2; exit 2 ;;
  esac
done
log() { echo "libtorch2: $*" >&2; }

# What runs in the root: everything that touches LibTorch, its parity with torchvision and the
# c10d process groups. The analysis, charts, Slurm and long CLI tests do not depend on LibTorch's
# version and run on the host.
tests='^(common\.|energy\.|VitModel\.|AddLayerNorm\.|BiasGelu\.|vit_b_16\.|vit_tiny\.|reference\.|DataParity\.|Split\.|Synthetic|Hdf5|Folder|Loader\.|Recorder\.|Precision\.|LossScaler\.|FusedAdam\.|Adaptive|ddp\.|Launch\.|Transport\.|RankExchange\.|StepTimer\.|StepGraph\.|StepProfile\.|WaitPolling\.|harness\.(help|version|env|mpi))'

# in_root ROOT BUILD: builds the cpu preset in the root (cpu or next) into BUILD, then, unless
# --no-tests, runs the tests above and the device check's dry run (its configuration: no MPI, no
# HDF5; the GPU path's code with ATen's fused Adam, two ranks through the env launcher, a failing
# rank) there.
in_root() {
  local root=$1 build=$2 t0=$SECONDS t1 version
  tests/libtorch2/root.sh ensure "$root"
  log "$root root ready in $((SECONDS - t0)) s"
  t1=$SECONDS
  # shellcheck disable=SC2016  # the script is expanded in the root, its build folder as $1
  tests/libtorch2/root.sh run "$root" bash -c '
    set -e
    cmake --preset cpu -B "$1" -DLB_BUILD_ANALYSIS=OFF -DLB_BUILD_BENCHMARKS=OFF \
          -DLB_REFERENCE_PYTHON=/usr/bin/python3 >/dev/null
    cmake --build "$1" -j2 >"$1/build.log" 2>&1 || { grep -E "error|FAILED" "$1/build.log" | head -40; tail -30 "$1/build.log"; exit 1; }
    "$1/harness/harness" --version' bash "$build"
  version=$(tests/libtorch2/root.sh run "$root" "$build/harness/harness" --version | sed 's/.*LibTorch \([0-9.]*\).*/\1/')
  log "LibTorch $version build took $((SECONDS - t1)) s"
  ((run_tests)) || return 0
  t1=$SECONDS
  tests/libtorch2/root.sh run "$root" ctest --test-dir "$build" -R "$tests" -j2 --output-on-failure \
    --no-tests=error --timeout 900
  log "LibTorch $version tests took $((SECONDS - t1)) s"
  t1=$SECONDS
  tests/libtorch2/root.sh run "$root" tests/device/gpu_check.sh --cpu-dry-run --log-dir "build/gpu-check-logs-$root"
  log "LibTorch $version device dry run took $((SECONDS - t1)) s"
}

t0=$SECONDS
in_root cpu build/libtorch2-cpu
# An if, not `&&`: bash ignores set -e inside a function called on the left of && or ||.
if ((next)); then in_root next build/libtorch2-next; fi
# The CUDA root is about 12 GB (LibTorch for CUDA and its toolkit); with less room than that the
# compile is skipped, and the reason printed, rather than filling the disk under CI.
free_gb=$(df -Pk build 2>/dev/null | awk 'NR==2 {print int($4 / 1048576)}')
if ((cuda)) && [[ ! -d build/roots/trixie-cuda ]] && ((${free_gb:-0} < 20)); then
  log "SKIPPED the cuda preset: ${free_gb:-?} GB free under build/, the CUDA root needs about 12 GB (20 GB asked)"
  cuda=0
fi
if ((cuda)); then
  t3=$SECONDS
  tests/libtorch2/root.sh ensure cuda
  tests/libtorch2/root.sh run cuda bash -c '
    set -e
    # cuDNN is absent (see root.sh): its symbols, needed by libtorch_cuda, stay for run time.
    # One compiler for the C++ and nvcc'"'"'s host side (Debian'"'"'s CUDA 12 takes g++ 13, while trixie'"'"'s
    # default is 14): mixing them links gcc 14 objects against gcc 13'"'"'s libstdc++.
    rm -rf build/libtorch2-cuda/CMakeCache.txt build/libtorch2-cuda/CMakeFiles  # a cache of another compiler
    cmake --preset cuda -B build/libtorch2-cuda -DLB_BUILD_ANALYSIS=OFF -DLB_BUILD_BENCHMARKS=OFF \
          -DLB_BUILD_TESTS=OFF -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_C_COMPILER=gcc-13 -DCMAKE_CXX_COMPILER=g++-13 \
          "-DCMAKE_EXE_LINKER_FLAGS=-Wl,--unresolved-symbols=ignore-in-shared-libs" >/dev/null
    # Graph capture is built only where its source compiles (cmake/Dependencies.cmake); here it must.
    grep -q "^LB_TORCH_DEVICE_GRAPHS:INTERNAL=1" build/libtorch2-cuda/CMakeCache.txt ||
      { echo "cuda preset: harness/train/device_step_graph.cpp did not compile against LibTorch 2.6 (CUDA):"
        grep -A30 "LB_TORCH_DEVICE_GRAPHS" build/libtorch2-cuda/CMakeFiles/CMakeConfigureLog.yaml | head -60; exit 1; }
    cmake --build build/libtorch2-cuda -j2 --target harness preprocess_cuda_test add_layer_norm_cuda_test bias_gelu_cuda_test gpu_step_check ddp_equivalence ddp_overlap >build/libtorch2-cuda/build.log 2>&1 ||
      { tail -50 build/libtorch2-cuda/build.log; exit 1; }
    echo "cuda preset: harness and the CUDA kernels compiled and linked against LibTorch 2.6 (CUDA)"'
  log "cuda preset took $((SECONDS - t3)) s"
fi
log "done in $((SECONDS - t0)) s"
