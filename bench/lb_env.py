"""Provenance shared by the benchmark scripts: CPU model, torch version, the BLAS actually loaded.

Mirrors harness/record/provenance.cpp, so that both sides of the comparison describe themselves the
same way. Imported by vs_pytorch.py, reference_train.py and gemm_rate.py (all run by the reference
Python, the one with torch).
"""
import ctypes
import os
import re


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def blas_description():
    """The library serving sgemm_ in this process (torch must already be imported and have run a
    matrix product), with OpenBLAS's own configuration string when it is OpenBLAS."""
    candidates = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 6 and re.search(r"lib(open)?blas[^/]*\.so", os.path.basename(parts[-1])):
                    if parts[-1] not in candidates:
                        candidates.append(parts[-1])
    except OSError:
        pass
    for path in candidates:
        real = os.path.realpath(path)
        where = "/".join(real.split("/")[-2:])  # Debian's alternative: openblas-openmp/libblas.so.3
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        if not hasattr(lib, "sgemm_"):
            continue
        if hasattr(lib, "openblas_get_config"):
            lib.openblas_get_config.restype = ctypes.c_char_p
            desc = lib.openblas_get_config().decode()
            if hasattr(lib, "openblas_get_corename"):
                lib.openblas_get_corename.restype = ctypes.c_char_p
                desc += " core=" + lib.openblas_get_corename().decode()
            return desc + " (" + where + ")"
        if where.startswith("blas/"):
            return "reference BLAS (" + where + "; slow: select OpenBLAS)"
        return where
    return "none found"


def torch_blas_info(torch):
    """BLAS_INFO from torch.__config__.show() (what torch was built against: 'generic' = libblas.so.3)."""
    m = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    return m.group(1) if m else "unknown"


def vit_train_flops_per_image(image=224, patch=16, layers=12, hidden=768, mlp=3072, num_classes=200, channels=3):
    """3 x forward FLOPs, forward = 2 x MACs; the formula of harness/model/vit_config.cpp (vit_forward_macs)."""
    patches = float(image // patch) ** 2
    s = patches + 1
    d = float(hidden)
    embed = patches * channels * patch * patch * d
    qkv_and_out = 4.0 * s * d * d
    scores_and_sum = 2.0 * s * s * d
    mlp_macs = 2.0 * s * d * mlp
    head = d * num_classes
    macs = embed + layers * (qkv_and_out + scores_and_sum + mlp_macs) + head
    return 3.0 * 2.0 * macs


BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS")
