#!/usr/bin/env python3
"""PyTorch/torchvision reference for the data pipeline and the schedule, written with torch.save.

  split.pt       random_split indices and DistributedSampler shards for a few (n, seed, world) cases
  schedule.pt    OneCycleLR learning rates and Adam beta1 for every step of a short run
  preprocess.pt  torchvision Resize(256)->CenterCrop(224)->Normalize on random images, for the guide's
                 64x64 images (224 output) and a tiny model's 32 px output
Prints the size of the difference between the guide's PIL route (uint8 quantisation first) and
the tensor route, for docs/data.md.
"""
import argparse
import os

import torch
import torchvision.transforms as T
from torch.utils.data import DistributedSampler, random_split

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def split_cases():
    out = {}
    for n, seed, val_fraction in [(1000, 42, 0.2), (37, 7, 0.3)]:
        train = int((1 - val_fraction) * n + 1e-9)
        tr, va = random_split(range(n), [train, n - train], generator=torch.Generator().manual_seed(seed))
        out[f"split_{n}_{seed}_train"] = torch.tensor(list(tr.indices))
        out[f"split_{n}_{seed}_val"] = torch.tensor(list(va.indices))
    for n, world in [(10, 3), (64, 4), (7, 2), (5, 8)]:
        for epoch in (0, 3):
            for rank in range(world):
                s = DistributedSampler(range(n), num_replicas=world, rank=rank, shuffle=True, seed=11)
                s.set_epoch(epoch)
                out[f"shard_{n}_{world}_{epoch}_{rank}"] = torch.tensor(list(iter(s)))
    return out


def schedule_case():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=1e-3)
    total, pct = 50, 0.1
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=total, pct_start=pct)
    lrs, betas = [], []
    for _ in range(total):
        lrs.append(opt.param_groups[0]["lr"])
        betas.append(opt.param_groups[0]["betas"][0])
        opt.step()
        sched.step()
    return {"lr": torch.tensor(lrs, dtype=torch.float64), "beta1": torch.tensor(betas, dtype=torch.float64),
            "total": torch.tensor(total), "pct_start": torch.tensor(pct, dtype=torch.float64)}


def preprocess_case():
    torch.manual_seed(0)
    out = {}
    # Both resize modes explicitly: antialiased (torchvision >= 0.17's default for tensors, and PIL's
    # behaviour) and plain bilinear (torchvision 0.14's default). "guide" upscales (64 -> 256), the
    # others downscale.
    for name, size, crop in [("guide", 64, 224), ("tiny", 64, 32), ("rect", 48, 32), ("big", 300, 224)]:
        resize = round(crop * 256 / 224)
        images = torch.rand(2 if name == "big" else 4, 3, size, size + (16 if name == "rect" else 0))
        out[f"{name}_input"] = images
        for mode, antialias in [("aa", True), ("plain", False)]:
            t = T.Compose([T.Resize(resize, interpolation=T.InterpolationMode.BILINEAR, antialias=antialias),
                           T.CenterCrop(crop), T.Normalize(MEAN, STD)])
            out[f"{name}_{mode}_expected"] = torch.stack([t(img) for img in images])
    # The guide's PIL route quantises to uint8 before resizing (and PIL's bilinear filter differs).
    images = out["guide_input"]
    pil = T.Compose([T.ToPILImage(), T.Resize(256), T.CenterCrop(224), T.ToTensor(), T.Normalize(MEAN, STD)])
    diff = max((pil(img) - e).abs().max().item() for img, e in zip(images, out["guide_aa_expected"]))
    print(f"PIL route vs tensor route: max abs difference after Normalize {diff:.4f}")
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.save(split_cases(), os.path.join(a.out, "split.pt"))
    torch.save(schedule_case(), os.path.join(a.out, "schedule.pt"))
    torch.save(preprocess_case(), os.path.join(a.out, "preprocess.pt"))


if __name__ == "__main__":
    main()
