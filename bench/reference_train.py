#!/usr/bin/env python3
"""PyTorch's own training loop for ViT-B/16, the reference side of bench/vs_pytorch.sh.

torchvision.models.vit_b_16(num_classes=200) from scratch, cross-entropy, torch.optim.Adam with a
constant learning rate, T intra-op threads, synthetic data made every step: random 64x64 images in
[0,1], then the LUMI AI guide's transform on the batch tensor (Resize(256, bilinear) ->
CenterCrop(224) -> Normalize(ImageNet mean/std)). The data path is timed as part of the step, as
the harness's step includes its data path. Prints one JSON line:
images/s over the timed steps, the per-step times and the peak RSS of this process.
"""
import argparse
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lb_env  # noqa: E402

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--threads", type=int, required=True)
    p.add_argument("--precision", choices=("fp32", "bf16", "fp16"), default="fp32")  # fp16: refused below
    p.add_argument("--device", choices=("cpu",), default="cpu",
                   help="CPU only: the GPU peers are bench/gpu_peers.py (no per-step sync, pinned data path, "
                        "fused Adam, and torch.compile), which tests/device/gpu_check.sh runs")
    p.add_argument("--model", default="vit_b_16", help="vit_b_16, or vit_micro (a tiny stand-in for dry runs)")
    p.add_argument("--warmup-steps", type=int, default=2)
    p.add_argument("--steps", type=int, default=4, help="timed steps after the warm-up")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--num-classes", type=int, default=200)
    p.add_argument("--seed", type=int, default=42)
    a = p.parse_args()
    if a.batch_size < 1 or a.threads < 1 or a.steps < 1 or a.warmup_steps < 0:
        p.error("--batch-size, --threads and --steps must be positive, --warmup-steps 0 or more")

    t_start = time.monotonic()
    import torch
    import torch.nn.functional as F
    import torchvision
    from torchvision import transforms as T

    torch.set_num_threads(a.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # only allowed before any inter-op work has started
    torch.manual_seed(a.seed)
    dev = torch.device("cpu")
    if a.precision == "fp16":
        p.error("--precision fp16: only on GPUs (bench/gpu_peers.py)")
    if a.model == "vit_b_16":
        model = torchvision.models.vit_b_16(num_classes=a.num_classes)
        size = 224
    elif a.model == "vit_micro":  # the harness's tiny test configuration (model/vit_config.cpp)
        model = torchvision.models.VisionTransformer(image_size=16, patch_size=4, num_layers=1, num_heads=2,
                                                     hidden_dim=32, mlp_dim=64, num_classes=a.num_classes)
        size = 16
    else:
        p.error(f"--model {a.model}: expected vit_b_16 or vit_micro")
    model.to(dev).train()
    # PyTorch's defaults: for-each (multi-tensor) Adam on GPUs, per-parameter on CPUs.
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)
    # Tensor transforms: bilinear without antialiasing (torchvision 0.14's default for tensors), as
    # the harness's kernels/preprocess.cpp.
    transform = T.Compose([
        T.Resize(round(size * 256 / 224), interpolation=T.InterpolationMode.BILINEAR),
        T.CenterCrop(size),
        T.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])
    gen = torch.Generator().manual_seed(a.seed)
    low = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(a.precision)
    autocast = (lambda: torch.autocast(dev.type, dtype=low)) if low else None
    setup_s = time.monotonic() - t_start

    rows = []
    for step in range(a.warmup_steps + a.steps):
        t0 = time.monotonic()
        images = torch.rand(a.batch_size, 3, 64, 64, generator=gen)
        labels = torch.randint(0, a.num_classes, (a.batch_size,), generator=gen)
        images = transform(images)
        t1 = time.monotonic()
        optimizer.zero_grad()
        if autocast:
            with autocast():
                logits = model(images)
                loss = F.cross_entropy(logits, labels)
        else:
            logits = model(images)
            loss = F.cross_entropy(logits, labels)
        t2 = time.monotonic()
        loss.backward()
        t3 = time.monotonic()
        optimizer.step()
        t4 = time.monotonic()
        loss_value = loss.item()  # as the harness: loss and accuracy of the step
        logits.argmax(1).eq(labels).sum().item()
        t5 = time.monotonic()
        rows.append({"step": step, "warmup": step < a.warmup_steps, "samples": a.batch_size,
                     "data_s": t1 - t0, "forward_s": t2 - t1, "backward_s": t3 - t2,
                     "optimizer_s": t4 - t3, "total_s": t5 - t0, "loss": loss_value})
        if loss_value != loss_value or loss_value in (float("inf"), float("-inf")):
            print(f"reference_train: loss is {loss_value} at step {step}", file=sys.stderr)
            return 3

    timed = [r for r in rows if not r["warmup"]]
    total = sum(r["total_s"] for r in timed)
    out = {
        "images_per_s": sum(r["samples"] for r in timed) / total if total > 0 else 0.0,
        "timed_s": total,
        "data_fraction": sum(r["data_s"] for r in timed) / total if total > 0 else 0.0,
        "setup_s": setup_s,
        "batch_size": a.batch_size, "threads": a.threads, "interop_threads": torch.get_num_interop_threads(),
        "precision": a.precision, "device": a.device, "model": a.model,
        "warmup_steps": a.warmup_steps, "steps": a.steps,
        "optimizer_impl": "per-parameter",
        "train_flops_per_image": lb_env.vit_train_flops_per_image(num_classes=a.num_classes) if a.model == "vit_b_16" else None,
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,  # Linux: KiB
        "torch_version": torch.__version__, "torchvision_version": torchvision.__version__,
        "blas": lb_env.blas_description(),
        "step_rows": rows,
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
