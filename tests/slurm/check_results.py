"""Checks a results file that the harness wrote under Slurm (or laptop_pair.sh) against
docs/hdf5-schema.md: each run completed, with the world size, node count and ranks per node the
job had, the job's id, and a per-rank step time for every step and rank.

usage: check_results.py FILE --runs R --world-size W --nodes N --ranks-per-node P [--job-id ID]
                        [--steps S] [--threads T ...] [--device cpu] [--model vit_micro]
FILE defaults to $LB_RESULTS and --job-id to $LB_JOB_ID (as submit_job.sh sets them).
--threads lists the `threads` attribute expected of each run, in any order.
Exit codes: 0 all checks passed, 1 a check failed, 2 usage or unreadable file.
"""
import argparse
import math
import os
import sys

import h5py
import numpy as np


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def check_run(name, run, args, expect):
    attrs = run.attrs
    who = f"run {name}"
    for key in ("status", "world_size", "nodes", "ranks_per_node", "device", "model", "threads"):
        expect(key in attrs, f"{who}: attribute '{key}' missing")
    if "status" not in attrs:
        return None
    if args.expect_failed_rank is not None:
        expect(text(attrs["status"]) == "failed" and f"rank {args.expect_failed_rank}" in text(attrs.get("error", "")),
               f"{who}: status '{text(attrs['status'])}' ({text(attrs.get('error', ''))}), expected failed naming "
               f"rank {args.expect_failed_rank}")
    else:
        expect(text(attrs["status"]) == "completed",
               f"{who}: status '{text(attrs['status'])}' ({text(attrs.get('error', ''))})")
    expect(int(attrs.get("world_size", -1)) == args.world_size,
           f"{who}: world_size {attrs.get('world_size')}, expected {args.world_size}")
    expect(int(attrs.get("nodes", -1)) == args.nodes,
           f"{who}: nodes {attrs.get('nodes')}, expected {args.nodes}")
    expect(int(attrs.get("ranks_per_node", -1)) == args.ranks_per_node,
           f"{who}: ranks_per_node {attrs.get('ranks_per_node')}, expected {args.ranks_per_node}")
    expect(text(attrs.get("device", "")) == args.device, f"{who}: device {text(attrs.get('device', ''))}")
    expect(text(attrs.get("model", "")) == args.model, f"{who}: model {text(attrs.get('model', ''))}")
    expect(text(attrs.get("slurm_job_id", "")) == args.job_id,
           f"{who}: slurm_job_id '{text(attrs.get('slurm_job_id', ''))}', expected '{args.job_id}'")
    if args.job_id:
        expect(text(attrs.get("slurm_nodelist", "")) != "", f"{who}: slurm_nodelist empty under Slurm")
    if args.launcher:
        expect(text(attrs.get("launcher", "")) == args.launcher,
               f"{who}: launcher '{text(attrs.get('launcher', ''))}', expected '{args.launcher}'")

    if args.expect_failed_rank is not None:
        return attrs.get("threads")  # a failed run's steps are as far as it got
    if "steps" not in run or "rank_step_time_s" not in run:
        expect(False, f"{who}: datasets 'steps' and 'rank_step_time_s' must both exist")
        return attrs.get("threads")
    steps = run["steps"][()]
    per_rank = run["rank_step_time_s"][()]
    expect(len(steps) > 0, f"{who}: no steps recorded")
    if args.steps is not None:
        expect(len(steps) == args.steps, f"{who}: {len(steps)} steps recorded, expected {args.steps}")
    expect(per_rank.ndim == 2 and per_rank.shape == (len(steps), args.world_size),
           f"{who}: rank_step_time_s has shape {per_rank.shape}, expected ({len(steps)}, {args.world_size})")
    if per_rank.size:
        expect(bool(np.all(np.isfinite(per_rank)) and np.all(per_rank > 0)),
               f"{who}: rank_step_time_s holds values that are not positive and finite")
    if len(steps):
        total = steps["total_s"]
        expect(bool(np.all(total > 0)), f"{who}: a step's total_s is not positive")
        # Rank 0's own column is its total_s: the gathered table and the step table agree.
        if per_rank.ndim == 2 and per_rank.shape[0] == len(steps):
            expect(bool(np.allclose(per_rank[:, 0], total, rtol=1e-9)),
                   f"{who}: rank_step_time_s[:, 0] differs from steps.total_s")
        if args.world_size > 1:
            expect(bool(np.all(steps["comm_exposed_s"] >= 0)), f"{who}: negative comm_exposed_s")
        expect(all(math.isfinite(float(v)) for v in steps["loss"]), f"{who}: a loss is not finite")
    return attrs.get("threads")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=os.environ.get("LB_RESULTS"))
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--world-size", type=int, required=True)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--ranks-per-node", type=int, required=True)
    parser.add_argument("--job-id", default=os.environ.get("LB_JOB_ID", ""))
    parser.add_argument("--steps", type=int, default=None, help="steps each run must have recorded")
    parser.add_argument("--threads", type=int, nargs="*", default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--model", default="vit_micro")
    parser.add_argument("--expect-failed-rank", type=int, default=None,
                        help="the run must be `failed`, its error naming this rank (the fault tests)")
    parser.add_argument("--launcher", default="", help="the launcher the runs must have recorded (env, mpi, none)")
    args = parser.parse_args()
    if not args.file:
        parser.error("no results file given (argument or LB_RESULTS)")

    failures = []

    def expect(condition, message):
        if not condition:
            failures.append(message)

    try:
        with h5py.File(args.file, "r") as f:
            runs = f.get("runs")
            names = sorted(runs.keys()) if runs is not None else []
            expect(len(names) == args.runs, f"{len(names)} runs in /runs, expected {args.runs}")
            threads = [check_run(name, runs[name], args, expect) for name in names]
    except OSError as error:
        print(f"FAIL: cannot open results file '{args.file}': {error}")
        return 1
    if args.threads is not None:
        got = sorted(int(t) for t in threads if t is not None)
        expect(got == sorted(args.threads), f"threads of the runs {got}, expected {sorted(args.threads)}")

    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print(f"results: {args.runs} completed run(s), world size {args.world_size} on {args.nodes} "
              f"node(s), per-rank step times present ({args.file})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
