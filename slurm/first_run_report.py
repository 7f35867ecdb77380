#!/usr/bin/env python3
"""The verdict of slurm/first_run.sh: for the 1-node and the 2-node run, the steady images/s, the
path gradients took between and within nodes (as RCCL/NCCL reported it), and the 2-node scaling
efficiency against 1 node. Reads each run from its results file (h5py, where installed) or from
its journal (JSON lines, the standard library only).
Usage: first_run_report.py ONE_NODE.h5 TWO_NODE.h5
Exit codes: 0 both read, 1 a run could not be read."""
import glob
import json
import os
import sys


def from_journal(path):
    files = sorted(glob.glob(path + ".journals/*.jsonl"))
    if not files:
        return None
    attrs, steps = {}, []
    with open(files[-1]) as f:
        for line in f.read().split("\n")[1:]:
            if not line:
                continue
            record = json.loads(line)
            if "attrs" in record:
                attrs.update(record["attrs"])
            elif "step" in record:
                steps.append(record["step"])
    return attrs, steps


def from_hdf5(path):
    try:
        import h5py
    except ImportError:
        return None
    if not os.path.exists(path):
        return None
    with h5py.File(path, "r") as f:
        group = list(f["runs"].values())[-1]
        attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in group.attrs.items()}
        steps = []
        if "steps" in group:
            table = group["steps"][()]
            steps = [{name: table[name][i].item() for name in table.dtype.names} for i in range(len(table))]
    return attrs, steps


def steady_rate(steps):
    steady = [s for s in steps if not s.get("warmup")]
    total = sum(s["total_s"] for s in steady)
    return sum(s["samples"] for s in steady) / total if total > 0 else 0.0


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n")[-3], file=sys.stderr)
        return 1
    runs = []
    for path in sys.argv[1:]:
        run = from_journal(path) or from_hdf5(path)
        if run is None:
            print(f"first_run: {path}: no run found (neither the results file nor its journal)")
            return 1
        runs.append(run)
    rates = []
    for (attrs, steps), label in zip(runs, ("1 node", "2 nodes")):
        rate = steady_rate(steps)
        rates.append(rate)
        print(f"first_run: {label}: {attrs.get('status')}, {attrs.get('world_size')} ranks on {attrs.get('nodes')} "
              f"node(s), {rate:.1f} images/s over {sum(1 for s in steps if not s.get('warmup'))} steady steps; "
              f"gradients: {attrs.get('comm_library') or attrs.get('comm_backend')}, between nodes "
              f"{attrs.get('comm_inter_node') or 'n/a'}, within a node {attrs.get('comm_intra_node') or 'n/a'}")
    attrs2 = runs[1][0]
    if rates[0] > 0 and rates[1] > 0:
        efficiency = rates[1] / (2 * rates[0])
        print(f"first_run: scaling 1 -> 2 nodes: {rates[1] / rates[0]:.2f}x, efficiency {efficiency:.0%} "
              "(same per-rank batch: weak scaling)")
    inter = str(attrs2.get("comm_inter_node", ""))
    if not all(r[0].get("status") == "completed" for r in runs):
        print("first_run: VERDICT: a run did not complete: read its Slurm output before anything else")
    elif not inter.startswith("plugin:"):
        print(f"first_run: VERDICT: between nodes the gradients went over '{inter or 'an unreported path'}', not "
              "RCCL's network plugin (aws-ofi-rccl over Slingshot): multi-node figures would understate LUMI; "
              "see docs/lumi.md")
    else:
        print("first_run: VERDICT: both runs completed and the gradients took the Slingshot plugin: ready for "
              "sbatch slurm/scale_8node.sh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
