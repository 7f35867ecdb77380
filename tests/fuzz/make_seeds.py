#!/usr/bin/env python3
"""Writes the fuzz targets' small seed corpora into tests/fuzz/seeds/<target>/ (checked in; run
again only to change them). Debian's python3: h5py, numpy, torch."""
import io
import os
import pathlib
import shutil
import sys
import zipfile

import h5py
import numpy as np
import torch

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "tests" / "analysis"))
from check_h5py_fixture import EPOCH, EVAL, STEP  # noqa: E402


def seeds(target):
    d = HERE / "seeds" / target
    shutil.rmtree(d, ignore_errors=True)
    d.mkdir(parents=True)
    return d


def results(path, steps=4):
    with h5py.File(path, "w", libver="latest") as f:
        f.attrs["schema_version"] = np.int64(2)
        g = f.create_group("runs").create_group("r1")
        for k, v in dict(status="completed", model="vit_micro", device="cpu", precision="fp32").items():
            g.attrs[k] = v
        for k, v in dict(epochs=1, world_size=1, nodes=1, batch_size=2, global_batch_size=2, train_samples=8,
                         full_train_samples=8, val_samples=2, device_count=0).items():
            g.attrs[k] = np.int64(v)
        g.attrs["wall_time_s"] = 3.0
        s = np.zeros(steps, STEP)
        s["step"] = np.arange(steps)
        s["samples"] = 2
        s["total_s"] = 0.1
        g.create_dataset("steps", data=s)
        e = np.zeros(1, EPOCH)
        e["train_time_s"], e["epoch_time_s"], e["train_samples"], e["val_samples"] = 0.4, 0.5, 8, 2
        g.create_dataset("epochs", data=e)
        v = np.zeros(1, EVAL)
        v["step"], v["val_samples"], v["val_time_s"], v["end_wall_s"] = steps, 2, 0.1, 0.5
        g.create_dataset("evaluations", data=v)
        g.create_dataset("rank_step_time_s", data=np.full((steps, 1), 0.1))


def main():
    d = seeds("fuzz_results_reader")
    results(d / "one_run.h5")

    d = seeds("fuzz_csv_import")
    shutil.copy(ROOT / "tests/analysis/data/wandb_vit_runs.csv", d / "wandb.csv")
    shutil.copy(ROOT / "analysis/reference/lumi_ai_guide.csv", d / "reference.csv")
    (d / "quoted.csv").write_text('Name,Runtime,total_gpus,Notes\n"a,b",12.5,8,"line\nbreak ""q"""\n=x,-1,3000000000,@y\n')

    d = seeds("fuzz_journal")
    head = '{"journal": "lumibench run", "schema_version": 2, "run_id": "r1", "world_size": 2}\n'
    (d / "run.jsonl").write_text(
        head + '{"attrs": {"status": "running", "epochs": 1, "model": "vit_micro"}}\n'
        '{"step": {"step": 0, "epoch": 0, "samples": 2, "total_s": 0.1}, "rank_total_s": [0.1, null]}\n'
        '{"epoch": {"epoch": 0, "train_time_s": 0.4}}\n{"evaluation": {"step": 1, "val_top1": 0.5}}\n'
        '{"allreduce_sweep": {"bytes": 1024, "seconds": 0.001, "ranks": 2}}\n{"energy": {}}\n{"step": ')
    (d / "header_only.jsonl").write_text(head)

    d = seeds("fuzz_cli")
    for i, argv in enumerate([["--device", "cpu", "--subset", "2%", "--batch-size", "8"],
                              ["--model=vit_tiny", "--lr", "1e-3", "--epochs", "3", "--max-steps", "5", "--adaptive", "0.05"],
                              ["--data", "x.h5", "--init-weights", "w.pt", "--replace-head", "--output", "o.h5"],
                              ["--precision", "bf16", "--comm-bucket-mb", "25", "--flush-interval", "10", "--subset"]]):
        (d / f"argv{i}").write_bytes(b"\0".join(a.encode() for a in argv))

    sd = {"conv_proj.weight": torch.zeros(2, 3), "heads.head.bias": torch.arange(4, dtype=torch.int64)}
    buf = io.BytesIO()
    torch.save(sd, buf)
    d = seeds("fuzz_torch_save")
    (d / "state_dict.pt").write_bytes(buf.getvalue())
    buf2 = io.BytesIO()
    torch.save({"model": sd, "epoch": 3, "lr": 0.5, "name": "x"}, buf2)
    (d / "checkpoint.pt").write_bytes(buf2.getvalue())

    d = seeds("fuzz_unpickle")
    for name, b in [("state_dict.pkl", buf), ("checkpoint.pkl", buf2)]:
        z = zipfile.ZipFile(io.BytesIO(b.getvalue()))
        (d / name).write_bytes(z.read([n for n in z.namelist() if n.endswith("data.pkl")][0]))


if __name__ == "__main__":
    main()
