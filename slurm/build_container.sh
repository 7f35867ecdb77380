#!/bin/bash
# Builds the harness inside LUMI's PyTorch ROCm image, against that PyTorch's own LibTorch (the
# lumi-container preset: HIP kernels for gfx90a, no MPI, no HDF5), into build/lumi-container/, where
# the container route of the job scripts finds it. Runs on a login node: no GPU is needed.
#   slurm/build_container.sh
# What the image lacks is brought, not installed: the header-only libraries cxxopts and
# nlohmann/json, which tests/device/prepare.sh unpacks into .device/deps on any Debian or Ubuntu
# machine (copy that folder along with the checkout). Environment: LB_CONTAINER (the image; default
# the LUMI AI guide's, slurm/common.sh), LB_CONTAINER_CMD (singularity). Exit: 0 built, 2 a setting
# or a prerequisite is missing, otherwise the build's own failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
guide=/appl/local/laifs/containers/lumi-multitorch-u24r70f21m50t210-20260415_130625/lumi-multitorch-full-u24r70f21m50t210-20260415_130625.sif
image=${LB_CONTAINER:-${LB_GUIDE_IMAGE:-$guide}}
cmd=${LB_CONTAINER_CMD:-singularity}
fail() { echo "build_container.sh: $*" >&2; exit 2; }
[[ -f $image ]] || fail "LB_CONTAINER='$image': no such image file (set LB_CONTAINER to LUMI's PyTorch image)"
command -v "$cmd" >/dev/null || fail "LB_CONTAINER_CMD='$cmd': command not found"
[[ -f .device/deps/usr/include/cxxopts.hpp ]] ||
  fail ".device/deps has no cxxopts.hpp: run tests/device/prepare.sh on a Debian/Ubuntu machine and copy .device here"
echo "build_container.sh: building in $image"
# `run`, as the guide starts the image: its runscript sets up the Python that has torch.
# shellcheck disable=SC2016  # expanded inside the image
"$cmd" run --bind "$root" "$image" bash -c '
  set -e
  prefix=$(python3 -c "import torch; print(torch.utils.cmake_prefix_path)")
  echo "build_container.sh: PyTorch $(python3 -c "import torch; print(torch.__version__, torch.version.hip)")"
  cmake --preset lumi-container -DCMAKE_PREFIX_PATH="$prefix;$PWD/.device/deps/usr"
  cmake --build --preset lumi-container -j "$(nproc)"'
echo "build_container.sh: built $root/build/lumi-container/harness/harness"
