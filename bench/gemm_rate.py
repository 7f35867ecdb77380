#!/usr/bin/env python3
"""Matrix-product rate of torch on this machine, fp32 and bf16, at a given intra-op thread count.

Shapes: a 2048x2048x2048 product (torch.mm) and ViT-B/16's dominant linear layers at M = B*197
tokens, computed as the model computes them (F.linear, weight [out, in]):
  qkv  [M,768]x[768,2304]   fc1 [M,768]x[768,3072]   fc2 [M,3072]x[3072,768]
Each shape is run back to back for at least --min-time seconds, --repeats times; the best repeat
is its sustained rate. Prints one JSON line.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lb_env  # noqa: E402


def shapes_for(batches):
    out = [("mm 2048^3", 2048, 2048, 2048, "mm")]
    for b in batches:
        m = b * 197
        out += [(f"qkv B={b} [{m},768]x[768,2304]", m, 768, 2304, "linear"),
                (f"fc1 B={b} [{m},768]x[768,3072]", m, 768, 3072, "linear"),
                (f"fc2 B={b} [{m},3072]x[3072,768]", m, 3072, 768, "linear")]
    return out


def rate(torch, m, k, n, kind, dtype, min_time, repeats):
    import torch.nn.functional as F
    gen = torch.Generator().manual_seed(0)
    a = torch.rand(m, k, generator=gen).to(dtype)
    if kind == "mm":
        b = torch.rand(k, n, generator=gen).to(dtype)
        c = torch.empty(m, n, dtype=dtype)
        op = lambda: torch.mm(a, b, out=c)  # noqa: E731
    else:
        w = torch.rand(n, k, generator=gen).to(dtype)
        op = lambda: F.linear(a, w)  # noqa: E731
    op()  # first call: library set-up, page faults
    best = 0.0
    for _ in range(repeats):
        calls, t0 = 0, time.monotonic()
        while True:
            op()
            calls += 1
            dt = time.monotonic() - t0
            if dt >= min_time:
                break
        best = max(best, 2.0 * m * k * n * calls / dt)
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--batches", default="8,32", help="batch sizes whose ViT shapes to measure (M = B*197)")
    p.add_argument("--precision", default="fp32,bf16")
    p.add_argument("--min-time", type=float, default=0.4, help="seconds per repeat")
    p.add_argument("--repeats", type=int, default=3)
    a = p.parse_args()
    import torch
    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    batches = [int(x) for x in a.batches.split(",") if x]
    dtypes = {"fp32": torch.float32, "bf16": torch.bfloat16}
    results = {}
    for prec in [x for x in a.precision.split(",") if x]:
        per_shape = {}
        for name, m, k, n, kind in shapes_for(batches):
            per_shape[name] = rate(torch, m, k, n, kind, dtypes[prec], a.min_time, a.repeats)
        best_name = max(per_shape, key=per_shape.get)
        results[prec] = {"shapes": per_shape, "best_flops": per_shape[best_name], "best_shape": best_name}
    print(json.dumps({"threads": a.threads, "torch_version": torch.__version__,
                      "blas": lb_env.blas_description(), "mkldnn": torch.backends.mkldnn.is_available(),
                      "min_time_s": a.min_time, "repeats": a.repeats, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
