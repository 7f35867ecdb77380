#!/usr/bin/env bash
# The fraction of the gradients' allreduce hidden behind backward, on this machine's CPUs: two
# ranks (tests/device/env_launch.py, no MPI) through Gloo, ViT-B/16 at batch 2 per rank, with and
# without launching buckets as they complete (tests/device/ddp_overlap.cpp). Prints its JSON line.
#   bench/overlap.sh [ddp_overlap options]      e.g. --model vit_b_16 --batch 2 --steps 3
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${LB_OVERLAP_TOOL:-build/cpu/tests/device/ddp_overlap}
[[ -x $tool ]] || { echo "overlap.sh: $tool not built (tests/run.sh or cmake --build --preset cpu)" >&2; exit 2; }
exec /usr/bin/python3 tests/device/env_launch.py --np 2 -- "$tool" "$@"
