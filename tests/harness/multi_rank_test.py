#!/usr/bin/env python3
"""The harness on several ranks, under either launcher: mpirun (--launcher mpi) or env_launch.py, which
starts ranks as torchrun and srun do, with rank variables and no MPI (--launcher env). A 2-rank run
records its world and per-rank timings; a failure on one rank ends the whole job promptly, named,
after rank 0 recorded it; a stop request seen by one rank stops every rank after the same step; a
rank that dies ends the job within 60 s, and one killed while the others wait for it in an exchange
is named by rank 0 (--launcher env: through its watch on every rank's connection).
Usage: multi_rank_test.py mpi MPIEXEC HARNESS [unittest args]
       multi_rank_test.py env ENV_LAUNCH_PY HARNESS [unittest args]"""
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

LAUNCHER = LAUNCH_TOOL = HARNESS = None
TINY = ["--model", "vit_micro", "--progress", "none", "--threads", "1", "--gemm-probe", "0", "--comm-sweep", "off"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def command(ranks, *args):
    if LAUNCHER == "mpi":
        return [LAUNCH_TOOL, "--oversubscribe", "-np", str(ranks), HARNESS, "--launcher", "mpi", *args]
    return [sys.executable, LAUNCH_TOOL, "--np", str(ranks), "--", HARNESS, "--launcher", "env", *args]


def mpirun(ranks, *args, env=None, timeout=300):
    return subprocess.run(command(ranks, *args), capture_output=True, text=True, timeout=timeout, env=env or ENV)


def launcher_forwards_sigterm():
    """Whether SIGTERM to the launcher reaches its ranks before they are ended. env_launch.py does;
    OpenMPI 4.1's mpirun (Debian 12) sends SIGCONT, SIGTERM a second later and kills a second after
    that; Debian 13's OpenMPI 5 forwards it too; OpenMPI 6.0.0rc2's prterun (in the Debian unstable
    root) exits at once, its ranks ended without a signal they can catch."""
    if LAUNCHER != "mpi":
        return True
    with tempfile.TemporaryDirectory() as tmp:
        seen = os.path.join(tmp, "seen")
        rank = ("import signal, sys, time\n"
                "def on_term(*_):\n"
                f"    open({seen!r}, 'w').close()\n"
                "    sys.exit(0)\n"
                "signal.signal(signal.SIGTERM, on_term)\n"
                "print('ready', flush=True)\n"
                "time.sleep(60)\n")
        p = subprocess.Popen([LAUNCH_TOOL, "--oversubscribe", "-np", "1", sys.executable, "-c", rank], env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        p.stdout.readline()
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=60)
        time.sleep(0.5)  # a rank orphaned by its launcher may still be in its handler
        return os.path.exists(seen)


def rank_variable():
    return b"OMPI_COMM_WORLD_RANK" if LAUNCHER == "mpi" else b"RANK"


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
        self.assertEqual(attrs["comm_backend"], "gloo")
        self.assertEqual(attrs["comm_library"], "Gloo")
        self.assertEqual(attrs["launcher"], LAUNCHER)
        if LAUNCHER == "mpi":
            self.assertTrue(attrs["mpi_thread_level"].startswith("MPI_THREAD_"))
        else:
            self.assertEqual(attrs["mpi_thread_level"], "")
            self.assertEqual(attrs["mpi_library"], "")
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


    def test_graph_capture_is_refused_for_several_ranks(self):
        r = mpirun(2, *TINY, "--subset", "160", "--epochs", "1", "--graph-capture", "on", "--output", self.out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--graph-capture on: one rank only", r.stderr)

    def test_allreduce_sweep_is_recorded(self):
        r = mpirun(2, "--model", "vit_micro", "--progress", "none", "--threads", "1", "--gemm-probe", "0",
                   "--subset", "160", "--epochs", "1", "--batch-size", "16", "--output", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        attrs, data = only_run(self.out)
        sweep = data["allreduce_sweep"]
        self.assertGreaterEqual(len(sweep), 5)
        self.assertEqual(int(sweep["bytes"][0]), 4096)
        self.assertTrue((sweep["ranks"] == 2).all())
        self.assertTrue((sweep["seconds"] > 0).all())

    def test_a_stop_seen_by_one_rank_stops_every_rank_at_the_same_step(self):
        # Rank 1 alone requests a stop (as if SIGTERM reached only it) before step 7: both ranks
        # finish step 7 and stop there, the run is `interrupted`, every rank exits 143.
        env = dict(ENV, LB_TEST_STOP_RANK="1", LB_TEST_STOP_STEP="7")
        r = mpirun(2, *TINY, "--subset", "640", "--epochs", "5", "--batch-size", "16", "--output", self.out,
                   env=env, timeout=120)
        self.assertEqual(r.returncode, 143, r.stderr)
        attrs, data = only_run(self.out)
        self.assertEqual(attrs["status"], "interrupted")
        self.assertEqual(attrs["stop_reason"], "SIGTERM")
        self.assertEqual(len(data["steps"]), 8)  # steps 0..7: the one during which the request came was finished
        self.assertEqual(data["rank_step_time_s"].shape, (8, 2))

    def test_with_windows_a_stop_is_agreed_at_the_window_end(self):
        # Exchanges every 4 steps: rank 1's stop request before step 5 is shared at the end of the
        # window of steps 4..7, and both ranks stop after step 7.
        env = dict(ENV, LB_TEST_STOP_RANK="1", LB_TEST_STOP_STEP="5")
        r = mpirun(2, *TINY, "--subset", "640", "--epochs", "5", "--batch-size", "16", "--sync-every", "4",
                   "--output", self.out, env=env, timeout=120)
        self.assertEqual(r.returncode, 143, r.stderr)
        attrs, data = only_run(self.out)
        self.assertEqual(attrs["status"], "interrupted")
        self.assertEqual(attrs["sync_every"], 4)
        self.assertEqual(len(data["steps"]), 8)
        self.assertEqual(data["rank_step_time_s"].shape, (8, 2))

    def test_a_profile_on_several_ranks_ends_at_a_window_end(self):
        # Rank 0 profiles steps 2-4 as asked, then to its window's end (windows of 4 steps: 0-3,
        # 4-7), so that no rank waits for its profiler inside a steady step: steps 2-7 are flagged.
        r = mpirun(2, *TINY, "--subset", "640", "--epochs", "1", "--batch-size", "16", "--sync-every", "4",
                   "--warmup-steps", "2", "--profile-steps", "3", "--output", self.out, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        attrs, data = only_run(self.out)
        self.assertEqual(attrs["profile_steps"], 6)
        self.assertEqual([int(s) for s, w in zip(data["steps"]["step"], data["steps"]["warmup"]) if w], list(range(8)))
        (summary,) = [p for p in os.listdir(self.out + ".profiles") if not p.endswith(".trace.json")]  # rank 0's only
        with open(os.path.join(self.out + ".profiles", summary)) as f:
            profile = json.load(f)
        self.assertEqual((profile["first_step"], profile["steps"]), (2, 6))

    def wait_for_a_flushed_step(self, deadline):
        """Until rank 0's journal holds a step (on a loaded machine that can take many seconds)."""
        def flushed():
            folder = self.out + ".journals"
            for name in (os.listdir(folder) if os.path.isdir(folder) else []):
                with open(os.path.join(folder, name)) as f:
                    if any('"step":' in line for line in f):
                        return True
            return False
        while time.time() < deadline and not flushed():
            time.sleep(0.2)
        self.assertTrue(flushed(), "rank 0 flushed a step before the signal")

    def test_sigterm_to_the_launcher_stops_the_job_cleanly(self):
        p = subprocess.Popen(command(2, *TINY, "--subset", "3200", "--epochs", "100", "--batch-size", "32", "--output",
                                     self.out), env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 120
        self.wait_for_a_flushed_step(deadline)
        t0 = time.time()
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        self.assertLess(time.time() - t0, 30, "Slurm would SIGKILL after 30 s")
        if launcher_forwards_sigterm():
            attrs, data = only_run(self.out)
            self.assertEqual(attrs["status"], "interrupted", err)
            self.assertGreater(len(data["steps"]), 0)
            return
        # A launcher that kills its ranks unwarned (SIGKILL, as far as they can tell): what rank 0
        # flushed is in its journal, and the next run folds it into the file as `crashed`.
        print(f"\n  {LAUNCH_TOOL} does not forward SIGTERM to its ranks: the run is recovered from its journal",
              file=sys.stderr)
        (name,) = os.listdir(self.out + ".journals")
        with open(os.path.join(self.out + ".journals", name)) as f:
            lines = f.read().split("\n")[:-1]  # the text after the last newline is an unfinished write
        flushed = sum(isinstance(json.loads(line).get("step"), dict) for line in lines)
        self.assertGreater(flushed, 0)
        r = mpirun(1, *TINY, "--subset", "160", "--epochs", "1", "--output", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("recovered run", r.stderr)
        with h5py.File(self.out, "r") as f:
            killed = [g for g in f["runs"].values() if g.attrs["status"] == "crashed"]
            self.assertEqual(len(killed), 1)
            self.assertGreaterEqual(len(killed[0]["steps"]), flushed)

    def test_a_rank_that_dies_ends_the_job_within_60_s(self):
        p = subprocess.Popen(command(4, *TINY, "--subset", "3200", "--epochs", "100", "--batch-size", "16",
                                     "--flush-interval", "0.5", "--output", self.out), env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 180
        pids = []
        while time.time() < deadline and len(pids) < 4:
            pids = [int(x) for x in subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True,
                                                    text=True).stdout.split()]
            time.sleep(0.2)
        self.assertEqual(len(pids), 4, "four ranks started")
        self.wait_for_a_flushed_step(deadline)
        # Which pid is which rank: OMPI_COMM_WORLD_RANK (mpirun) or RANK (env) in its environment.
        rank_of = {}
        for pid in pids:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
            rank_of[int(env.get(rank_variable(), b"-1"))] = pid
        os.kill(rank_of[2], signal.SIGKILL)
        t0 = time.time()
        _, err = p.communicate(timeout=120)
        self.assertLess(time.time() - t0, 60)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(err, r"rank 2|process rank 2", err)
        self.assertGreater(self.steps_kept_after_rank_2_died(err), 0)
        if LAUNCHER == "env":  # rank 0's watch names the dead rank, not the peers' closed connections to it
            attrs, _ = only_run(self.out)
            self.assertIn("rank 2's process ended without reporting an error", attrs["error"], err)

    def test_a_rank_killed_before_an_exchange_is_named_by_rank_0(self):
        # Rank 2 dies of SIGKILL, with no word to anyone, while the others wait for it in the
        # window's exchange (on the CPU every step is its own window). Nothing times out within 120 s
        # (--comm-timeout 300, the env launcher's grace 250 s): only seeing the process end can end
        # the job sooner, start-up of 4 ranks on a loaded 2-core machine included.
        args = command(4, *TINY, "--subset", "640", "--epochs", "100", "--batch-size", "16", "--comm-timeout", "300",
                       "--output", self.out)
        if LAUNCHER == "env":
            args[2:2] = ["--grace", "250"]
        env = dict(ENV, LB_TEST_KILL_RANK="2", LB_TEST_KILL_STEP="5")
        t0 = time.time()
        r = subprocess.run(args, capture_output=True, text=True, timeout=400, env=env)
        self.assertLess(time.time() - t0, 120, r.stderr)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"rank 2|process rank 2", r.stderr)
        steps = self.steps_kept_after_rank_2_died(r.stderr)
        if LAUNCHER == "env":  # mpirun ends every rank itself, rank 0 with it: the journal keeps the steps
            attrs, _ = only_run(self.out)
            self.assertIn("rank 2's process ended without reporting an error", attrs["error"])
            self.assertEqual(steps, 5, "steps 0-4, exchanged before rank 2 died")

    def steps_kept_after_rank_2_died(self, err):
        """What rank 0 flushed survives: folded as `failed` when rank 0 saw the peer vanish, else in
        its journal (folded by the next run). Returns the number of steps kept."""
        folder = self.out + ".journals"
        if os.path.isdir(folder) and os.listdir(folder):
            (name,) = os.listdir(folder)
            with open(os.path.join(folder, name)) as f:
                return sum(1 for line in f if '"step":' in line)
        attrs, data = only_run(self.out)
        self.assertEqual(attrs["status"], "failed", err)
        return len(data["steps"])


if __name__ == "__main__":
    LAUNCHER, LAUNCH_TOOL, HARNESS = sys.argv[1], sys.argv[2], sys.argv[3]
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[4:]])
