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
compiled column is what fusion saves. Always bf16 autocast. With --harness-profile, the harness's
own steps beside them, from the summary its --profile-steps wrote (harness/train/step_profile.h):
its device kernels on a GPU; on a CPU (the device check's dry run) its host operators' own time,
in the same groups. The harness's column includes its batch's upload (64x64 images, a host-to-device
copy of about 6 MB at batch 128), which the peers here leave out (their batch is on the GPU already).
Prints one JSON line.
Usage: gpu_profile.py [--batch-size 128] [--steps 5] [--modes eager,compile] [--harness-profile FILE]
"""
import argparse
import json
import sys


# ATen's matrix products by operator name (the host's view, where a GPU's kernel names say gemm).
ATEN_PRODUCTS = ("aten::mm", "aten::addmm", "aten::bmm", "aten::baddbmm", "aten::_addmm_activation", "aten::matmul")


def category(name):
    n = name.lower()
    if n in ATEN_PRODUCTS or any(k in n for k in ("gemm", "cutlass", "cublas", "sm90_xmma", "nvjet", "ampere_", "hopper_", "wgmma", "matmul")):
        return "matrix products"
    if any(k in n for k in ("flash", "fmha", "attention", "cudnn_generated_fort_native_sdpa", "softmax_backward_data")):
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


def summary(kernels, launches, steps):
    """kernels: {name: ms per step}; the JSON form of one column."""
    groups = {}
    for name, ms in kernels.items():
        groups[category(name)] = groups.get(category(name), 0.0) + ms
    top = sorted(kernels.items(), key=lambda kv: -kv[1])[:15]
    return {"kernel_ms_per_step": sum(kernels.values()), "kernels_per_step": launches / steps,
            "groups_ms": dict(sorted(groups.items(), key=lambda kv: -kv[1])),
            "top": [[name[:90], round(ms, 3)] for name, ms in top]}


def harness_column(path):
    """The harness's --profile-steps summary as a column: device kernels where it ran on a GPU, else
    its host operators' own time (on a CPU, that is where the step's time goes)."""
    with open(path) as f:
        p = json.load(f)
    steps = p["steps"]
    if steps < 1:
        raise SystemExit(f"gpu_profile.py: --harness-profile {path}: no step was profiled")
    if p["device"] != "cpu" and not p["device_kernels"]:
        # Host time is no stand-in for a GPU's kernels: the device's tracer (CUPTI, roctracer) saw nothing.
        raise SystemExit(f"gpu_profile.py: --harness-profile {path}: no device kernel was recorded on {p['device']}")
    calls = p["device_kernels"] or p["host_ops"]
    if not calls:
        raise SystemExit(f"gpu_profile.py: --harness-profile {path}: nothing was recorded")
    kernels = {c["name"]: c["self_s"] * 1e3 / steps for c in calls}
    column = summary(kernels, sum(c["count"] for c in calls), steps)
    column.update(source="device kernels" if p["device_kernels"] else "host operators, own time",
                  device=p["device"], steps=steps, first_step=p["first_step"], profiled_s_per_step=p["span_s"] / steps)
    return column


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup-steps", type=int, default=10)
    p.add_argument("--modes", default="eager,compile")
    p.add_argument("--harness-profile", help="the summary the harness's --profile-steps wrote")
    a = p.parse_args()
    out = {"batch_size": a.batch_size, "steps": a.steps, "modes": {}}
    if a.harness_profile:
        out["modes"]["harness"] = harness_column(a.harness_profile)
    modes = [m for m in a.modes.split(",") if m]
    if not modes:
        print(json.dumps(out))
        table(out)
        return 0
    import torch
    import torch.nn.functional as F
    import torchvision
    from torch.profiler import ProfilerActivity, profile

    dev = torch.device("cuda")
    out["torch_version"] = torch.__version__
    for mode in modes:
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
        out["modes"][mode] = summary(kernels, launches, a.steps)
        del model, opt, run
        torch.cuda.empty_cache()
    print(json.dumps(out))
    table(out)
    return 0


def table(out):
    """The groups' milliseconds per step, one column per program, on stderr (stdout keeps the JSON)."""
    cols = out["modes"]
    groups = sorted({g for c in cols.values() for g in c["groups_ms"]},
                    key=lambda g: -max(c["groups_ms"].get(g, 0.0) for c in cols.values()))
    print(f"{'ms per step':28}" + "".join(f"{m:>12}" for m in cols), file=sys.stderr)
    for g in groups + ["all", "calls per step"]:
        cells = []
        for c in cols.values():
            v = c["kernel_ms_per_step"] if g == "all" else c["kernels_per_step"] if g == "calls per step" else c["groups_ms"].get(g)
            cells.append(f"{v:12.2f}" if g != "calls per step" and v is not None else f"{v:12.0f}" if v is not None else f"{'-':>12}")
        print(f"{g:28}" + "".join(cells), file=sys.stderr)
    for m, c in cols.items():
        if "source" in c:
            print(f"{m}: {c['source']} on {c['device']}, steps {c['first_step']} to {c['first_step'] + c['steps'] - 1}",
                  file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
