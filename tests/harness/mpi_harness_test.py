#!/usr/bin/env python3
"""The harness under mpirun: a 2-rank run records its world and per-rank timings; a failure on one
rank ends the whole job promptly, named, after rank 0 recorded it.
Usage: mpi_harness_test.py MPIEXEC HARNESS [unittest args]"""
import os
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

MPIEXEC = HARNESS = None
TINY = ["--model", "vit_micro", "--progress", "none", "--threads", "1"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def mpirun(ranks, *args, env=None, timeout=300):
    return subprocess.run([MPIEXEC, "--oversubscribe", "-np", str(ranks), HARNESS, *args], capture_output=True,
                          text=True, timeout=timeout, env=env or ENV)


def only_run(path):
    with h5py.File(path, "r") as f:
        (g,) = f["runs"].values()
        return dict(g.attrs), {k: g[k][()] for k in g.keys()}


class MpiHarness(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "results.h5")

    def tearDown(self):
        self.tmp.cleanup()

    def test_two_ranks_record_world_and_per_rank_times(self):
        r = mpirun(2, *TINY, "--subset", "640", "--epochs", "2", "--batch-size", "16", "--output", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        attrs, data = only_run(self.out)
        self.assertEqual(attrs["status"], "completed")
        self.assertEqual(attrs["world_size"], 2)
        self.assertEqual(attrs["global_batch_size"], 32)
        self.assertEqual(attrs["comm_path"], "host")
        self.assertEqual(data["rank_step_time_s"].shape, (40, 2))  # 640 / 2 ranks / 16 = 20 steps per epoch
        self.assertTrue((data["rank_step_time_s"] > 0).all())
        self.assertEqual(int(data["steps"]["samples"][0]), 32)
        self.assertTrue((data["steps"]["comm_exposed_s"] > 0).all())
        # Validation is sharded without padding: every sample exactly once.
        self.assertEqual(int(data["epochs"]["val_samples"][0]), 160)

    def test_failure_on_one_rank_is_recorded_and_ends_the_job(self):
        env = dict(ENV, LB_TEST_FAIL_RANK="1", LB_TEST_FAIL_STEP="25")
        t0 = time.time()
        r = mpirun(2, *TINY, "--subset", "640", "--epochs", "5", "--batch-size", "16", "--flush-interval", "100",
                   "--output", self.out, env=env, timeout=120)
        elapsed = time.time() - t0
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("rank 1: injected failure before step 25", r.stderr)
        self.assertLess(elapsed, 60)
        attrs, data = only_run(self.out)
        self.assertEqual(attrs["status"], "failed")
        self.assertIn("rank 1: injected failure before step 25", attrs["error"])
        # Rank 0 flushed what it had: the steps after the last periodic flush are there too.
        self.assertGreaterEqual(len(data["steps"]), 24)
        self.assertEqual(len(data["epochs"]), 1)


if __name__ == "__main__":
    MPIEXEC, HARNESS = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[3:]])
