#!/usr/bin/env python3
"""The strongest PyTorch a user would run instead of the harness on one GPU, timed the same way.

torchvision.models.vit_b_16(num_classes=200) from scratch, cross-entropy, torch.optim.Adam(fused=True)
at a constant learning rate, autocast in the given precision, and the harness's data path: a pool
of random 64x64 images and labels made once in pinned host memory, each batch uploaded with a
non-blocking copy and preprocessed on the GPU (the LUMI AI guide's Resize(256, bilinear) ->
CenterCrop(224) -> Normalize). Nothing reads the device between steps (no .item(), no sync): the
timed region is bracketed by two CUDA events and read once at its end, which is what a tuned
PyTorch loop does (logging every N steps costs one sync per N steps).

  --mode eager     the model as torchvision builds it (PyTorch 2.x's MHA runs SDPA)
  --mode compile   torch.compile(model) (Inductor, default mode), compiled during the warm-up

--device cpu --model vit_micro is the dry run CI takes (the same code on the CPU, tiny model, host
clock). Also measures the device's bf16 matrix-product rate on an 8192^3 product (--gemm), the yardstick of
"fraction of the measured GEMM rate". Prints one JSON line. Run each mode in its own process: a
compiled model that sees a second batch size recompiles with dynamic shapes.
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lb_env  # noqa: E402

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def gemm_rate(torch, n=8192, dtype=None, seconds=2.0):
    a = torch.randn(n, n, device="cuda", dtype=dtype)
    b = torch.randn(n, n, device="cuda", dtype=dtype)
    c = torch.empty(n, n, device="cuda", dtype=dtype)
    for _ in range(3):
        torch.mm(a, b, out=c)
    torch.cuda.synchronize()
    best = 0.0
    for _ in range(3):
        calls, start, end = 0, torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        t0 = time.monotonic()
        while time.monotonic() - t0 < seconds / 3:
            for _ in range(10):
                torch.mm(a, b, out=c)
            calls += 10
        end.record()
        end.synchronize()
        best = max(best, 2.0 * n ** 3 * calls / (start.elapsed_time(end) / 1e3))
    return best


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--mode", choices=("eager", "compile"), required=True)
    p.add_argument("--batch-size", type=int, required=True)
    p.add_argument("--precision", choices=("fp32", "bf16", "fp16"), default="bf16")
    p.add_argument("--warmup-steps", type=int, default=10)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--pool-batches", type=int, default=8, help="distinct batches in the pinned pool")
    p.add_argument("--num-classes", type=int, default=200)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--gemm", action="store_true", help="also measure the 8192^3 bf16 product rate")
    p.add_argument("--device", choices=("cuda", "cpu"), default="cuda", help="cpu: the dry run (no GPU)")
    p.add_argument("--model", choices=("vit_b_16", "vit_micro"), default="vit_b_16",
                   help="vit_micro: the harness's tiny test configuration, for dry runs")
    a = p.parse_args()
    if a.batch_size < 1 or a.steps < 1 or a.warmup_steps < 1:
        p.error("--batch-size, --steps and --warmup-steps must be positive")

    import torch
    import torch.nn.functional as F
    import torchvision

    gpu = a.device == "cuda"
    if gpu and not torch.cuda.is_available():
        p.error("no GPU visible to this PyTorch")
    if a.precision == "fp16" and not gpu:
        p.error("--precision fp16: only on GPUs")
    dev = torch.device(a.device)
    torch.manual_seed(a.seed)
    if gpu:
        torch.backends.cuda.matmul.allow_tf32 = True  # PyTorch users' usual setting for fp32; bf16 unaffected
        torch.backends.cudnn.allow_tf32 = True
    if a.model == "vit_b_16":
        model, size = torchvision.models.vit_b_16(num_classes=a.num_classes), 224
    else:  # the harness's vit_micro (harness/model/vit_config.cpp)
        model = torchvision.models.VisionTransformer(image_size=16, patch_size=4, num_layers=1, num_heads=2,
                                                     hidden_dim=32, mlp_dim=64, num_classes=a.num_classes)
        size = 16
    model = model.to(dev).train()
    # fused=True is PyTorch's fastest Adam on GPUs; on CPUs it exists from PyTorch 2.4.
    fused = gpu or tuple(int(x) for x in torch.__version__.split(".")[:2]) >= (2, 4)
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr, fused=fused) if fused else \
        torch.optim.Adam(model.parameters(), lr=a.lr)
    step_model = torch.compile(model) if a.mode == "compile" else model
    scaler = torch.amp.GradScaler("cuda") if a.precision == "fp16" else None
    low = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(a.precision)
    resize = round(size * 256 / 224)
    top = int(round((resize - size) / 2.0))

    gen = torch.Generator().manual_seed(a.seed)
    pool_images = torch.rand(a.pool_batches, a.batch_size, 3, 64, 64, generator=gen)
    pool_labels = torch.randint(0, a.num_classes, (a.pool_batches, a.batch_size), generator=gen)
    if gpu:
        pool_images, pool_labels = pool_images.pin_memory(), pool_labels.pin_memory()
    mean = torch.tensor(IMAGENET_MEAN, device=dev).view(1, 3, 1, 1)
    inv_std = 1.0 / torch.tensor(IMAGENET_STD, device=dev).view(1, 3, 1, 1)

    def batch(i):
        images = pool_images[i % a.pool_batches].to(dev, non_blocking=True)
        labels = pool_labels[i % a.pool_batches].to(dev, non_blocking=True)
        # Resize(256): the guide's 64 -> 256 upscale (antialiasing changes nothing when upscaling).
        x = F.interpolate(images, size=(resize, resize), mode="bilinear", align_corners=False)
        x = x[:, :, top:top + size, top:top + size]
        return (x - mean) * inv_std, labels

    def step(i):
        images, labels = batch(i)
        optimizer.zero_grad(set_to_none=True)
        with torch.autocast(a.device, dtype=low or torch.bfloat16, enabled=low is not None):
            loss = F.cross_entropy(step_model(images), labels)
        if scaler:
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()
        else:
            loss.backward()
            optimizer.step()
        return loss.detach()

    sync = torch.cuda.synchronize if gpu else (lambda: None)
    t0 = time.monotonic()
    for i in range(a.warmup_steps):
        last = step(i)
    sync()
    warmup_s = time.monotonic() - t0
    losses = []
    if gpu:
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
    t1 = time.monotonic()
    for i in range(a.steps):
        losses.append(step(a.warmup_steps + i))
    if gpu:
        end.record()
        end.synchronize()
        timed_s = start.elapsed_time(end) / 1e3
    else:
        timed_s = time.monotonic() - t1
    final_loss = float(losses[-1])
    if final_loss != final_loss:
        print(f"gpu_peers: loss is NaN after {a.warmup_steps + a.steps} steps", file=sys.stderr)
        return 3
    out = {
        "mode": a.mode, "batch_size": a.batch_size, "precision": a.precision,
        "warmup_steps": a.warmup_steps, "steps": a.steps, "timed_s": timed_s,
        "images_per_s": a.batch_size * a.steps / timed_s, "warmup_s": warmup_s,
        "model": a.model, "device": a.device,
        "train_flops_per_image": lb_env.vit_train_flops_per_image(num_classes=a.num_classes) if a.model == "vit_b_16"
        else None,
        "loss_first_timed": float(losses[0]), "loss_last": final_loss,
        "optimizer_impl": "fused" if fused else "foreach",
        "peak_device_memory_bytes": torch.cuda.max_memory_allocated() if gpu else 0,
        "torch_version": torch.__version__, "torchvision_version": torchvision.__version__,
        "gpu": torch.cuda.get_device_name(0) if gpu else "",
    }
    if a.gemm and gpu:
        out["gemm_bf16_8192_flops_per_s"] = gemm_rate(torch, dtype=torch.bfloat16)
    print(json.dumps(out))
    del last
    return 0


if __name__ == "__main__":
    sys.exit(main())
