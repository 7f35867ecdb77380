#!/usr/bin/env python3
"""Side-by-side benchmark: the lumibench harness against PyTorch's own Python training loop.

Run through bench/vs_pytorch.sh (it picks the reference Python). For every configuration
(batch x threads x precision) and round, runs the harness and bench/reference_train.py with the
same settings, alternating which goes first, reads the harness's results file, measures both
processes' peak RSS the same way (wait4's ru_maxrss), measures torch's matrix-product rate at each
thread count (bench/gemm_rate.py), and prints a table.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import lb_env  # noqa: E402

PROG = "vs_pytorch"
SHAPE_NOTE = "ViT-B/16, 224 px, 200 classes, synthetic data"


# Defaults, and --quick's (explicit options win over both). The defaults are sized for a 2-core
# machine (about 25 minutes there, see README.md); the whole matrix is --batch 8,32 --threads 1,2.
DEFAULTS = {"batch": "8", "threads": "2", "precision": "fp32,bf16", "rounds": 3, "steps": 1, "warmup": 1}
QUICK = {"batch": "8", "threads": "2", "precision": "fp32", "rounds": 2, "steps": 1, "warmup": 1}


class Fatal(Exception):
    pass


def csv_ints(text, name):
    try:
        values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise Fatal(f"--{name} '{text}': expected a comma-separated list of positive integers")
    if not values or min(values) < 1:
        raise Fatal(f"--{name} '{text}': expected a comma-separated list of positive integers")
    return values


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="vs_pytorch.sh",
        description="Times ViT-B/16 training in the lumibench harness and in PyTorch's Python loop, "
                    "alternating between them over several rounds, and prints a side-by-side table.")
    d, q = DEFAULTS, QUICK
    p.add_argument("--batch", help=f"comma-separated batch sizes (default {d['batch']})")
    p.add_argument("--threads", help=f"comma-separated intra-op thread counts (default {d['threads']})")
    p.add_argument("--precision", help=f"fp32, bf16 or both, comma-separated (default {d['precision']})")
    p.add_argument("--rounds", type=int, help=f"rounds per configuration (default {d['rounds']})")
    p.add_argument("--steps", type=int, help=f"timed steps per run (default {d['steps']})")
    p.add_argument("--warmup", type=int, help=f"warm-up steps per run, not timed (default {d['warmup']})")
    p.add_argument("--quick", action="store_true",
                   help=f"smoke check: batch {q['batch']}, {q['threads']} threads, {q['precision']}, {q['rounds']} "
                        f"rounds, {q['warmup']} warm-up + {q['steps']} timed step (explicit options still win)")
    p.add_argument("--harness", default=os.environ.get("LB_HARNESS", ""),
                   help="harness binary (env LB_HARNESS; default build/cpu/harness/harness under the repository root)")
    p.add_argument("--python", help="reference Python with torch, torchvision and h5py (env LB_REFERENCE_PYTHON; "
                                    "default /usr/bin/python3); taken by vs_pytorch.sh, which runs this script with it")
    p.add_argument("--gemm-min-time", type=float, default=0.4, help="seconds per GEMM repeat (default 0.4)")
    p.add_argument("--gemm-repeats", type=int, default=3, help="GEMM repeats per shape, best kept (default 3)")
    p.add_argument("--json", metavar="FILE", help="also write every measurement as JSON")
    p.add_argument("--markdown", metavar="FILE", help="also write the report as Markdown")
    p.add_argument("--dry-run", action="store_true", help="print the commands each round would run, run nothing")
    p.add_argument("--keep", metavar="DIR", help="keep the harness results files and logs in DIR")
    p.add_argument("--command-line", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    defaults = QUICK if a.quick else DEFAULTS
    for key, value in defaults.items():
        if getattr(a, key) is None:
            setattr(a, key, value)
    a.batches = csv_ints(a.batch, "batch")
    a.thread_counts = csv_ints(a.threads, "threads")
    a.precisions = [x.strip() for x in a.precision.split(",") if x.strip()]
    bad = [x for x in a.precisions if x not in ("fp32", "bf16")]
    if bad or not a.precisions:
        raise Fatal(f"--precision '{a.precision}': expected fp32, bf16 or fp32,bf16")
    if a.rounds < 1 or a.steps < 1 or a.warmup < 0:
        raise Fatal("--rounds and --steps must be at least 1, --warmup 0 or more")
    if a.gemm_min_time <= 0 or a.gemm_repeats < 1:
        raise Fatal("--gemm-min-time must be positive and --gemm-repeats at least 1")
    a.harness = a.harness or os.path.join(ROOT, "build", "cpu", "harness", "harness")
    a.harness = os.path.abspath(a.harness)
    if not os.path.isfile(a.harness) or not os.access(a.harness, os.X_OK):
        raise Fatal(f"harness binary not found or not executable: {a.harness} (build it with `cmake --preset cpu && "
                    f"cmake --build build/cpu --target harness`, or pass --harness / set LB_HARNESS)")
    return a


# --- child processes ---------------------------------------------------------------------------

class Child:
    """One finished child process: exit code, wall time, peak RSS from wait4, its output."""

    def __init__(self, argv, workdir, tag, env=None):
        self.argv = argv
        out_path = os.path.join(workdir, tag + ".out")
        err_path = os.path.join(workdir, tag + ".err")
        t0 = time.monotonic()
        with open(out_path, "w") as out, open(err_path, "w") as err:
            proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
            try:
                _, status, usage = os.wait4(proc.pid, 0)
            except BaseException:
                proc.kill()
                proc.wait()
                raise
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
        self.wall_s = time.monotonic() - t0
        self.rc = proc.returncode
        self.peak_rss_bytes = usage.ru_maxrss * 1024  # Linux: KiB
        with open(out_path) as f:
            self.stdout = f.read()
        with open(err_path) as f:
            self.stderr = f.read()

    def first_error_line(self):
        lines = [x.strip() for x in self.stderr.splitlines() if x.strip()]
        if self.rc < 0:
            return f"killed by signal {-self.rc}" + (f": {lines[-1]}" if lines else "")
        return lines[0] if lines else f"exit code {self.rc}, no message"


def gemm_argv(args, threads):
    return [sys.executable, os.path.join(HERE, "gemm_rate.py"), "--threads", str(threads),
            "--batches", ",".join(map(str, args.batches)), "--precision", ",".join(args.precisions),
            "--min-time", str(args.gemm_min_time), "--repeats", str(args.gemm_repeats)]


def python_argv(args, b, t, prec):
    return [sys.executable, os.path.join(HERE, "reference_train.py"), "--batch-size", str(b), "--threads", str(t),
            "--precision", prec, "--warmup-steps", str(args.warmup), "--steps", str(args.steps)]


def run_gemm(args, threads, workdir):
    c = Child(gemm_argv(args, threads), workdir, f"gemm-t{threads}")
    if c.rc != 0:
        raise Fatal(f"gemm_rate.py failed with {threads} threads: {c.first_error_line()}")
    return json.loads(c.stdout.strip().splitlines()[-1])


def harness_argv(args, b, t, prec, out):
    n = args.warmup + args.steps
    argv = [args.harness, "--device", "cpu", "--data", "synthetic", "--model", "vit_b_16", "--num-classes", "200",
            "--batch-size", str(b), "--threads", str(t), "--max-steps", str(n), "--warmup-steps", str(args.warmup),
            "--epochs", "1",
            # One epoch of exactly the steps run; the harness validates the (partial) epoch after the
            # last step, outside the timed steps: --val-fraction keeps that pass to a single image.
            "--subset", str(b * n), "--val-fraction", "0.001",
            "--optimizer", "adam", "--lr", "1e-3", "--lr-schedule", "constant",
            "--loader-workers", "1", "--progress", "none", "--output", out]
    if prec != "fp32":
        argv += ["--precision", prec]
    return argv


def read_harness_results(path):
    import h5py
    import numpy as np
    with h5py.File(path, "r") as f:
        runs = list(f["runs"])
        if len(runs) != 1:
            raise RuntimeError(f"{path}: expected one run, found {len(runs)}")
        g = f["runs"][runs[0]]

        def attr(name, default=None):
            v = g.attrs.get(name, default)
            if isinstance(v, bytes):
                v = v.decode()
            if isinstance(v, np.generic):
                v = v.item()
            return v

        steps = g["steps"][()]
        timed = steps[steps["warmup"] == 0]
        total = float(np.sum(timed["total_s"]))
        return {
            "run_id": runs[0],
            "status": attr("status"),
            "steady_images_per_s": float(attr("steady_images_per_s", 0.0)),
            "images_per_s_from_steps": float(np.sum(timed["samples"])) / total if total > 0 else 0.0,
            "data_fraction": float(np.sum(timed["data_wait_s"])) / total if total > 0 else 0.0,
            "timed_steps": int(len(timed)),
            "step_total_s": [float(x) for x in steps["total_s"]],
            "step_phases_s": {k: [float(x) for x in steps[k]] for k in ("data_wait_s", "forward_s", "backward_s",
                                                                         "optimizer_s")},
            "train_flops_per_image": float(attr("train_flops_per_image", 0.0)),
            "peak_rss_bytes_self": int(attr("peak_rss_bytes", 0)),
            "precision": attr("precision", "fp32"),
            "threads": attr("threads"),
            "batch_size": attr("batch_size"),
            "torch_version": attr("torch_version", ""),
            "blas": attr("blas", ""),
            "cpu_model": attr("cpu_model", ""),
            "harness_version": attr("harness_version", ""),
            "git_commit": attr("git_commit", ""),
            "lr_schedule": attr("lr_schedule", ""),
            "optimizer": attr("optimizer", ""),
        }


def run_harness(args, b, t, prec, workdir, tag):
    out = os.path.join(workdir, tag + ".h5")
    c = Child(harness_argv(args, b, t, prec, out), workdir, tag)
    rec = {"rc": c.rc, "wall_s": c.wall_s, "peak_rss_bytes": c.peak_rss_bytes, "command": shlex.join(c.argv)}
    if c.rc == 2:
        rec["error"] = c.first_error_line()
        rec["usage_error"] = True
        return rec
    if c.rc != 0:
        rec["error"] = c.first_error_line()
        return rec
    try:
        rec.update(read_harness_results(out))
    except Exception as e:  # noqa: BLE001 - reported per run, the benchmark goes on
        rec["rc"] = -1000
        rec["error"] = f"unreadable results file {out}: {e}"
        return rec
    if rec["precision"] != prec:
        rec["error"] = f"harness recorded precision '{rec['precision']}' for --precision {prec}"
        rec["rc"] = -1001
    return rec


def run_python(args, b, t, prec, workdir, tag):
    c = Child(python_argv(args, b, t, prec), workdir, tag)
    rec = {"rc": c.rc, "wall_s": c.wall_s, "peak_rss_bytes": c.peak_rss_bytes, "command": shlex.join(c.argv)}
    if c.rc != 0:
        rec["error"] = c.first_error_line()
        return rec
    try:
        out = json.loads(c.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as e:
        rec["rc"] = -1000
        rec["error"] = f"reference_train.py printed no JSON line: {e}"
        return rec
    rec.update({k: out[k] for k in ("images_per_s", "data_fraction", "train_flops_per_image", "torch_version",
                                    "torchvision_version", "blas", "interop_threads", "setup_s")})
    rec["peak_rss_bytes_self"] = out["peak_rss_bytes"]
    rec["step_total_s"] = [r["total_s"] for r in out["step_rows"]]
    rec["step_phases_s"] = {k: [r[k] for r in out["step_rows"]] for k in ("data_s", "forward_s", "backward_s",
                                                                          "optimizer_s")}
    return rec


# --- report ------------------------------------------------------------------------------------

def med_range(values):
    if not values:
        return None
    return statistics.median(values), min(values), max(values)


def fmt_range(mr, digits=3, scale=1.0):
    if mr is None:
        return "n/a"
    m, lo, hi = (x * scale for x in mr)
    f = f"{{:.{digits}g}}"
    return f"{f.format(m)} [{f.format(lo)}-{f.format(hi)}]"


def fmt_num(x, fmt):
    return "n/a" if x is None else fmt.format(x)


def summarize(args, results, gemm, flops_harness, flops_python):
    flops = flops_harness or flops_python
    rows = []
    for cfg in results:
        h_ok = [r for r in cfg["harness"] if r.get("rc") == 0]
        p_ok = [r for r in cfg["python"] if r.get("rc") == 0]
        h_ips = med_range([r["steady_images_per_s"] for r in h_ok])
        p_ips = med_range([r["images_per_s"] for r in p_ok])
        p_by_round = {r["round"]: r for r in p_ok}
        paired = [h["steady_images_per_s"] / p_by_round[h["round"]]["images_per_s"] for h in h_ok
                  if h["round"] in p_by_round and p_by_round[h["round"]]["images_per_s"] > 0]
        ratio = h_ips[0] / p_ips[0] if h_ips and p_ips and p_ips[0] > 0 else None
        g = gemm.get(cfg["threads"], {}).get("results", {}).get(cfg["precision"], {})
        peak = g.get("best_flops")
        h_flops = h_ips[0] * flops if h_ips else None
        p_flops = p_ips[0] * flops if p_ips else None
        notes = sorted({r["error"] for r in cfg["harness"] + cfg["python"] if r.get("error")})
        rows.append({
            "batch": cfg["batch"], "threads": cfg["threads"], "precision": cfg["precision"],
            "harness_images_per_s": h_ips, "python_images_per_s": p_ips,
            "ratio": ratio, "paired_ratio": med_range(paired),
            "harness_flops": h_flops, "python_flops": p_flops, "gemm_best_flops": peak,
            "harness_gemm_fraction": h_flops / peak if h_flops and peak else None,
            "python_gemm_fraction": p_flops / peak if p_flops and peak else None,
            "harness_data_fraction": statistics.median([r["data_fraction"] for r in h_ok]) if h_ok else None,
            "python_data_fraction": statistics.median([r["data_fraction"] for r in p_ok]) if p_ok else None,
            "harness_peak_rss_bytes": max(r["peak_rss_bytes"] for r in h_ok) if h_ok else None,
            "python_peak_rss_bytes": max(r["peak_rss_bytes"] for r in p_ok) if p_ok else None,
            "harness_rounds_ok": len(h_ok), "python_rounds_ok": len(p_ok),
            "notes": notes,
        })
    return rows


def table(header, body, markdown):
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
        lines += ["| " + " | ".join(r) + " |" for r in body]
        return "\n".join(lines)
    widths = [max(len(x) for x in col) for col in zip(header, *body)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    return "\n".join([line(header), line(["-" * w for w in widths])] + [line(r) for r in body])


def render(info, gemm, rows, args, markdown=False):
    out = []
    h = (lambda s: f"## {s}") if markdown else (lambda s: f"== {s} ==")
    bullet = "- " if markdown else "  "
    out.append(("# " if markdown else "") + f"lumibench harness vs PyTorch ({SHAPE_NOTE})")
    out.append("")
    for k, v in info["header"]:
        out.append(f"{bullet}{k}: {'`' + v + '`' if markdown and k == 'command' else v}")
    for n in info.get("warnings", []):
        out.append(f"{bullet}note: {n}")
    out.append("")

    out.append(h("Matrix-product rate (torch, GFLOP/s, best of "
                 f"{args.gemm_repeats} x >= {args.gemm_min_time:g} s per shape)"))
    cols = [(t, p) for t in sorted(gemm) for p in args.precisions]
    shapes = []
    for t in sorted(gemm):
        for p in args.precisions:
            for s in gemm[t]["results"][p]["shapes"]:
                if s not in shapes:
                    shapes.append(s)
    body = []
    for s in shapes:
        body.append([s] + [fmt_num(gemm[t]["results"][p]["shapes"].get(s, 0) / 1e9, "{:.1f}") for t, p in cols])
    body.append(["best"] + [fmt_num(gemm[t]["results"][p]["best_flops"] / 1e9, "{:.1f}") for t, p in cols])
    out.append(table(["shape"] + [f"T={t} {p}" for t, p in cols], body, markdown))
    out.append("")

    steps_text = f"{args.warmup} warm-up + {args.steps} timed step{'s' if args.steps != 1 else ''}"
    out.append(h(f"Training throughput ({steps_text} per run, "
                 f"{args.rounds} round{'s' if args.rounds != 1 else ''}, median [min-max] over rounds)"))
    body = []
    for r in rows:
        body.append([
            f"B={r['batch']} T={r['threads']} {r['precision']}",
            fmt_range(r["harness_images_per_s"]),
            fmt_range(r["python_images_per_s"]),
            fmt_num(r["ratio"], "{:.3f}") + (f" [{r['paired_ratio'][1]:.3f}-{r['paired_ratio'][2]:.3f}]"
                                              if r["paired_ratio"] else ""),
            fmt_num(r["harness_flops"] and r["harness_flops"] / 1e9, "{:.1f}") + " / " +
            fmt_num(r["python_flops"] and r["python_flops"] / 1e9, "{:.1f}"),
            fmt_num(r["harness_gemm_fraction"] and 100 * r["harness_gemm_fraction"], "{:.0f}%") + " / " +
            fmt_num(r["python_gemm_fraction"] and 100 * r["python_gemm_fraction"], "{:.0f}%"),
            fmt_num(None if r["harness_data_fraction"] is None else 100 * r["harness_data_fraction"], "{:.1f}%")
            + " / " +
            fmt_num(None if r["python_data_fraction"] is None else 100 * r["python_data_fraction"], "{:.1f}%"),
            fmt_num(r["harness_peak_rss_bytes"] and r["harness_peak_rss_bytes"] / 2**20, "{:.0f}") + " / " +
            fmt_num(r["python_peak_rss_bytes"] and r["python_peak_rss_bytes"] / 2**20, "{:.0f}"),
        ])
    out.append(table(["config", "harness img/s", "python img/s", "harness/python [paired]",
                      "GFLOP/s h / p", "of GEMM h / p", "data h / p", "peak RSS MiB h / p"], body, markdown))
    notes = [(r, n) for r in rows for n in r["notes"]]
    if notes:
        out.append("")
        for r, n in notes:
            out.append(f"{bullet}B={r['batch']} T={r['threads']} {r['precision']}: {n}")
    out.append("")
    legend = [
        "img/s: images per second over the timed steps (harness: steady_images_per_s of its results file; python: "
        "the same sum of samples / sum of step times); one value per round.",
        "harness/python: ratio of the medians; [paired]: range of the per-round ratios (each round runs both back to back).",
        f"GFLOP/s: median img/s x {info['train_flops'] / 1e9:.1f} GFLOP per trained image "
        "(3 x forward, forward = 2 x MACs; the harness's train_flops_per_image).",
        "of GEMM: that rate as a fraction of the best matrix-product rate above, same thread count and precision.",
        "data: time the step spent on data (harness: waiting for its loader thread; python: making and "
        "transforming the batch inline) / step time.",
        "peak RSS: ru_maxrss of each child process from wait4 (largest over rounds), measured the same way for both.",
    ]
    for line in legend:
        out.append(f"{bullet}{line}")
    return "\n".join(out) + "\n"


# --- main --------------------------------------------------------------------------------------

def main(argv):
    try:
        args = parse_args(argv)
    except Fatal as e:
        print(f"{PROG}: {e}", file=sys.stderr)
        return 2
    command = args.command_line or shlex.join([sys.argv[0]] + argv)
    started = datetime.datetime.now(datetime.timezone.utc)
    t_start = time.monotonic()
    load_start = os.getloadavg()[0]

    configs = [(b, t, p) for b in args.batches for t in args.thread_counts for p in args.precisions]
    if args.dry_run:
        for b, t, p in configs:
            print(f"# B={b} T={t} {p}, every round (alternating order):")
            print(shlex.join(harness_argv(args, b, t, p, "RESULTS.h5")))
            print(shlex.join(python_argv(args, b, t, p)))
        for t in args.thread_counts:
            print(f"# matrix-product rate with {t} thread(s), once:")
            print(shlex.join(gemm_argv(args, t)))
        return 0
    try:
        import torch
    except ImportError as e:
        print(f"{PROG}: {sys.executable} cannot import torch ({e}); run bench/vs_pytorch.sh, or set LB_REFERENCE_PYTHON",
              file=sys.stderr)
        return 2

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        workdir, tmp = os.path.abspath(args.keep), None
    else:
        tmp = tempfile.TemporaryDirectory(prefix="lb-vs-pytorch-")
        workdir = tmp.name

    torch.mm(torch.ones(2, 2), torch.ones(2, 2))  # loads the BLAS, so that it can be named
    py_blas = lb_env.blas_description()
    ver = subprocess.run([args.harness, "--version"], capture_output=True, text=True)
    harness_version = ver.stdout.strip() if ver.returncode == 0 else f"(--version failed: exit {ver.returncode})"

    results = [{"batch": b, "threads": t, "precision": p, "harness": [], "python": [], "harness_skip": None}
               for b, t, p in configs]
    n_runs = len(configs) * args.rounds * 2
    print(f"{PROG}: {len(configs)} configuration(s) x {args.rounds} round(s) x 2 programs = {n_runs} runs, "
          f"{args.warmup} warm-up + {args.steps} timed step(s) each; work files in {workdir}", file=sys.stderr)

    gemm = {}
    interrupted = False
    try:
        for t in args.thread_counts:
            print(f"{PROG}: matrix-product rate with {t} thread(s) ...", file=sys.stderr)
            gemm[t] = run_gemm(args, t, workdir)
        done = 0
        for rnd in range(args.rounds):
            for cfg in results:
                b, t, p = cfg["batch"], cfg["threads"], cfg["precision"]
                order = ("harness", "python") if rnd % 2 == 0 else ("python", "harness")
                for side in order:
                    tag = f"{side}-b{b}-t{t}-{p}-r{rnd}"
                    done += 1
                    if side == "harness" and cfg["harness_skip"]:
                        # A placeholder keeps the harness and python lists aligned by round.
                        cfg["harness"].append({"rc": None, "round": rnd, "skipped": cfg["harness_skip"]})
                        print(f"{PROG}: [{done}/{n_runs}] {tag}: skipped ({cfg['harness_skip']})", file=sys.stderr)
                        continue
                    print(f"{PROG}: [{done}/{n_runs}] {tag} ...", file=sys.stderr, end="", flush=True)
                    if side == "harness":
                        rec = run_harness(args, b, t, p, workdir, tag)
                        rec["round"] = rnd
                        if rec.get("usage_error"):
                            if p != "fp32" and "precision" in rec["error"]:
                                rec["error"] = f"harness lacks --precision {p}: {rec['error']}"
                            cfg["harness_skip"] = rec["error"]
                            print(f" rejected (exit 2): {rec['error']}; its later rounds are skipped", file=sys.stderr)
                            cfg[side].append(rec)
                            continue
                        ips = rec.get("steady_images_per_s")
                    else:
                        rec = run_python(args, b, t, p, workdir, tag)
                        rec["round"] = rnd
                        ips = rec.get("images_per_s")
                    cfg[side].append(rec)
                    status = f"{ips:.3g} img/s" if rec["rc"] == 0 else f"FAILED: {rec['error']}"
                    print(f" {status} ({rec['wall_s']:.0f} s, peak RSS {rec['peak_rss_bytes'] / 2**20:.0f} MiB)",
                          file=sys.stderr)
    except Fatal as e:
        print(f"\n{PROG}: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        interrupted = True
        print(f"\n{PROG}: interrupted; reporting what was measured", file=sys.stderr)

    h_ok = [r for c in results for r in c["harness"] if r.get("rc") == 0]
    p_ok = [r for c in results for r in c["python"] if r.get("rc") == 0]
    flops_h = h_ok[0]["train_flops_per_image"] if h_ok else None
    flops_p = p_ok[0]["train_flops_per_image"] if p_ok else lb_env.vit_train_flops_per_image()
    warnings = []
    if flops_h and abs(flops_h - flops_p) > 1e-9 * flops_h:
        warnings.append(f"FLOPs per image differ: harness {flops_h:.6g}, python {flops_p:.6g}; the harness's is used")
    if "core=Prescott" in py_blas and "avx512f" in lb_env.cpu_flags():
        warnings.append("OpenBLAS runs its generic Prescott (SSE3) kernels on this AVX-512 CPU (it does not "
                        "recognise it): fp32 matrix products are far below the CPU's capability. "
                        "OPENBLAS_CORETYPE would select others; this benchmark leaves the environment as it is.")
    if interrupted:
        warnings.append("interrupted: incomplete rounds")

    env_line = " ".join(f"{k}={os.environ[k]}" if k in os.environ else f"{k} unset" for k in lb_env.BLAS_ENV)
    h_any = h_ok[0] if h_ok else {}
    shown_harness = os.path.relpath(args.harness, ROOT) if args.harness.startswith(ROOT + os.sep) else args.harness
    steps_text = f"{args.warmup} warm-up + {args.steps} timed step{'s' if args.steps != 1 else ''}"
    wall = time.monotonic() - t_start
    header = [
        ("command", command),
        ("date", started.strftime("%Y-%m-%d %H:%M:%S UTC") + f", took {wall / 60:.1f} min"),
        ("CPU", f"{lb_env.cpu_model()}, {os.cpu_count()} logical CPUs ({platform.machine()}); "
                f"1-min load average {load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"),
        ("threads", f"intra-op {','.join(map(str, args.thread_counts))}; python inter-op "
                    f"{next((r['interop_threads'] for r in p_ok), '?')}; harness loader threads 1"),
        ("torch", f"python {torch.__version__} (torchvision {next((r['torchvision_version'] for r in p_ok), '?')}), "
                  f"harness LibTorch {h_any.get('torch_version', '?')}"),
        ("BLAS", f"torch built with BLAS_INFO={lb_env.torch_blas_info(torch)}, "
                 f"mkldnn {'on' if torch.backends.mkldnn.is_available() else 'off'}; loaded: {py_blas}"
                 + (f"; harness: {h_any['blas']}" if h_any.get("blas") and h_any["blas"] != py_blas else
                    " (harness: same)" if h_any else "")),
        ("environment", env_line),
        ("harness", f"{harness_version}; {shown_harness}"),
        ("training", f"ViT-B/16 from scratch, Adam lr 1e-3 constant, cross-entropy, "
                     f"{steps_text}, {args.rounds} round{'s' if args.rounds != 1 else ''} alternating "
                     f"(harness first in rounds 1, 3, ...; python first in 2, 4, ...); "
                     "bf16 = autocast forward and loss, fp32 backward and optimizer"),
        ("FLOPs per trained image", f"{(flops_h or flops_p):.4g} "
                                    f"({'harness train_flops_per_image' if flops_h else 'computed, no harness run'}"
                                    f"; python's own formula gives {flops_p:.4g})"),
    ]
    info = {"header": header, "warnings": warnings, "train_flops": flops_h or flops_p}
    rows = summarize(args, results, gemm, flops_h, flops_p)
    text = render(info, gemm, rows, args)
    print(text)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(render(info, gemm, rows, args, markdown=True))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": command, "started_utc": started.isoformat(), "wall_s": wall,
                       "header": dict(header), "warnings": warnings,
                       "settings": {"batches": args.batches, "threads": args.thread_counts,
                                    "precisions": args.precisions, "rounds": args.rounds, "steps": args.steps,
                                    "warmup": args.warmup},
                       "gemm": gemm, "summary": rows, "runs": results}, f, indent=1)
    if tmp:
        tmp.cleanup()
    if interrupted:
        return 130
    any_ok = any(r["harness_rounds_ok"] or r["python_rounds_ok"] for r in rows)
    return 0 if any_ok else 1


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    sys.exit(main(sys.argv[1:]))
