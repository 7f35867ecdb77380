#!/usr/bin/env python3
"""The whole path on real records: runs the real harness on a tiny configuration (vit_micro on a
1,000-image synthetic set, one thread) twice into one file -- the full split with --eval-every and
a 50% subset -- then the real analyze on that file with the reference table, and checks analyze's
main figures against the same figures computed here from the raw records (h5py), following
docs/methodology.md, and against the harness's own steady-state throughput."""
import argparse
import csv
import json
import math
import pathlib
import shutil
import subprocess
import sys

import h5py
import numpy as np

EPOCHS = 2
EVAL_EVERY = 10  # steps: with 25 steps per epoch, extra passes at steps 10, 20, 30, 40, 50


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def close(a, b, what, rel=1e-9):
    check(a is not None and abs(a - b) <= rel * max(abs(b), 1e-12), f"{what}: analyze {a} != expected {b}")


def run(cmd):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        fail(f"{' '.join(map(str, cmd))} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    return proc


def extra_passes(evals, epochs):
    """True for each 'evaluations' row that is not an epoch-end pass (the last row of a finished epoch)."""
    finished = set(int(e) for e in epochs["epoch"])
    last = {}
    for k, e in enumerate(evals["epoch"]):
        last[int(e)] = k
    return [not (int(e) in finished and last[int(e)] == k) for k, e in enumerate(evals["epoch"])]


def expected_figures(g):
    """Per-run figures by docs/methodology.md, from the raw records of run group g."""
    a = g.attrs
    steps, epochs, evals = g["steps"][()], g["epochs"][()], g["evaluations"][()]
    steady = steps["warmup"] == 0
    r = steps["total_s"][steady].sum() / steps["samples"][steady].sum()
    warm = ~steady
    warmup_excess = float((steps["total_s"][warm] - r * steps["samples"][warm]).sum())
    extra = extra_passes(evals, epochs)
    v = evals["val_time_s"].sum() / evals["val_samples"].sum()
    overheads = []
    for k, e in enumerate(epochs):
        in_epoch = steps["epoch"] == e["epoch"]
        extra_s = sum(ev["val_time_s"] for ev, x in zip(evals, extra) if x and ev["epoch"] == e["epoch"])
        o = e["epoch_time_s"] - steps["total_s"][in_epoch].sum() - e["val_time_s"] - extra_s
        if k > 0:
            o += max(0.0, e["end_wall_s"] - e["epoch_time_s"] - epochs[k - 1]["end_wall_s"])
        overheads.append(o)
    startup = max(0.0, epochs[0]["end_wall_s"] - epochs[0]["epoch_time_s"])
    teardown = a["wall_time_s"] - epochs[-1]["end_wall_s"]
    n_train, n_val = int(a["full_train_samples"]), int(a["full_val_samples"])
    job = (startup + teardown + warmup_excess +
           EPOCHS * (n_train * r + float(np.mean(overheads)) + n_val * v))
    extra_s_total = float(sum(ev["val_time_s"] for ev, x in zip(evals, extra) if x))
    curve, before = [], 0.0
    for ev, x in zip(evals, extra):
        if x:
            before += ev["val_time_s"]
        curve.append((ev["end_wall_s"] - before, ev["val_top1"] * 100.0))
    return dict(images_per_s=1.0 / r, job=job, measured=a["wall_time_s"] - extra_s_total,
                extra=sum(extra), curve=curve, harness_images_per_s=float(a["steady_images_per_s"]))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--harness", required=True)
    p.add_argument("--analyze", required=True)
    p.add_argument("--reference", required=True)
    p.add_argument("--work", required=True)
    args = p.parse_args()
    work = pathlib.Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    results = work / "results.h5"
    common = [args.harness, "--model", "vit_micro", "--synthetic-samples", "1000", "--epochs", str(EPOCHS),
              "--threads", "1", "--loader-workers", "1", "--warmup-steps", "2", "--progress", "none",
              "--output", str(results)]
    run(common + ["--eval-every", str(EVAL_EVERY)])
    run(common + ["--subset", "50%"])

    with h5py.File(results, "r") as f:
        ids = list(f["runs"])
        check(len(ids) == 2, f"the harness wrote {len(ids)} runs, expected 2")
        subset_ids = [i for i in ids if f["runs"][i].attrs["subset"] == "50%"]
        check(len(subset_ids) == 1, "one run is the 50% subset run")
        subset_id = subset_ids[0]
        full_id = next(i for i in ids if i != subset_id)
        full = expected_figures(f["runs"][full_id])
        subset = expected_figures(f["runs"][subset_id])
    check(full["extra"] == 5, f"{full['extra']} extra validation passes in the full run, expected 5 (every 10 steps)")
    check(subset["extra"] == 0, "no extra validation passes in the subset run")

    out = work / "report"
    proc = run([args.analyze, str(results), "--reference", args.reference, "--out", str(out),
                "--no-static-images", "--quiet"])
    summary = json.loads((out / "summary.json").read_text())
    runs = {r["run_id"]: r for r in summary["runs"]}

    # Steady state: analyze, this script and the harness itself agree.
    for rid, exp in ((full_id, full), (subset_id, subset)):
        close(runs[rid]["steady_images_per_s"], exp["images_per_s"], f"{rid} steady images/s")
        close(exp["harness_images_per_s"], exp["images_per_s"], f"{rid} harness's own steady images/s", rel=1e-6)

    check(summary["job"]["epochs"] == EPOCHS, f"job epochs {summary['job']['epochs']}, expected {EPOCHS}")
    # The full run did exactly the job: measured, its wall time less the --eval-every passes.
    job = runs[full_id]["job"]["time_s"]
    check(job["kind"] == "measured" and not job["extrapolated"], f"full run's job is {job['kind']}")
    close(job["value"], full["measured"], "full run's measured job time")
    # The subset run: extrapolated by the formula, with a positive interval around it.
    job = runs[subset_id]["job"]["time_s"]
    check(job["kind"] == "extrapolated" and job["extrapolated"], f"subset run's job is {job['kind']}")
    close(job["value"], subset["job"], "subset run's extrapolated job time")
    check(job["has_interval"], "the subset run's estimate has an interval")
    check(job["lo"] is None or 0 < job["lo"] <= job["value"], f"interval lower end {job['lo']}")
    check(job["hi"] is None or job["hi"] >= job["value"], f"interval upper end {job['hi']}")

    # One configuration: the exact run wins over the extrapolation; it is the default baseline.
    measured = [c for c in summary["configurations"] if not c["is_imported"]]
    check(len(measured) == 1, f"{len(measured)} measured configurations, expected 1")
    config = measured[0]
    check(config["is_baseline"] and config["label"] == "Laptop 1 thread", f"baseline {summary['baseline']}")
    close(config["time_s"]["value"], full["measured"], "configuration time")
    check(config["speedup"]["value"] == 1 and not config["speedup"]["has_interval"], "baseline speedup is exactly 1")

    # Accuracy against time: every pass of the full run, on the job clock.
    series = [s for s in summary["accuracy"]["series"] if s["run_id"] == full_id]
    check(len(series) == 1 and series[0]["kind"] == "measured", "one measured accuracy series for the full run")
    points = series[0]["points"]
    check(len(points) == len(full["curve"]), f"{len(points)} accuracy points, expected {len(full['curve'])}")
    for pt, (t, acc) in zip(points, full["curve"]):
        close(pt["time_s"], t, "accuracy point time")
        close(pt["accuracy_pct"], acc, "accuracy point value")
    check(runs[subset_id]["accuracy_scope"] == "subset", "subset accuracy is not a full-run accuracy")

    with open(out / "benchmark_data.csv", newline="") as f:
        rows = {r["run_id"]: r for r in csv.DictReader(f)}
    check(rows[full_id]["is_extrapolated"] == "false" and rows[subset_id]["is_extrapolated"] == "true",
          "CSV provenance of the two runs")
    md = (out / "summary.md").read_text()
    check("| Laptop 1 thread (C1) | measured | no |" in md, "summary.md marks the measured configuration")
    check(not any(w.startswith("Laptop 1 thread: run") for w in summary["warnings"]),
          f"consistency warnings on real records: {[w for w in summary['warnings'] if w.startswith('Laptop')]}")
    if "charts are not built" not in proc.stderr:
        check((out / "lumi_vs_laptop_animated.html").is_file(), "comparison chart written")
        check((out / "lumi_vs_laptop_accuracy_vs_time.html").is_file(), "accuracy chart written")
    print(f"harness -> analyze: figures match the raw records ({full['extra']} extra passes, "
          f"subset job {subset['job']:.1f} s, measured job {full['measured']:.2f} s)")


if __name__ == "__main__":
    main()
