#!/usr/bin/env python3
"""Where a ViT-B/16 training step's GPU time goes, kernel by kernel, in eager PyTorch and under
torch.compile: torch.profiler over a few steps after the warm-up (the data path, optimizer and
precision of bench/gpu_peers.py), kernels grouped into matrix products, attention, normalisation,
elementwise and casts, reductions and softmax, copies, the optimizer. The harness runs the same ATen
kernels as eager PyTorch (model, autocast, fused Adam) but for its own fused kernels, on by default
on GPUs: the residual add + LayerNorm (kernels/add_layer_norm.cpp), which replaces eager's adds,
LayerNorms and casts after them, and GELU's backward with the bias's gradient
(kernels/bias_gelu.cpp), which replaces GELU's backward, the bias's separate sum and its cast. The
eager column is the harness's step with those groups in place of its kernels; the difference to the
compiled column is what fusion saves. Always bf16 autocast. Prints one JSON line.
Usage: gpu_profile.py [--batch-size 128] [--steps 5] [--modes eager,compile]
"""
import argparse
import json
import sys


def category(name):
    n = name.lower()
    if any(k in n for k in ("gemm", "cutlass", "cublas", "sm90_xmma", "nvjet", "ampere_", "hopper_", "wgmma", "matmul")):
        return "matrix products"
    if any(k in n for k in ("flash", "fmha", "attention", "cudnn_generated_fort_native_sdpa")):
        return "attention"
    if any(k in n for k in ("layer_norm", "layernorm", "rms_norm")):
        return "normalisation"
    if "adam" in n or "fused_adam" in n or "multi_tensor_apply" in n:
        return "optimizer"
    if any(k in n for k in ("softmax", "reduce", "sum_kernel", "norm_kernel", "argmax", "nll_loss", "cross_entropy")):
        return "reductions, softmax, loss"
    if any(k in n for k in ("copy", "memcpy", "memset", "cat_", "transpose", "permute")):
        return "copies"
    if n.startswith("triton"):
        return "fused (Triton)"
    if any(k in n for k in ("elementwise", "vectorized", "gelu", "add", "mul", "cast", "fill")):
        return "elementwise, casts"
    return "other"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup-steps", type=int, default=10)
    p.add_argument("--modes", default="eager,compile")
    a = p.parse_args()
    import torch
    import torch.nn.functional as F
    import torchvision
    from torch.profiler import ProfilerActivity, profile

    dev = torch.device("cuda")
    out = {"batch_size": a.batch_size, "steps": a.steps, "torch_version": torch.__version__, "modes": {}}
    for mode in [m for m in a.modes.split(",") if m]:
        torch.manual_seed(0)
        model = torchvision.models.vit_b_16(num_classes=200).to(dev).train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
        run = torch.compile(model) if mode == "compile" else model
        x = torch.rand(a.batch_size, 3, 64, 64, device=dev)
        y = torch.randint(0, 200, (a.batch_size,), device=dev)

        def step():
            images = F.interpolate(x, size=(256, 256), mode="bilinear", align_corners=False)[:, :, 16:240, 16:240]
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=torch.bfloat16):
                loss = F.cross_entropy(run(images), y)
            loss.backward()
            opt.step()

        for _ in range(a.warmup_steps):
            step()
        torch.cuda.synchronize()
        with profile(activities=[ProfilerActivity.CUDA]) as prof:
            for _ in range(a.steps):
                step()
            torch.cuda.synchronize()
        kernels, launches = {}, 0
        for e in prof.key_averages():
            t = getattr(e, "self_device_time_total", None)
            if t is None:
                t = getattr(e, "self_cuda_time_total", 0)
            if t > 0 and e.key and not e.key.startswith("ProfilerStep"):
                kernels[e.key] = kernels.get(e.key, 0.0) + t / 1e3 / a.steps  # ms per step
                launches += e.count
        total = sum(kernels.values())
        groups = {}
        for name, ms in kernels.items():
            groups[category(name)] = groups.get(category(name), 0.0) + ms
        top = sorted(kernels.items(), key=lambda kv: -kv[1])[:15]
        out["modes"][mode] = {"kernel_ms_per_step": total, "kernels_per_step": launches / a.steps,
                              "groups_ms": dict(sorted(groups.items(), key=lambda kv: -kv[1])),
                              "top": [[name[:90], round(ms, 3)] for name, ms in top]}
        del model, opt, run
        torch.cuda.empty_cache()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
