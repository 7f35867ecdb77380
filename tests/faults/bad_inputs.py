#!/usr/bin/env python3
"""Bad inputs: one catalogue of malformed inputs for `harness` and `analyze`, each run against the
real program and checked for a one-line message naming the option, file or dataset, the documented
exit code, no crash, no hang and no partial output presented as complete.

Usage: bad_inputs.py [--harness PATH] [--analyze PATH] [--only SUBSTRING] [--markdown FILE] [--list]

Without --harness (a build without LibTorch) the harness categories are skipped. Prints a table
(category, input, expected, got, result) and closes with "N passed, M failed"; exit 1 on any
failure. docs/reliability.md ("Bad inputs") holds the table of a real run."""
import argparse
import csv
import io
import json
import os
import pathlib
import pickle
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zipfile

csv.field_size_limit(sys.maxsize)  # the long-name case reads a 10 MB cell back

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "analysis"))

# What every harness case adds: the smallest model, no progress output, one thread, no GEMM probe,
# and a run of at most one step should a bad input slip through.
TINY = ["--model", "vit_micro", "--progress", "none", "--threads", "1", "--gemm-probe", "0", "--epochs", "1",
        "--max-steps", "1", "--warmup-epochs", "0"]
DATA = ["--num-classes", "10", "--batch-size", "2"]
TIMEOUT_S = 120
MEMORY_LIMIT = 8 << 30  # address space of analyze (the harness maps LibTorch, so it gets none)


# ---------------------------------------------------------------------------------------------
# Fixtures: written once per run into a shared folder, on first use.

class Fixtures:
    def __init__(self, root):
        self.root = pathlib.Path(root)
        self.cache = {}

    def path(self, name):
        return str(self.root / name)

    def get(self, name, writer):
        if name not in self.cache:
            p = self.root / name
            writer(str(p))
            self.cache[name] = str(p)
        return self.cache[name]


def np():
    import numpy
    return numpy


def h5():
    import h5py
    return h5py


def guide_arrays(n=40, h=16, w=16, classes=10):
    numpy = np()
    rng = numpy.random.default_rng(0)
    labels = rng.integers(0, classes, n).astype(numpy.int32)
    images = rng.random((n, 3, h, w), dtype=numpy.float32)
    return images, labels


def write_guide(path, images=None, labels=None, **kw):
    """The LUMI AI guide's format, with `images` and/or `labels` replaced by what a case needs.
    Pass images=False or labels=False to leave that dataset out."""
    gi, gl = guide_arrays(**kw)
    with h5().File(path, "w") as f:
        if images is not False:
            f.create_dataset("images", data=gi if images is None else images)
        if labels is not False:
            f.create_dataset("labels", data=gl if labels is None else labels)


def truncate(src, dst, fraction=0.5):
    data = pathlib.Path(src).read_bytes()
    pathlib.Path(dst).write_bytes(data[: int(len(data) * fraction)])


def good_guide(fx):
    return fx.get("guide_good.h5", lambda p: write_guide(p))


# ---- results files (docs/hdf5-schema.md), written with the h5py fixture writer of tests/analysis

def write_results(path, mutate=None, runs=("laptop",)):
    from check_h5py_fixture import write_run
    with h5().File(path, "w") as f:
        f.attrs["schema_version"] = np().int64(2)
        group = f.create_group("runs")
        for run_id in runs:
            write_run(group, run_id, device="cpu", world=1, nodes=1, threads=1, batch=32, fraction=0.01,
                      per_sample=0.05, val_per_sample=0.01, acc=[0.1, 0.2, 0.3])
        if mutate:
            mutate(f)


def good_results(fx):
    return fx.get("good_results.h5", write_results)


def replace_table(run, name, fn):
    """Rewrites table `name` of a run group through fn(numpy array) -> array."""
    data = run[name][()]
    del run[name]
    new = fn(data)
    if new is not None:
        run.create_dataset(name, data=new)


def set_field(name, field, value, rows=slice(None)):
    def mutate(f):
        def fn(a):
            a[field][rows] = value
            return a
        replace_table(f["runs/laptop"], name, fn)
    return mutate


# ---- torch.save files

def torch_save(obj, path, **kw):
    import torch
    torch.save(obj, path, **kw)


def zip_with_pickle(path, payload):
    """A torch.save zip archive whose data.pkl is `payload` (a pickle the case wrote by hand)."""
    import torch
    buf = io.BytesIO()
    torch.save({"w": torch.zeros(2)}, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.endswith("/data.pkl"):
                data = payload
            out.writestr(info.filename, data)


class RunShell:
    """Unpickling this runs `touch MARKER` through os.system: the reader must not execute it."""
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch " + self.marker,))


class RunEval:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (eval, ("open(%r, 'w').close()" % self.marker,))


# ---- images

def write_image(path, size=(16, 16), color=(100, 150, 200)):
    from PIL import Image
    Image.new("RGB", size, color).save(path)


def image_folder(root, classes=("a", "b"), per_class=3, size=(16, 16), ext="png"):
    for c in classes:
        os.makedirs(os.path.join(root, c), exist_ok=True)
        for i in range(per_class):
            write_image(os.path.join(root, c, f"{c}_{i}.{ext}"), size)


# ---- W&B exports

WANDB_HEADER = "Name,State,Runtime,total_gpus,nodes,device_type,epochs,batch_size_per_gpu,val_accuracy"
WANDB_ROW = "run-{i},finished,{rt},8,1,rocm,10,32,0.9"


def wandb(rows=None, header=WANDB_HEADER):
    rows = rows if rows is not None else [WANDB_ROW.format(i=i, rt=1000 + i) for i in range(2)]
    return "\n".join([header] + rows) + "\n"


def write_text(path, text, mode="w"):
    with open(path, mode) as f:
        f.write(text)
    return path


# ---------------------------------------------------------------------------------------------
# The catalogue.

class Case:
    def __init__(self, category, name, tool, args, code, expect=(), warn=False, check=None, timeout=TIMEOUT_S,
                 mode="error"):
        self.category, self.name, self.tool, self.args = category, name, tool, args
        self.code, self.expect, self.check, self.timeout = code, tuple(expect), check, timeout
        # error: exit `code`, one line naming it; warning: exit 0 with the warning once, outputs complete
        self.mode = "warning" if warn else mode


CASES = []


def case(*a, **kw):
    CASES.append(Case(*a, **kw))


def harness_opt(name, args, expect, category="cli"):
    case(category, name, "harness", lambda ctx, args=args: TINY + list(args), 2, expect)


# ---- CLI: every option with a bad value --------------------------------------------------------
for opt, value, expect in [
    ("--batch-size", "abc", ["--batch-size 'abc'"]),
    ("--batch-size", "99999999999", ["--batch-size '99999999999'"]),
    ("--batch-size", "-1", ["--batch-size"]),
    ("--batch-size", "0", ["--batch-size 0"]),
    ("--batch-size", "", ["--batch-size"]),
    ("--batch-size", "1e3", ["--batch-size '1e3'"]),
    ("--epochs", "99999999999", ["--epochs"]),
    ("--epochs", "nan", ["--epochs 'nan'"]),
    ("--max-steps", "99999999999999999999", ["--max-steps"]),
    ("--max-steps", "-5", ["--max-steps"]),
    ("--lr", "nan", ["--lr"]),
    ("--lr", "inf", ["--lr"]),
    ("--lr", "-1", ["--lr"]),
    ("--lr", "1e999", ["--lr"]),
    ("--lr", "", ["--lr"]),
    ("--dropout", "nan", ["--dropout"]),
    ("--dropout", "1.5", ["--dropout"]),
    ("--weight-decay", "-inf", ["--weight-decay"]),
    ("--label-smoothing", "1", ["--label-smoothing"]),
    ("--grad-clip", "-1", ["--grad-clip"]),
    ("--val-fraction", "0", ["--val-fraction"]),
    ("--val-fraction", "nan", ["--val-fraction"]),
    ("--warmup-epochs", "nan", ["--warmup-epochs"]),
    ("--seed", "-1", ["--seed"]),
    ("--seed", "99999999999999999999999", ["--seed"]),
    ("--threads", "-2", ["--threads"]),
    ("--threads", "99999999", ["--threads 99999999"]),
    ("--loader-workers", "0", ["--loader-workers"]),
    ("--loader-workers", "100000", ["--loader-workers 100000"]),
    ("--prefetch", "1000000000", ["--prefetch 1000000000"]),
    ("--synthetic-samples", "1", ["--synthetic-samples"]),
    ("--synthetic-samples", "1000000000000", ["--synthetic-samples 1000000000000"]),
    ("--num-classes", "1", ["--num-classes 1"]),
    ("--num-classes", "2147483647", ["--num-classes 2147483647"]),
    ("--num-classes", "99999999999", ["--num-classes '99999999999'"]),
    ("--device", "tpu", ["--device 'tpu': expected one of cpu, cuda, rocm"]),
    ("--device", "", ["--device '': expected one of"]),
    ("--model", "vit_x_1", ["--model", "vit_x_1"]),
    ("--model", "", ["--model"]),
    ("--optimizer", "lamb", ["--optimizer 'lamb'"]),
    ("--optimizer-impl", "turbo", ["--optimizer-impl 'turbo'"]),
    ("--precision", "fp8", ["--precision 'fp8'"]),
    ("--lr-schedule", "cosine", ["--lr-schedule 'cosine'"]),
    ("--progress", "fancy", ["--progress 'fancy'"]),
    ("--comm", "mpi", ["--comm 'mpi'"]),
    ("--comm-sweep", "maybe", ["--comm-sweep 'maybe'"]),
    ("--resize-antialias", "yes", ["--resize-antialias 'yes'"]),
    ("--graph-capture", "auto", ["--graph-capture 'auto'"]),
    ("--comm-bucket-mb", "0", ["--comm-bucket-mb"]),
    ("--comm-bucket-mb", "1e30", ["--comm-bucket-mb"]),
    ("--comm-bucket-mb", "nan", ["--comm-bucket-mb"]),
    ("--comm-timeout", "0", ["--comm-timeout"]),
    ("--flush-interval", "inf", ["--flush-interval"]),
    ("--flush-interval", "1e300", ["--flush-interval"]),
    ("--stop-grace", "-1", ["--stop-grace"]),
    ("--gemm-probe", "1e9", ["--gemm-probe"]),
    ("--repeat", "0", ["--repeat 0"]),
    ("--repeat", "99999999999", ["--repeat"]),
    ("--adaptive", "nan", ["--adaptive"]),
    ("--progress-interval", "nan", ["--progress-interval"]),
    ("--progress-interval", "-1", ["--progress-interval"]),
    ("--eval-every", "-1", ["--eval-every"]),
    ("--warmup-steps", "-1", ["--warmup-steps"]),
    ("--profile-steps", "-1", ["--profile-steps -1"]),
    ("--profile-steps", "many", ["--profile-steps"]),
    ("--subset", "0%", ["--subset '0%'"]),
    ("--subset", "abc", ["--subset"]),
    ("--subset", "250%", ["--subset '250%'"]),
    ("--output", "", ["--output"]),
    ("--init-weights", "", ["--init-weights"]),
    ("--data", "", ["--data"]),
]:
    harness_opt(f"{opt} {value!r}", [opt, value], expect)

harness_opt("--subset= (empty value)", ["--subset="], ["--subset"])
harness_opt("--graph-capture on with dropout", ["--graph-capture", "on", "--dropout", "0.1"], ["--graph-capture on", "--dropout 0"])
harness_opt("--adaptive 0.05 without --max-steps", ["--max-steps", "0", "--adaptive", "0.05"], ["--adaptive"])
harness_opt("--precision fp16 on cpu", ["--precision", "fp16"], ["--precision fp16"])
harness_opt("--warmup-epochs longer than --epochs", ["--warmup-epochs", "5"], ["--warmup-epochs 5"])
harness_opt("--replace-head without --init-weights", ["--replace-head"], ["--replace-head"])
harness_opt("unknown option --bogus", ["--bogus"], ["bogus"])
harness_opt("stray positional argument", ["extra"], ["'extra'"])
harness_opt("--device given twice (the last one wins: cuda)", ["--device", "cpu", "--device", "cuda"],
            ["--device cuda: no GPU is visible"])
harness_opt("--init-weights given twice", ["--init-weights", "a.pt", "--init-weights", "b.pt"], ["--init-weights", "twice"])
case("cli", "--output given twice", "harness",
     lambda ctx: TINY + ["--output", ctx.tmp + "/a.h5", "--output", ctx.tmp + "/b.h5"], 2, ["--output", "twice"],
     check=lambda ctx, r: [f"{p} was created" for p in ("a.h5", "b.h5") if os.path.exists(ctx.tmp + "/" + p)])
case("cli", "--data given twice", "harness",
     lambda ctx: TINY + ["--data", "synthetic", "--data", good_guide(ctx.fx)], 2, ["--data", "twice"])


# ---- the dataset file (the LUMI AI guide's HDF5 format) ---------------------------------------
def data_case(name, writer, expect, extra=()):
    def args(ctx):
        p = os.path.join(ctx.tmp, "data.h5")
        writer(p, ctx)
        return TINY + DATA + list(extra) + ["--data", p]
    case("dataset", name, "harness", args, 2, expect)


def arr(fn):
    """A writer that builds images/labels from the good arrays."""
    return lambda p, ctx: fn(p, *guide_arrays())


data_case("not an HDF5 file (text)", lambda p, ctx: write_text(p, "images,labels\n1,2\n"), ["--data", "not an HDF5 file"])
data_case("random bytes", lambda p, ctx: write_text(p, os.urandom(4096), "wb"), ["--data", "not an HDF5 file"])
data_case("empty file (0 bytes)", lambda p, ctx: write_text(p, ""), ["--data", "not an HDF5 file"])
data_case("truncated file (half)", lambda p, ctx: truncate(good_guide(ctx.fx), p), ["--data"])
data_case("truncated file (superblock only)", lambda p, ctx: truncate(good_guide(ctx.fx), p, 0.002), ["--data"])
data_case("images float64", arr(lambda p, i, l: write_guide(p, images=i.astype("float64"))),
          ["--data", "'images' is not float32"])
data_case("images uint8 0..255", arr(lambda p, i, l: write_guide(p, images=(i * 255).astype("uint8"))),
          ["--data", "'images' is not float32"])
data_case("images int32", arr(lambda p, i, l: write_guide(p, images=(i * 255).astype("int32"))),
          ["--data", "'images' is not float32"])
data_case("images [N,H,W] (3-D)", arr(lambda p, i, l: write_guide(p, images=i[:, 0])), ["--data", "3 dimensions"])
data_case("images [N,1,H,W] (grey)", arr(lambda p, i, l: write_guide(p, images=i[:, :1])), ["--data", "'images' has shape"])
data_case("images [N,H,W,3] (channels last)", arr(lambda p, i, l: write_guide(p, images=i.transpose(0, 2, 3, 1).copy())),
          ["--data", "'images' has shape"])
data_case("images scalar", arr(lambda p, i, l: write_guide(p, images=np().float32(0.5))), ["--data", "'images'"])
data_case("images missing", arr(lambda p, i, l: write_guide(p, images=False)), ["--data", "no dataset 'images'"])
data_case("labels missing", arr(lambda p, i, l: write_guide(p, labels=False)), ["--data", "no dataset 'labels'"])


def images_group(p, ctx):
    with h5().File(p, "w") as f:
        f.create_group("images")
        f.create_dataset("labels", data=guide_arrays()[1])


data_case("images is a group", images_group, ["--data", "'images'"])
data_case("labels float32", arr(lambda p, i, l: write_guide(p, labels=l.astype("float32"))),
          ["--data", "'labels' is not an integer type"])
data_case("labels strings", arr(lambda p, i, l: write_guide(p, labels=np().array([b"cat"] * len(l)))),
          ["--data", "'labels' is not an integer type"])
data_case("labels [N,1] (2-D)", arr(lambda p, i, l: write_guide(p, labels=l[:, None])),
          ["--data", "'labels' is not one-dimensional"])
data_case("labels int64 above 2^31", arr(lambda p, i, l: write_guide(p, labels=l.astype("int64") + (1 << 40))),
          ["--data", "label", "outside [0, 10)"])
data_case("labels negative", arr(lambda p, i, l: write_guide(p, labels=l - 20)), ["--data", "outside [0, 10)"])
data_case("labels >= --num-classes", arr(lambda p, i, l: write_guide(p, labels=l + 10)), ["--data", "outside [0, 10)"])
data_case("N mismatch (labels shorter)", arr(lambda p, i, l: write_guide(p, labels=l[:-5])),
          ["--data", "'labels' has 35 entries but 'images' has 40"])
data_case("N mismatch (images shorter)", arr(lambda p, i, l: write_guide(p, images=i[:-1])),
          ["--data", "'labels' has 40 entries but 'images' has 39"])
data_case("empty datasets (N = 0)", arr(lambda p, i, l: write_guide(p, images=i[:0], labels=l[:0])),
          ["--data", "'images' is empty"])
data_case("one sample (N = 1)", arr(lambda p, i, l: write_guide(p, images=i[:1], labels=l[:1])),
          ["--data", "'images' is empty"])
data_case("zero-sized images [N,3,0,16]", arr(lambda p, i, l: write_guide(p, images=i[:, :, :0])),
          ["--data", "'images' is empty"])


def huge_images(p, ctx):
    with h5().File(p, "w") as f:
        f.create_dataset("images", shape=(4, 3, 1 << 20, 1 << 20), dtype="float32", chunks=(1, 1, 64, 64))
        f.create_dataset("labels", data=np().zeros(4, dtype="int32"))


data_case("images 1048576x1048576 (declared, unwritten)", huge_images, ["--data", "pixels"])


def pixels(value, where=slice(None)):
    def writer(p, ctx):
        images, labels = guide_arrays()
        images[where] = value
        write_guide(p, images=images, labels=labels)
    return writer


data_case("NaN pixels (all)", pixels(float("nan")), ["--data", "NaN", "[0, 1]"])
data_case("NaN pixel (one, last image)", pixels(float("nan"), (39, 2, 15, 15)), ["--data", "[0, 1]"])
data_case("inf pixels", pixels(float("inf"), (0,)), ["--data", "[0, 1]"])
data_case("pixels 0..255", arr(lambda p, i, l: write_guide(p, images=i * 255)), ["--data", "[0, 1]", "0..255"])
data_case("pixels 1e30", pixels(1e30, (5,)), ["--data", "[0, 1]"])
data_case("pixels -1", pixels(-1.0, (7, 1)), ["--data", "[0, 1]"])


def directory_case(name, make, expect):
    def args(ctx):
        root = os.path.join(ctx.tmp, "images")
        os.makedirs(root)
        make(root)
        return TINY + DATA + ["--data", root]
    case("image folder", name, "harness", args, 2, expect)


directory_case("a directory without class folders", lambda r: write_text(os.path.join(r, "readme.txt"), "x"),
               ["--data", "no class folders"])
directory_case("class folders without images", lambda r: [os.makedirs(os.path.join(r, c)) for c in "ab"],
               ["--data", "holds no image"])


def empty_class(root):
    image_folder(root)
    os.makedirs(os.path.join(root, "c_empty"))


directory_case("an empty class folder", empty_class, ["--data", "c_empty", "no image"])


def corrupt(ext, data):
    def make(root):
        image_folder(root)
        write_text(os.path.join(root, "b", "b_bad." + ext), data, "wb")
    return make


directory_case("corrupt JPEG (random bytes)", corrupt("jpg", os.urandom(2000)), ["--data", "b_bad.jpg", "JPEG"])
directory_case("corrupt PNG (random bytes)", corrupt("png", b"\x89PNG\r\n\x1a\n" + os.urandom(200)),
               ["--data", "b_bad.png", "PNG"])
directory_case("empty JPEG file", corrupt("JPEG", b""), ["--data", "b_bad.JPEG"])


def truncated_jpeg(root):
    image_folder(root, ext="jpg")
    src = os.path.join(root, "a", "a_0.jpg")
    data = pathlib.Path(src).read_bytes()
    pathlib.Path(os.path.join(root, "b", "b_bad.jpg")).write_bytes(data[:60])


directory_case("truncated JPEG (60 bytes)", truncated_jpeg, ["--data", "b_bad.jpg"])


def jpeg_named_png(root):
    image_folder(root)
    from PIL import Image
    Image.new("RGB", (16, 16)).save(os.path.join(root, "b", "b_bad.png"), format="JPEG")


directory_case("a JPEG named .png", jpeg_named_png, ["--data", "b_bad.png", "PNG"])


def mixed_sizes(root):
    image_folder(root)
    write_image(os.path.join(root, "b", "b_big.png"), (32, 24))


directory_case("mixed image sizes", mixed_sizes, ["--data", "b_big.png", "32x24", "16x16"])


def huge_png(root):
    image_folder(root)
    # A valid PNG header that declares 100000 x 100000 pixels (30 GB decoded) over a few bytes.
    import zlib
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)) + \
        chunk(b"IDAT", zlib.compress(b"\0" * 100)) + chunk(b"IEND", b"")
    write_text(os.path.join(root, "b", "b_huge.png"), png, "wb")


directory_case("PNG declaring 100000x100000 pixels", huge_png, ["--data", "b_huge.png"])


# ---- --init-weights (torch.save files) ---------------------------------------------------------
def weights_case(name, writer, expect, check=None):
    def args(ctx):
        p = os.path.join(ctx.tmp, "weights.pt")
        writer(p, ctx)
        return TINY + ["--synthetic-samples", "64", "--init-weights", p]
    case("init-weights", name, "harness", args, 2, ["--init-weights"] + expect, check=check)


def no_marker(ctx, r):
    return ["the pickle ran code: " + m for m in os.listdir(ctx.tmp) if m.startswith("PWNED")]


def state_dict(**tensors):
    import torch
    from collections import OrderedDict
    return OrderedDict((k, torch.zeros(*v) if isinstance(v, tuple) else v) for k, v in tensors.items())


weights_case("random bytes", lambda p, ctx: write_text(p, os.urandom(5000), "wb"), ["not a torch.save zip"])
weights_case("empty file", lambda p, ctx: write_text(p, ""), ["not a torch.save zip"])
weights_case("missing file", lambda p, ctx: None, ["cannot open"])
weights_case("a directory", lambda p, ctx: os.makedirs(p), ["weights.pt"])


def real_weights(p):
    torch_save(state_dict(**{"conv_proj.weight": (8, 3, 4, 4), "heads.head.weight": (10, 8)}), p)


weights_case("truncated zip (half)", lambda p, ctx: (real_weights(p + ".full"), truncate(p + ".full", p)), [])
weights_case("truncated zip (first 100 bytes)", lambda p, ctx: (real_weights(p + ".full"), truncate(p + ".full", p, 0.02)), [])


def plain_zip(p, ctx):
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("notes.txt", "hello")


weights_case("a zip without data.pkl", plain_zip, [])
weights_case("malicious pickle (os.system)",
             lambda p, ctx: zip_with_pickle(p, pickle.dumps(RunShell(os.path.join(ctx.tmp, "PWNED_shell")), protocol=2)),
             [], check=no_marker)
weights_case("malicious pickle (builtins.eval)",
             lambda p, ctx: zip_with_pickle(p, pickle.dumps(RunEval(os.path.join(ctx.tmp, "PWNED_eval")), protocol=2)),
             [], check=no_marker)
weights_case("malicious pickle inside a state_dict",
             lambda p, ctx: zip_with_pickle(p, pickle.dumps({"conv_proj.weight": RunShell(os.path.join(ctx.tmp, "PWNED_dict"))},
                                                          protocol=2)),
             ["'conv_proj.weight' is not a tensor"], check=no_marker)
weights_case("pickle cut short (no STOP)", lambda p, ctx: zip_with_pickle(p, pickle.dumps({"a": 1}, protocol=2)[:-3]),
             ["truncated pickle"])
weights_case("pickle protocol 5 opcodes", lambda p, ctx: zip_with_pickle(p, pickle.dumps({"a": bytearray(b"xy")}, protocol=5)),
             ["pickle"])
weights_case("legacy (non-zip) torch.save",
             lambda p, ctx: torch_save(state_dict(**{"conv_proj.weight": (2,)}), p, _use_new_zipfile_serialization=False),
             ["not a torch.save zip", "re-saved"])
weights_case("a tensor, not a dict", lambda p, ctx: torch_save(state_dict(x=(3,))["x"], p), ["does not hold a dict"])
weights_case("a dict of strings", lambda p, ctx: torch_save({"conv_proj.weight": "zeros"}, p), ["is not a tensor"])
weights_case("wrong keys", lambda p, ctx: torch_save(state_dict(foo=(3,), bar=(2, 2)), p),
             ["does not fit model vit_micro", "unexpected (foo, bar)"])
weights_case("wrong shapes", lambda p, ctx: torch_save(state_dict(**{"conv_proj.weight": (1, 1), "heads.head.weight": (3,)}), p),
             ["does not fit model vit_micro", "shape mismatches", "conv_proj.weight"])


# ---- results files given to analyze ---------------------------------------------------------
A_OUT = ["--quiet", "--no-charts"]


def analyze_case(category, name, make, code, expect, warn=False, check=None, extra=()):
    def args(ctx):
        return make(ctx) + A_OUT + list(extra) + ["--out", os.path.join(ctx.tmp, "report")]
    case(category, name, "analyze", args, code, expect, warn=warn, check=check)


def bad_results(name, writer, expect, code=1, with_good=False):
    """A results file analyze must refuse; alone: exit 1; beside a good file: exit 0 with a warning."""
    def make(ctx):
        p = os.path.join(ctx.tmp, "bad.h5")
        writer(p, ctx)
        return [p] + ([good_results(ctx.fx)] if with_good else [])
    analyze_case("results", name, make, 0 if with_good else code, ["bad.h5"] + expect, warn=with_good)


def version(value):
    def writer(p, ctx):
        def mutate(f):
            del f.attrs["schema_version"]
            f.attrs["schema_version"] = value
        write_results(p, mutate)
    return writer


bad_results("truncated (half)", lambda p, ctx: truncate(good_results(ctx.fx), p), ["HDF5"])
bad_results("truncated (first 2 KB), beside a good file",
            lambda p, ctx: pathlib.Path(p).write_bytes(pathlib.Path(good_results(ctx.fx)).read_bytes()[:2048]),
            ["HDF5"], with_good=True)
bad_results("empty file (0 bytes)", lambda p, ctx: write_text(p, ""), ["not an HDF5 file"])
bad_results("text file named .h5", lambda p, ctx: write_text(p, "run,time\n"), ["not an HDF5 file"])
bad_results("foreign HDF5 (the guide's dataset)", lambda p, ctx: shutil.copy(good_guide(ctx.fx), p),
            ["not a lumibench results file"])
bad_results("schema_version 99", version(np().int64(99)), ["schema_version 99 is newer"])
bad_results("schema_version INT64_MIN", version(np().int64(-(1 << 63))), ["schema_version -9223372036854775808"])
bad_results("schema_version 0", version(np().int64(0)), ["schema_version 0"])
bad_results("schema_version -1", version(np().int64(-1)), ["schema_version -1"])
bad_results("schema_version UINT64_MAX", version(np().uint64((1 << 64) - 1)), ["schema_version"])
bad_results("schema_version 1e300 (float)", version(np().float64(1e300)), ["schema_version"])
bad_results("schema_version NaN (float)", version(np().float64("nan")), ["schema_version"])
bad_results("schema_version 1.5 (float)", version(np().float64(1.5)), ["schema_version"])
bad_results("schema_version '2' (string)", version("2"), ["schema_version"])
bad_results("schema_version [1, 2] (array)", version(np().array([1, 2], dtype="int64")), ["schema_version"])
bad_results("missing /runs", lambda p, ctx: write_results(p, lambda f: f.__delitem__("runs")), ["'/runs'"])
bad_results("/runs is a dataset", lambda p, ctx: write_results(p, lambda f: (f.__delitem__("runs"), f.create_dataset("runs", data=[1]))),
            ["'/runs' is not a group"])
bad_results("/runs empty", lambda p, ctx: write_results(p, lambda f: f["runs"].__delitem__("laptop")), ["no runs"])


def run_problem(name, mutate, expect, code=0):
    def make(ctx):
        p = os.path.join(ctx.tmp, "runs.h5")
        write_results(p, mutate)
        return [p]
    analyze_case("results", name, make, code, ["runs.h5"] + expect, warn=code == 0)


run_problem("run without 'steps'", lambda f: f["runs/laptop"].__delitem__("steps"), ["no 'steps' dataset"])
run_problem("run without 'epochs'", lambda f: f["runs/laptop"].__delitem__("epochs"), ["no 'epochs' dataset"])
run_problem("run without any table", lambda f: [f["runs/laptop"].__delitem__(t) for t in
                                                ("steps", "epochs", "evaluations", "rank_step_time_s")],
            ["no 'steps' dataset"])
run_problem("'steps' not a compound table", lambda f: replace_table(f["runs/laptop"], "steps", lambda a: a["total_s"]),
            ["'steps' is not a compound table"])
run_problem("'steps' lacks total_s",
            lambda f: replace_table(f["runs/laptop"], "steps",
                                    lambda a: a[[n for n in a.dtype.names if n != "total_s"]].copy()),
            ["'steps' lacks fields: total_s"])
run_problem("run attributes missing", lambda f: [f["runs/laptop"].attrs.__delitem__(k) for k in list(f["runs/laptop"].attrs)],
            ["missing attributes"])
run_problem("/runs/x is a dataset", lambda f: f["runs"].create_dataset("x", data=[1]), ["/runs/x is not a group"])
run_problem("negative step times", set_field("steps", "total_s", -1.0, slice(5, 8)), ["total_s", "negative"])
run_problem("NaN step times", set_field("steps", "total_s", float("nan"), slice(5, 8)), ["total_s", "NaN"])
run_problem("infinite step time", set_field("steps", "total_s", float("inf"), 9), ["total_s"])
run_problem("negative epoch times", set_field("epochs", "epoch_time_s", -5.0), ["epoch_time_s", "negative"])
run_problem("NaN epoch train times", set_field("epochs", "train_time_s", float("nan")), ["train_time_s", "NaN"])
run_problem("NaN wall_time_s", lambda f: f["runs/laptop"].attrs.__setitem__("wall_time_s", float("nan")),
            ["wall_time_s"])
run_problem("negative wall_time_s", lambda f: f["runs/laptop"].attrs.__setitem__("wall_time_s", -3.0), ["wall_time_s"])
run_problem("epoch number 1e300 (float field)",
            lambda f: replace_table(f["runs/laptop"], "epochs", _float_epoch), ["epoch"])


def _float_epoch(a):
    numpy = np()
    dt = numpy.dtype([(n, "<f8") if n == "epoch" else (n, a.dtype[n]) for n in a.dtype.names])
    b = numpy.zeros(a.shape, dt)
    for n in a.dtype.names:
        b[n] = a[n]
    b["epoch"][1] = 1e300
    return b


for attr, value in [("nodes", 1 << 40), ("batch_size", (1 << 63) - 1), ("world_size", -(1 << 63)),
                    ("epochs", 3_000_000_000), ("full_train_samples", 1 << 62)]:
    run_problem(f"attribute {attr} = {value}",
                lambda f, attr=attr, value=value: f["runs/laptop"].attrs.__setitem__(attr, np().int64(value)),
                [attr])
run_problem("attribute nodes = 1e300 (float)", lambda f: f["runs/laptop"].attrs.__setitem__("nodes", 1e300), ["nodes"])


def huge_declared(name, shape, dtype):
    def mutate(f):
        g = f["runs/laptop"]
        del g[name]
        g.create_dataset(name, shape=shape, dtype=dtype, chunks=(1,) * len(shape), maxshape=(None,) * len(shape))
    return mutate


run_problem("rank_step_time_s declared 10^6 x 10^6 (unwritten)",
            huge_declared("rank_step_time_s", (10 ** 6, 10 ** 6), "<f8"), ["rank_step_time_s"])


def huge_steps(f):
    from check_h5py_fixture import STEP
    g = f["runs/laptop"]
    del g["steps"]
    g.create_dataset("steps", shape=(10 ** 10,), dtype=STEP, chunks=(1024,), maxshape=(None,))


run_problem("steps declared 10^10 rows (unwritten)", huge_steps, ["steps"])


def twice(ctx):
    p = good_results(ctx.fx)
    return [p, p]


def counted_once(ctx, r):
    path = os.path.join(ctx.tmp, "report", "benchmark_data.csv")
    if not os.path.exists(path):
        return ["no benchmark_data.csv"]
    with open(path, newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["status"] != "modelled"]
    return [] if len(rows) == 1 else [f"{len(rows)} rows in benchmark_data.csv, expected 1 (the run counted twice)"]


analyze_case("results", "the same file given twice", twice, 0, ["given more than once"], warn=True, check=counted_once)


def twice_via_link(ctx):
    p = good_results(ctx.fx)
    link = os.path.join(ctx.tmp, "link.h5")
    os.symlink(p, link)
    return [p, link]


analyze_case("results", "the same file twice (a symlink)", twice_via_link, 0, ["given more than once"], warn=True,
             check=counted_once)


def twice_via_dir(ctx):
    d = os.path.join(ctx.tmp, "dir")
    os.makedirs(d)
    p = shutil.copy(good_results(ctx.fx), d)
    return [d, p]


analyze_case("results", "the same file twice (its folder and itself)", twice_via_dir, 0, ["given more than once"],
             warn=True, check=counted_once)


def corrupt_journal(ctx):
    p = shutil.copy(good_results(ctx.fx), os.path.join(ctx.tmp, "r.h5"))
    os.makedirs(p + ".journals")
    write_text(os.path.join(p + ".journals", "run-1.jsonl"), b"\x00\xffnot json{{{\n", "wb")
    return [p]


analyze_case("results", "a corrupt journal beside the results file", corrupt_journal, 0, ["run-1.jsonl", "journal"],
             warn=True)


def journal_bad_tail(ctx):
    p = shutil.copy(good_results(ctx.fx), os.path.join(ctx.tmp, "r.h5"))
    os.makedirs(p + ".journals")
    write_text(os.path.join(p + ".journals", "run-2.jsonl"),
               '{"journal": "lumibench run", "schema_version": 2, "run_id": "run-2", "world_size": 1}\n'
               '{"step": {"epoch": "x"}}\n{"epoch": 5}\n', "w")
    return [p]


analyze_case("results", "a journal with malformed records", journal_bad_tail, 0, ["run-2.jsonl"], warn=True)
analyze_case("results", "a missing file", lambda ctx: [os.path.join(ctx.tmp, "nope.h5")], 1, ["nope.h5", "cannot open"])
analyze_case("results", "a folder without results files", lambda ctx: [ctx.tmp], 1, ["holds no .h5"])


# ---- W&B CSV exports --------------------------------------------------------------------------
def wandb_case(name, text, code, expect, warn=False, check=None, mode="w"):
    def make(ctx):
        p = os.path.join(ctx.tmp, "export.csv")
        write_text(p, text, mode)
        return ["--wandb-csv", p]
    analyze_case("wandb-csv", name, make, code, ["export.csv"] + expect, warn=warn, check=check)


def csv_column(ctx, column):
    with open(os.path.join(ctx.tmp, "report", "benchmark_data.csv"), newline="") as f:
        return [row[column] for row in csv.DictReader(f)]


def escaped(ctx, r):
    problems = []
    for v in csv_column(ctx, "run_id") + csv_column(ctx, "warnings"):
        if v[:1] in ("=", "+", "-", "@", "\t", "\r"):
            problems.append(f"cell {v[:20]!r} starts with a formula character")
    return problems


wandb_case("unterminated quote", wandb([WANDB_ROW.format(i=0, rt=5) + ',"oops']), 1, ["unterminated quoted cell"])
wandb_case("quote inside an unquoted cell", wandb(['ru"n,finished,5,8,1,rocm,10,32,0.9']), 1, ["quote inside an unquoted cell"])
wandb_case("text after a closing quote", wandb(['"run"x,finished,5,8,1,rocm,10,32,0.9']), 1, ["text after a closing quote"])
wandb_case("empty file", "", 1, ["no header row"])
wandb_case("header only", WANDB_HEADER + "\n", 1, ["no runs"])
wandb_case("blank lines only", "\n\r\n\n", 1, ["no header row"])
wandb_case("not a W&B export (no Name/Runtime)", "a,b\n1,2\n", 1, ["not a W&B run-table export"])
wandb_case("binary garbage", bytes(range(256)) * 8, 1, [], mode="wb")
wandb_case("wrong types (Runtime 'abc')", wandb(["run-0,finished,abc,8,1,rocm,10,32,0.9"]), 0,
           ["column 'runtime'", "'abc' is not a number"], warn=True)
wandb_case("wrong types (total_gpus 'eight')", wandb(["run-0,finished,5,eight,1,rocm,10,32,0.9"]), 0,
           ["column 'total_gpus'", "not a number"], warn=True)
wandb_case("total_gpus 3000000000 (above 2^31)", wandb(["run-0,finished,5,3000000000,1,rocm,10,32,0.9"]), 0,
           ["total_gpus", "3000000000"], warn=True)
wandb_case("nodes 1e300", wandb(["run-0,finished,5,8,1e300,rocm,10,32,0.9"]), 0, ["nodes"], warn=True)
wandb_case("epochs -3", wandb(["run-0,finished,5,8,1,rocm,-3,32,0.9"]), 0, ["epochs", "-3"], warn=True)
wandb_case("batch_size_per_gpu 9.5", wandb(["run-0,finished,5,8,1,rocm,10,9.5,0.9"]), 0,
           ["batch_size_per_gpu", "whole number"], warn=True)
wandb_case("Runtime negative", wandb(["run-0,finished,-100,8,1,rocm,10,32,0.9"]), 0, ["runtime", "-100"], warn=True)
wandb_case("Runtime inf", wandb(["run-0,finished,inf,8,1,rocm,10,32,0.9"]), 0, ["runtime", "inf"], warn=True)
wandb_case("Runtime 1e308", wandb(["run-0,finished,1e308,8,1,rocm,10,32,0.9"]), 0, ["runtime"], warn=True)
wandb_case("duplicate column names", wandb(header=WANDB_HEADER + ",Runtime",
                                           rows=["run-0,finished,5,8,1,rocm,10,32,0.9,7"]), 0,
           ["duplicate column", "Runtime"], warn=True)
wandb_case("ragged row (too few cells)", wandb(["run-0,finished,5"]), 0, ["line 2", "3 cells", "9"], warn=True)
wandb_case("ragged row (too many cells)", wandb(["run-0,finished,5,8,1,rocm,10,32,0.9,x,y"]), 0,
           ["line 2", "11 cells", "9"], warn=True)
wandb_case("NUL byte in a cell", wandb(["run\x000,finished,5,8,1,rocm,10,32,0.9"]), 0, ["line 2", "NUL"], warn=True)
wandb_case("invalid UTF-8 in a name", wandb(["run-\xff\xfe,finished,5,8,1,rocm,10,32,0.9"]).encode("latin-1"), 0,
           ["line 2", "UTF-8"], warn=True, mode="wb",
           check=lambda ctx, r: [] if json.load(open(os.path.join(ctx.tmp, "report", "summary.json"), "rb")) else ["no json"])
for ch in "=+-@":
    wandb_case(f"a name starting with '{ch}' (formula injection)",
               wandb([f"{ch}cmd|' /C calc'!A0,finished,5,8,1,rocm,10,32,0.9"]), 0, ["formula"], warn=True,
               check=escaped)


def long_name(ctx, r):
    problems = []
    for name in os.listdir(os.path.join(ctx.tmp, "report")):
        size = os.path.getsize(os.path.join(ctx.tmp, "report", name))
        if name.endswith(".html") and size > 20 << 20:
            problems.append(f"{name} is {size >> 20} MB")
    if r.elapsed > 30:
        problems.append(f"took {r.elapsed:.0f} s")
    if r.max_rss > 2 << 30:
        problems.append(f"used {r.max_rss >> 20} MB")
    return problems


def long_name_case(ctx):
    p = os.path.join(ctx.tmp, "export.csv")
    name = "x" * (10 << 20)
    rows = [f"{name}{i},finished,{1000 + 100 * i},{g},1,rocm,10,32,0.9" for i, g in enumerate([1, 2, 4, 8])]
    write_text(p, wandb(rows))
    return ["--wandb-csv", p, "--no-static-images"]


case("wandb-csv", "a 10 MB run name (charts on)", "analyze",
     lambda ctx: long_name_case(ctx) + ["--quiet", "--out", os.path.join(ctx.tmp, "report")], 0,
     ["charts", "characters"], warn=True, check=long_name)
case("wandb-csv", "missing file", "analyze",
     lambda ctx: ["--wandb-csv", os.path.join(ctx.tmp, "export.csv")] + A_OUT + ["--out", ctx.tmp + "/report"], 1,
     ["export.csv", "cannot open"])
case("wandb-csv", "a folder as --wandb-csv", "analyze",
     lambda ctx: ["--wandb-csv", ctx.tmp] + A_OUT + ["--out", ctx.tmp + "/report"], 1, ["--wandb-csv", "folder"])

# analyze's own options
for opt, value, expect in [("--epochs", "99999999999", "--epochs '99999999999'"),
                           ("--epochs", "nan", "--epochs 'nan'"),
                           ("--target-accuracy", "nan", "--target-accuracy 'nan'"),
                           ("--quality-margin", "inf", "--quality-margin 'inf'"),
                           ("--out", "", "--out"),
                           ("--cluster-name", "", "--cluster-name")]:
    case("analyze cli", f"{opt} {value!r}", "analyze",
         lambda ctx, opt=opt, value=value: [good_results(ctx.fx), "--quiet", "--no-charts", opt, value]
         + ([] if opt == "--out" else ["--out", ctx.tmp + "/report"]), 2, [expect])


# ---------------------------------------------------------------------------------------------
# The runner.

class Result:
    pass


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_case(c, exe, fx, workdir):
    ctx = Result()
    ctx.tmp = tempfile.mkdtemp(dir=workdir)
    ctx.fx = fx
    args = c.args(ctx)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.monotonic()
    r = Result()
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out_file = os.path.join(ctx.tmp, "results.h5")
    if c.tool == "harness" and "--output" not in args:
        args = args + ["--output", out_file]
    try:
        p = subprocess.run([exe] + args, capture_output=True, timeout=c.timeout, cwd=ctx.tmp, env=env,
                           preexec_fn=limit_memory if c.tool == "analyze" else None)
        r.code, r.stderr = p.returncode, p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        r.code, r.stderr = None, (e.stderr or b"").decode("utf-8", "replace")
    r.elapsed = time.monotonic() - t0
    r.max_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # the largest child so far
    r.max_rss = r.max_rss if r.max_rss > before * 1024 else 0
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    problems = []
    prefix = c.tool + ":"
    if r.code is None:
        problems.append(f"hang: no exit within {c.timeout} s")
    elif r.code < 0 or r.code >= 128:
        problems.append(f"crash (exit {r.code})")
    elif r.code != c.code:
        problems.append(f"exit {r.code}, expected {c.code}")
    stray = [l for l in lines if not l.startswith(prefix)]
    if stray:
        problems.append(f"a line that is not {prefix}'s own: {stray[0][:80]!r}")
    matching = [l for l in lines if all(e in l for e in c.expect)]
    if c.mode == "error":
        shown = matching[0] if matching else (lines[0] if lines else "")
        if c.tool == "harness" and len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr, expected 1")
        if not matching:
            problems.append("no line names " + " + ".join(repr(e) for e in c.expect))
        if c.tool == "harness" and os.path.exists(out_file):
            problems.append("the results file was written")
        if c.tool == "analyze" and r.code != 0 and os.path.exists(os.path.join(ctx.tmp, "report", "summary.json")):
            problems.append("outputs were written although analyze failed")
    else:
        in_outputs = []
        data = os.path.join(ctx.tmp, "report", "benchmark_data.csv")
        if os.path.exists(data):
            with open(data, newline="", encoding="utf-8", errors="replace") as f:
                in_outputs = [w for row in csv.DictReader(f) for w in row.get("warnings", "").split(" | ")]
        said = matching + [w for w in in_outputs if all(e in w or e == "export.csv" or e.endswith(".h5") for e in c.expect)]
        shown = said[0] if said else (lines[0] if lines else "")
        if not said:
            problems.append("no warning names " + " + ".join(repr(e) for e in c.expect))
        elif len(matching) > 1:
            problems.append(f"the warning is given {len(matching)} times")
        if r.code == 0:
            for name in ("benchmark_data.csv", "summary.json", "summary.md"):
                if not os.path.exists(os.path.join(ctx.tmp, "report", name)):
                    problems.append(f"exit 0 without {name}")
            try:
                with open(os.path.join(ctx.tmp, "report", "summary.json"), "rb") as f:
                    json.loads(f.read().decode("utf-8"))
            except Exception as e:  # noqa: BLE001 - any failure to parse is the finding
                problems.append(f"summary.json is not valid UTF-8 JSON: {str(e)[:60]}")
    if c.check and r.code is not None:
        try:
            problems += c.check(ctx, r)
        except Exception as e:  # noqa: BLE001
            problems.append(f"check failed: {e}")
    shutil.rmtree(ctx.tmp, ignore_errors=True)
    shown = shown.replace(ctx.tmp + "/", "").replace(str(fx.root) + "/", "")  # the table shows file names only
    got = ("timeout" if r.code is None else f"exit {r.code}") + (": " + shown[:150] if shown else "")
    return got, problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--harness")
    ap.add_argument("--analyze")
    ap.add_argument("--only", default="")
    ap.add_argument("--markdown")
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    exe = {k: os.path.abspath(v) if v else None for k, v in (("harness", a.harness), ("analyze", a.analyze))}
    cases = [c for c in CASES if a.only in f"{c.category} {c.name}"]
    if a.list:
        for c in cases:
            print(f"{c.category}\t{c.tool}\t{c.name}")
        print(f"{len(cases)} cases")
        return 0
    workdir = tempfile.mkdtemp(prefix="lb-bad-inputs-")
    fx = Fixtures(tempfile.mkdtemp(dir=workdir))
    rows, passed, failed, skipped = [], 0, 0, 0
    widths = (14, 48, 40, 70)
    print(f"{'category':{widths[0]}} {'input':{widths[1]}} {'expected':{widths[2]}} {'got':{widths[3]}} result")
    for c in cases:
        if not exe[c.tool]:
            skipped += 1
            continue
        kind = "warning" if c.mode == "warning" else "error"
        expected = f"exit {c.code}, {kind}: " + " + ".join(c.expect)
        try:
            got, problems = run_case(c, exe[c.tool], fx, workdir)
        except Exception as e:  # noqa: BLE001 - a case that cannot even be set up fails, the run goes on
            got, problems = "not run", [f"setup failed: {type(e).__name__}: {e}"]
        ok = not problems
        passed += ok
        failed += not ok
        result = "pass" if ok else "FAIL: " + "; ".join(problems)
        rows.append((c.category, c.name, expected, got, result))
        print(f"{c.category:{widths[0]}} {c.name[:widths[1]]:{widths[1]}} {expected[:widths[2]]:{widths[2]}} "
              f"{got.replace(chr(10), ' ')[:widths[3]]:{widths[3]}} {result}", flush=True)
    shutil.rmtree(workdir, ignore_errors=True)
    if a.markdown:
        def md(s):
            return s.replace("|", "\\|").replace("\n", " ")
        with open(a.markdown, "w") as f:
            f.write("| category | input | expected | got | result |\n|---|---|---|---|---|\n")
            for row in rows:
                f.write("| " + " | ".join(md(x) for x in row) + " |\n")
    by = {}
    for row in rows:
        by.setdefault(row[0], [0, 0])[0 if row[4] == "pass" else 1] += 1
    print("per category: " + ", ".join(f"{k} {v[0]}/{v[0] + v[1]}" for k, v in by.items()))
    if skipped:
        print(f"({skipped} cases skipped: no --harness)")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
