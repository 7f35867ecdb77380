#!/usr/bin/env python3
"""Checks that the GPU path is device-generic outside kernels/ (docs/architecture.md): no CUDA, HIP
or vendor-library header is included, and no branch tests a vendor macro (USE_ROCM,
__HIP_PLATFORM_*, __HIPCC__, __CUDACC__, __CUDA_ARCH__). Streams, events, guards and memory
statistics go through LibTorch's device-generic API, so one harness builds against LibTorch for
CUDA and for ROCm; only kernels/ (one file per kernel family, compiled by nvcc or hipcc) may name
the vendor. One source outside it may, named in ALLOWED with the reason. Prints every offending
line and exits 1 if there is one.
Usage: check_device_generic.py [REPO_ROOT]
"""
import os
import pathlib
import re
import sys

VENDOR_INCLUDE = re.compile(
    r'^\s*#\s*include\s*[<"]\s*(cuda|cuda_runtime|cuda_runtime_api|hip/|c10/cuda/|c10/hip/|ATen/cuda/|ATen/hip/|'
    r'nccl|rccl|cublas|hipblas|cudnn|miopen|nvml|rocm_smi|amd_smi)', re.M)
VENDOR_MACRO = re.compile(r"\b(USE_ROCM|__HIP_PLATFORM_\w*|__HIPCC__|__CUDACC__|__CUDA_ARCH__)\b")
SOURCES = (".h", ".hpp", ".cpp", ".cc", ".cu", ".hip")
# Sources outside kernels/ that may include a vendor header, and why.
ALLOWED = {
    # LibTorch's device-generic graph (at::accelerator::Graph) has no CUDA or HIP implementation
    # registered, so graph capture takes at::cuda::CUDAGraph's header; CMake builds this source only
    # where it compiles against the LibTorch found (LB_TORCH_DEVICE_GRAPHS), so neither build breaks.
    "harness/train/device_step_graph.cpp": "graph capture",
}


def sources(root):
    """Every file under root but the build trees (which may hold mounted roots), .git and node_modules."""
    for folder, dirs, files in os.walk(root):
        top = pathlib.Path(folder) == root
        dirs[:] = [d for d in dirs if not (top and d in ("build", ".git", ".device")) and d != "node_modules"]
        for name in files:
            yield pathlib.Path(folder) / name


def main():
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).resolve().parents[2])
    problems = []
    for src in sorted(sources(root)):
        rel = src.relative_to(root).as_posix()
        if (src.suffix not in SOURCES or rel.startswith(("build/", "kernels/", ".device/")) or "node_modules" in rel
                or rel in ALLOWED):
            continue
        for n, line in enumerate(src.read_text(errors="replace").splitlines(), 1):
            if VENDOR_INCLUDE.search(line) or (VENDOR_MACRO.search(line) and not line.lstrip().startswith("//")):
                problems.append(f"{rel}:{n}: {line.strip()}")
    for p in problems:
        print(p)
    print(f"check_device_generic: {len(problems)} vendor-specific line(s) outside kernels/")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
