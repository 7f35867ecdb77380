#!/usr/bin/env python3
"""Writes the PyTorch/torchvision reference that the C++ ViT is checked against.

Files in --out (all written with torch.save, as users write them):
  weights.pt          state_dict of torchvision's model (random init, fixed seed; see below)
  batch.pt            {'images' [B,3,H,W], 'labels' [B], 'logits' [B,C], 'loss' []}
  after_<opt>.pt      state_dict after --steps optimizer steps on that batch, for adam and adamw
  init_stats.pt       {key: tensor([mean, std, min, max])} of a freshly built model, to check that
                      the C++ initialisation follows torchvision's scheme tensor by tensor
  keys.txt            the state_dict keys in order
  model.txt           the model's name
"""
import argparse
import os

import torch
import torchvision
from torchvision.models.vision_transformer import VisionTransformer

# (image_size, patch_size, num_layers, num_heads, hidden_dim, mlp_dim): the C++ table's test sizes.
TINY = {"vit_tiny": (32, 8, 2, 4, 64, 128), "vit_micro": (16, 4, 1, 2, 32, 64)}

OPTIMIZERS = {
    "adam": lambda p: torch.optim.Adam(p, lr=1e-3),
    "adamw": lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05),
}


def build(name, num_classes):
    if name in TINY:
        return VisionTransformer(*TINY[name], num_classes=num_classes)
    return getattr(torchvision.models, name)(num_classes=num_classes)  # the real builder


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--num-classes", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=2)
    ap.add_argument("--steps", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)

    fresh = build(a.model, a.num_classes)
    torch.save({k: torch.stack([v.float().mean(), v.float().std() if v.numel() > 1 else torch.tensor(0.0),
                                v.float().min(), v.float().max()]) for k, v in fresh.state_dict().items()},
               os.path.join(a.out, "init_stats.pt"))
    with open(os.path.join(a.out, "model.txt"), "w") as f:
        f.write(a.model + "\n")
    with open(os.path.join(a.out, "keys.txt"), "w") as f:
        f.write("\n".join(fresh.state_dict().keys()) + "\n")

    model = build(a.model, a.num_classes)
    # torchvision zero-initialises the head, which leaves every other gradient of the first step at
    # zero; a random head makes one training step exercise the whole backward pass.
    with torch.no_grad():
        torch.nn.init.normal_(model.heads.head.weight, std=0.02)
        torch.nn.init.normal_(model.heads.head.bias, std=0.02)
    torch.save(model.state_dict(), os.path.join(a.out, "weights.pt"))

    size = model.image_size
    images = torch.randn(a.batch, 3, size, size)
    labels = torch.randint(0, a.num_classes, (a.batch,))
    loss_fn = torch.nn.CrossEntropyLoss()
    model.train()
    logits = model(images)
    torch.save({"images": images, "labels": labels, "logits": logits.detach(),
                "loss": loss_fn(logits, labels).detach()}, os.path.join(a.out, "batch.pt"))

    initial = {k: v.clone() for k, v in model.state_dict().items()}
    for name, make_opt in OPTIMIZERS.items():
        model.load_state_dict(initial)
        opt = make_opt(model.parameters())
        for _ in range(a.steps):
            opt.zero_grad()
            loss_fn(model(images), labels).backward()
            opt.step()
        torch.save(model.state_dict(), os.path.join(a.out, f"after_{name}.pt"))


if __name__ == "__main__":
    main()
