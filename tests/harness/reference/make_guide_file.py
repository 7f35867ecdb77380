#!/usr/bin/env python3
"""Writes small datasets in the LUMI AI guide's HDF5 format the way its converter does (h5py,
`images` float32 [N,3,64,64] in [0,1], `labels` int32 [N]), contiguous and chunked, plus the
expected content of a few samples (expected.pt) and malformed variants for the error tests."""
import argparse
import os

import h5py
import numpy as np
import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--samples", type=int, default=300)
    ap.add_argument("--classes", type=int, default=10)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = np.random.default_rng(0)
    labels = rng.integers(0, a.classes, a.samples).astype(np.int32)
    # Class-dependent brightness so that a tiny model can learn something from it.
    images = (rng.random((a.samples, 3, 64, 64), dtype=np.float32) * 0.5
              + (labels[:, None, None, None] / a.classes).astype(np.float32) * 0.5)
    with h5py.File(os.path.join(a.out, "guide_contiguous.h5"), "w") as f:
        f.create_dataset("images", data=images)
        f.create_dataset("labels", data=labels)
    with h5py.File(os.path.join(a.out, "guide_chunked.h5"), "w") as f:
        f.create_dataset("images", data=images, chunks=(16, 3, 64, 64), compression="gzip")
        f.create_dataset("labels", data=labels, chunks=(64,))
    picks = [2, 5, 9, 100, a.samples - 1]
    torch.save({"indices": torch.tensor(picks), "images": torch.from_numpy(images[picks]),
                "labels": torch.from_numpy(labels[picks].astype(np.int64))}, os.path.join(a.out, "expected.pt"))
    # Malformed files for the bad-input tests.
    with h5py.File(os.path.join(a.out, "bad_dtype.h5"), "w") as f:
        f.create_dataset("images", data=images.astype(np.float64))
        f.create_dataset("labels", data=labels)
    with h5py.File(os.path.join(a.out, "bad_shape.h5"), "w") as f:
        f.create_dataset("images", data=images[:, 0])
        f.create_dataset("labels", data=labels)
    with h5py.File(os.path.join(a.out, "no_labels.h5"), "w") as f:
        f.create_dataset("images", data=images)
    with h5py.File(os.path.join(a.out, "bad_labels.h5"), "w") as f:
        f.create_dataset("images", data=images)
        f.create_dataset("labels", data=(labels + 1000).astype(np.int32))
    with open(os.path.join(a.out, "not_hdf5.h5"), "w") as f:
        f.write("this is not an HDF5 file\n")


if __name__ == "__main__":
    main()
