"""Checks what the MPI probe (mpi_probe.c) recorded about every rank of a job that a slurm/ script
started: world size, placement on the virtual nodes, node-local ranks, the GPU each rank was
given, CPU binding, the environment and the harness command line. Standard library only.

usage: check_probe.py --nodes N --tasks-per-node T [--cpu-masks 0x1,0x2]
(the job's LB_JOB_ID and LB_RESULTS come from the environment that submit_job.sh sets)
Exit codes: 0 all checks passed, 1 a check failed, 2 usage or unreadable input.
"""
import argparse
import collections
import os
import sys


def parse(path):
    argv, ranks = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("argv="):
                argv = line[len("argv="):].split("\t")
            elif line.startswith("rank="):
                ranks.append(dict(item.split("=", 1) for item in line.split(" ")))
    return argv, ranks


def cpus_of_mask(mask):
    value = int(mask, 16)
    return ",".join(str(cpu) for cpu in range(value.bit_length()) if value >> cpu & 1)


def option(argv, name):
    return argv[argv.index(name) + 1] if name in argv[:-1] else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--tasks-per-node", type=int, required=True)
    parser.add_argument("--cpu-masks", default="", help="the masks given to srun, comma-separated")
    parser.add_argument("--gpu-var", default="", help="the per-rank GPU variable expected (empty: none set)")
    args = parser.parse_args()
    job_id, results = os.environ.get("LB_JOB_ID"), os.environ.get("LB_RESULTS")
    if not job_id or not results:
        print("check_probe.py: LB_JOB_ID and LB_RESULTS must be set (by submit_job.sh)")
        return 2
    try:
        argv, ranks = parse(results)
    except OSError as error:
        print(f"FAIL: the job wrote no results file named after its id: {error}")
        return 1

    failures = []

    def expect(condition, message):
        if not condition:
            failures.append(message)

    world = args.nodes * args.tasks_per_node
    expect(len(ranks) == world, f"{len(ranks)} ranks reported, expected {world}")
    expect(sorted(int(r["rank"]) for r in ranks) == list(range(len(ranks))), "ranks not 0..N-1")
    per_node = collections.Counter(r["slurm_node"] for r in ranks)
    expect(len(per_node) == args.nodes, f"ranks on {len(per_node)} nodes, expected {args.nodes}")
    expect(set(per_node.values()) == {args.tasks_per_node},
           f"ranks per node {dict(per_node)}, expected {args.tasks_per_node} each")
    masks = [m for m in args.cpu_masks.split(",") if m]
    for r in ranks:
        who = f"rank {r['rank']} ({r['slurm_node']})"
        expect(r["size"] == str(world), f"{who}: MPI world size {r['size']}, expected {world}")
        expect(r["slurm_job_id"] == job_id, f"{who}: job {r['slurm_job_id']}, expected {job_id}")
        expect(r["slurm_nnodes"] == str(args.nodes), f"{who}: SLURM_JOB_NUM_NODES {r['slurm_nnodes']}")
        # MPI's shared-memory split must see the virtual node, as the harness's local rank does.
        expect(r["shm_local_size"] == str(args.tasks_per_node),
               f"{who}: MPI node-local size {r['shm_local_size']}, expected {args.tasks_per_node}")
        expect(r["shm_local_rank"] == r["slurm_localid"],
               f"{who}: MPI local rank {r['shm_local_rank']} != SLURM_LOCALID {r['slurm_localid']}")
        if args.gpu_var == "ROCR_VISIBLE_DEVICES":
            expect(r["rocr_visible_devices"] == r["slurm_localid"],
                   f"{who}: ROCR_VISIBLE_DEVICES={r['rocr_visible_devices']}, expected its local id")
        else:  # every die visible; the harness takes the one of its local rank
            expect(r["rocr_visible_devices"] == "-", f"{who}: ROCR_VISIBLE_DEVICES={r['rocr_visible_devices']}, expected unset")
        # Cray MPICH's GPU transport is not asked for: the harness sends host buffers only.
        expect(r["mpich_gpu_support"] == "-", f"{who}: MPICH_GPU_SUPPORT_ENABLED={r['mpich_gpu_support']}")
        expect(r["miopen_db"].startswith(f"/tmp/lb-miopen-{job_id}/") and r["miopen_dirs"] == "1",
               f"{who}: MIOpen folders {r['miopen_db']} (made: {r['miopen_dirs']}), expected per job under /tmp")
        expect(r["omp_num_threads"] == "1", f"{who}: OMP_NUM_THREADS={r['omp_num_threads']}")
        if masks:
            wanted = cpus_of_mask(masks[int(r["slurm_localid"]) % len(masks)])
            expect(r["cpus"] == wanted, f"{who}: bound to CPUs {r['cpus']}, expected {wanted}")

    expect(option(argv, "--device") == "cpu", f"harness --device {option(argv, '--device')}")
    expect(option(argv, "--launcher") == "mpi", f"harness --launcher {option(argv, '--launcher')}, expected mpi")
    expect(option(argv, "--output") == results, f"harness --output {option(argv, '--output')}, expected {results}")
    expect(f"-{job_id}.h5" in os.path.basename(results), "results file not named after the job id")
    expect(option(argv, "--threads") == "1", f"harness --threads {option(argv, '--threads')}")

    for failure in failures:
        print("FAIL:", failure)
    if not failures:
        print(f"probe: {world} ranks on {args.nodes} nodes as expected (job {job_id})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
