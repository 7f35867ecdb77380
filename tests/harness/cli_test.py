#!/usr/bin/env python3
"""The harness as a user runs it: options, bad input, exit codes, crash safety, concurrent appends,
training on the LUMI AI guide's HDF5 format. Usage: cli_test.py HARNESS GUIDE_DATA_DIR [unittest args]"""
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

import h5py

HARNESS = None
GUIDE = None
TINY = ["--model", "vit_micro", "--progress", "none", "--threads", "1", "--gemm-probe", "0"]


def run(*args, timeout=300, **kw):
    """Runs the harness to completion and returns the CompletedProcess."""
    return subprocess.run([HARNESS, *args], capture_output=True, text=True, timeout=timeout, **kw)


def runs(path):
    with h5py.File(path, "r") as f:
        return {name: (dict(g.attrs), {k: g[k][()] for k in g.keys()}) for name, g in f["runs"].items()}


def journals(path):
    """The run journals beside a results file: {run_id: [records]}; a last line cut short is ignored,
    and so is a journal without a whole line yet (its writer is between creating it and its header)."""
    folder = path + ".journals"
    out = {}
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not name.endswith(".jsonl"):
            continue
        with open(os.path.join(folder, name)) as f:
            lines = f.read().split("\n")[:-1]  # the text after the last newline is an unfinished write
        records = [json.loads(line) for line in lines]
        if records:
            out[records[0]["run_id"]] = records[1:]
    return out


class Cli(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.out = os.path.join(self.tmp.name, "results.h5")

    def tearDown(self):
        self.tmp.cleanup()

    def test_help_lists_every_option_with_its_default(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0)
        for opt in ["--device", "--data", "--subset", "--batch-size", "--epochs", "--max-steps", "--lr", "--optimizer",
                    "--weight-decay", "--label-smoothing", "--grad-clip", "--seed", "--threads", "--warmup-steps",
                    "--eval-every", "--model", "--init-weights", "--output", "--val-fraction"]:
            self.assertIn(opt, r.stdout)
        text = " ".join(r.stdout.split())  # cxxopts wraps long lines
        self.assertIn("(default: 32)", text)
        self.assertIn("(default: results.h5)", text)
        self.assertIn("Exit codes", r.stdout)

    def test_version_names_commit_and_libtorch(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0)
        self.assertRegex(r.stdout, r"harness \d+\.\d+\.\d+ \(git [0-9a-f]+.*, LibTorch \d+\.\d+")

    def assert_usage_error(self, args, expected, output=None):
        r = run(*args, "--output", output or self.out)
        self.assertEqual(r.returncode, 2, f"{args}: {r.stderr}")
        lines = [l for l in r.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn(expected, lines[0])

    def test_bad_input_gets_one_line_and_exit_2(self):
        g = lambda f: os.path.join(GUIDE, f)
        cases = [
            (["--bogus"], "bogus"),
            (["--batch-size", "abc"], "abc"),
            (["--device", "tpu"], "--device 'tpu': expected one of cpu, cuda, rocm"),
            (["--model", "vit_x_1"], "unknown model 'vit_x_1'"),
            (["--optimizer", "lamb"], "--optimizer 'lamb'"),
            (["--val-fraction", "1.5"], "--val-fraction"),
            (["--data", g("missing.h5")], "no such file or folder"),
            (["--data", g("not_hdf5.h5")], "not an HDF5 file"),
            (["--data", g("bad_dtype.h5"), "--num-classes", "10"], "dataset 'images' is not float32"),
            (["--data", g("bad_shape.h5"), "--num-classes", "10"], "expected 'images' float32 [N,3,H,W]"),
            (["--data", g("no_labels.h5"), "--num-classes", "10"], "no dataset 'labels'"),
            (["--data", g("bad_labels.h5"), "--num-classes", "10"], "outside [0, 10)"),
            (["--subset", "250%"], "--subset '250%'"),
            (["--subset", "90000"], "more than the training split's 80000"),
            (["--subset", "100", "--batch-size", "512"], "--batch-size 512: larger than the 100 training samples"),
            (["--init-weights", g("missing.pt")], "--init-weights"),
            (["--init-weights", g("expected.pt")], "--init-weights"),
            (["--epochs", "0"], "--epochs 0"),
            (["--fused-add-norm", "maybe"], "--fused-add-norm 'maybe': expected one of auto, on, off"),
            (["--fused-add-norm", "on", "--precision", "fp16"], "--fused-add-norm on: the fused kernel takes fp32 and bf16"),
            (["--fused-bias-gelu", "yes"], "--fused-bias-gelu 'yes': expected one of auto, on, off"),
            (["--fused-bias-gelu", "on", "--precision", "fp16"], "--fused-bias-gelu on: the fused kernel takes fp32 and bf16"),
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assert_usage_error(TINY + args, expected)
        self.assertFalse(os.path.exists(self.out), "a usage error must not create the results file")

    def test_bad_output_is_refused_and_existing_records_survive(self):
        self.assert_usage_error(TINY, "folder", output=os.path.join(self.tmp.name, "nope", "r.h5"))
        text = os.path.join(self.tmp.name, "notes.h5")
        with open(text, "w") as f:
            f.write("my notes\n")
        self.assert_usage_error(TINY, "not a results file", output=text)
        with open(text) as f:
            self.assertEqual(f.read(), "my notes\n")
        newer = os.path.join(self.tmp.name, "newer.h5")
        with h5py.File(newer, "w") as f:
            f.attrs["schema_version"] = 99
        self.assert_usage_error(TINY, "schema_version 99 is newer", output=newer)

    def test_trains_on_the_guide_format_written_by_h5py(self):
        for name in ["guide_contiguous.h5", "guide_chunked.h5"]:
            with self.subTest(name=name):
                out = os.path.join(self.tmp.name, name + ".results.h5")
                r = run(*TINY, "--data", os.path.join(GUIDE, name), "--num-classes", "10", "--epochs", "2",
                        "--batch-size", "16", "--output", out)
                self.assertEqual(r.returncode, 0, r.stderr)
                (attrs, data), = runs(out).values()
                self.assertEqual(attrs["status"], "completed")
                self.assertEqual(attrs["data_source"], "hdf5")
                self.assertEqual(attrs["synthetic"], 0)
                self.assertEqual(attrs["dataset_samples"], 300)
                self.assertEqual(attrs["full_train_samples"], 240)
                self.assertEqual(attrs["full_val_samples"], 60)
                self.assertEqual(len(data["epochs"]), 2)
                self.assertEqual(int(data["epochs"]["val_samples"][0]), 60)
                self.assertEqual(len(data["steps"]), 2 * 15)

    def test_trains_on_an_image_folder(self):
        import numpy as np
        from PIL import Image
        root = os.path.join(self.tmp.name, "tiny", "train")
        rng = np.random.default_rng(0)
        for c, name in enumerate(["n01", "n02", "n03"]):
            os.makedirs(os.path.join(root, name, "images"))
            for i in range(12):
                pixels = (rng.random((64, 64, 3)) * 80 + c * 80).astype(np.uint8)
                img = Image.fromarray(pixels if i % 3 else pixels[:, :, 0])  # some grayscale, as Tiny ImageNet
                ext = "png" if i % 2 else "JPEG"
                img.save(os.path.join(root, name, "images", f"{name}_{i}.{ext}"))
        r = run(*TINY, "--data", os.path.dirname(root), "--num-classes", "3", "--epochs", "2", "--batch-size", "8",
                "--output", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        (attrs, data), = runs(self.out).values()
        self.assertEqual(attrs["data_source"], "folder")
        self.assertEqual(attrs["dataset_samples"], 36)
        self.assertEqual(attrs["status"], "completed")
        self.assertEqual(len(data["epochs"]), 2)
        # A folder whose images differ in size is refused with the file named.
        Image.fromarray(np.zeros((32, 48, 3), np.uint8)).save(os.path.join(root, "n03", "images", "odd.png"))
        r = run(*TINY, "--data", os.path.dirname(root), "--num-classes", "3", "--epochs", "1", "--batch-size", "8",
                "--subset", "100%", "--output", os.path.join(self.tmp.name, "odd.h5"))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("odd.png: 48x32 pixels, expected 64x64", r.stderr)

    def test_subset_run_records_subset_and_full_sizes(self):
        r = run(*TINY, "--subset", "2%", "--epochs", "1", "--output", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        (attrs, data), = runs(self.out).values()
        self.assertEqual((attrs["train_samples"], attrs["full_train_samples"]), (1600, 80000))
        self.assertEqual((attrs["val_samples"], attrs["full_val_samples"]), (400, 20000))
        self.assertEqual(attrs["subset"], "2%")
        self.assertAlmostEqual(attrs["subset_fraction"], 0.02)
        self.assertAlmostEqual(attrs["lr"], 1e-3)
        self.assertAlmostEqual(attrs["val_fraction"], 0.2)
        self.assertGreaterEqual(attrs["wall_time_s"], data["epochs"]["end_wall_s"][-1])
        self.assertEqual(attrs["synthetic"], 1)
        self.assertNotIn("first estimate", r.stderr, "extrapolation is analyze's job")
        self.assertEqual(attrs["schema_version"], 6)
        self.assertEqual((attrs["graph_capture"], attrs["graph_replays"], attrs["profile_steps"]), ("off", 0, 0))
        self.assertEqual(attrs["val_scope"], "all_ranks")
        self.assertEqual(attrs["val_images_per_eval"], 400)
        self.assertEqual(attrs["precision"], "fp32")
        self.assertEqual(attrs["optimizer_impl"], "fused")
        self.assertEqual(attrs["comm_backend"], "none")
        self.assertEqual(attrs["stop_reason"], "epochs")
        self.assertEqual(attrs["dropped_step"], -1)
        self.assertFalse(os.path.exists(self.out + ".journals"), "the journal is folded and removed at the end")
        for key in ["host", "cpu_model", "torch_version", "blas", "compiler", "git_commit",
                    "start_utc", "end_utc", "command_line"]:
            self.assertTrue(str(attrs[key]), key)
        # One rank without a launcher: no MPI is used, so none is named.
        self.assertEqual(attrs["launcher"], "none")
        self.assertEqual(attrs["mpi_library"], "")
        self.assertEqual(int(data["steps"]["samples"].sum()), 1600)
        self.assertTrue((data["steps"]["warmup"][:5] == 1).all() and (data["steps"]["warmup"][5:] == 0).all())
        self.assertEqual(data["rank_step_time_s"].shape, (50, 1))

    def test_energy_counters_are_recorded_per_epoch_and_run(self):
        # A recorded RAPL tree (package and DRAM) replayed through --energy-rapl-root: rows for every
        # epoch and the run (-1), the source named, the energy the counter rule picks. Static
        # counters: zero joules over each window.
        root = os.path.join(self.tmp.name, "powercap")
        for zone, name in [("intel-rapl:0", "package-0"), ("intel-rapl:0:0", "core"), ("intel-rapl:0:1", "dram")]:
            os.makedirs(os.path.join(root, zone))
            for f, v in [("name", name), ("energy_uj", "5000000"), ("max_energy_range_uj", "262143328850")]:
                with open(os.path.join(root, zone, f), "w") as fh:
                    fh.write(v + "\n")
        r = run(*TINY, "--subset", "160", "--epochs", "2", "--energy-rapl-root", root,
                "--energy-cray-root", os.path.join(self.tmp.name, "no-cray"), "--output", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        (attrs, data), = runs(self.out).values()
        self.assertEqual(attrs["energy_sources"], "rapl")
        self.assertIn("cray_pm", attrs["energy_unavailable"])
        self.assertEqual(attrs["energy_j"], 0.0)
        counters = {(int(e), c.decode()) for e, c in zip(data["energy"]["epoch"], data["energy"]["counter"])}
        for epoch in (0, 1, -1):
            self.assertIn((epoch, "rapl:package"), counters)
            self.assertIn((epoch, "rapl:dram"), counters)
        self.assertEqual(list(data["epochs"]["energy_j"]), [0.0, 0.0])
        # --energy off: nothing read, and said so.
        out = os.path.join(self.tmp.name, "off.h5")
        r = run(*TINY, "--subset", "160", "--epochs", "1", "--energy", "off", "--output", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        (attrs, data), = runs(out).values()
        self.assertIn("--energy off", attrs["energy_unavailable"])
        self.assertTrue(math.isnan(attrs["energy_j"]))

    def test_exchange_windows_change_nothing_but_when_the_host_reads(self):
        # The same run with the device read (and the ranks' exchange) every step and every 4 steps:
        # the same steps, the same losses to the bit, the same epochs; the GPU default of 10 is
        # recorded as what it was.
        losses = {}
        for every in (1, 4):
            out = os.path.join(self.tmp.name, f"w{every}.h5")
            r = run(*TINY, "--subset", "240", "--epochs", "2", "--batch-size", "16", "--max-steps", "27",
                    "--sync-every", str(every), "--output", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            (attrs, data), = runs(out).values()
            self.assertEqual(attrs["sync_every"], every)
            self.assertEqual(attrs["stop_reason"], "max_steps")
            self.assertEqual(list(data["steps"]["step"]), list(range(27)))
            losses[every] = [float(x) for x in data["steps"]["loss"]]
            self.assertEqual(len(data["epochs"]), 2)
        self.assertEqual(losses[1], losses[4])

    def test_fused_kernels_on_the_cpu_train_like_atens_calls(self):
        # The GPU's fused kernels, through their CPU references, each alone and both: the same
        # steps, and losses within rounding of ATen's separate calls (the CPU's default, recorded as
        # no fused kernel). SGD keeps rounding differences rounding-sized (Adam would turn them into
        # +-lr); its large steps make the encoder, not only the zero-initialised head, shape the losses.
        losses = {}
        variants = {"auto": ("auto", "auto", ""), "add_norm": ("on", "off", "add_layer_norm"),
                    "bias_gelu": ("off", "on", "bias_gelu"), "both": ("on", "on", "add_layer_norm,bias_gelu")}
        for name, (add_norm, bias_gelu, recorded) in variants.items():
            out = os.path.join(self.tmp.name, f"{name}.h5")
            r = run(*TINY, "--subset", "240", "--epochs", "1", "--batch-size", "16", "--max-steps", "12",
                    "--optimizer", "sgd", "--lr", "1", "--fused-add-norm", add_norm, "--fused-bias-gelu", bias_gelu,
                    "--output", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            (attrs, data), = runs(out).values()
            self.assertEqual(attrs["fused_kernels"], recorded, name)
            self.assertEqual(list(data["steps"]["step"]), list(range(12)))
            losses[name] = [float(x) for x in data["steps"]["loss"]]
        for name in ("add_norm", "bias_gelu", "both"):
            worst = max(abs(a - b) / abs(b) for a, b in zip(losses[name], losses["auto"]))
            self.assertLess(worst, 1e-4, (name, losses[name], losses["auto"]))

    def test_graph_mode_trains_like_the_eager_step(self):
        # --graph-capture on, through its CPU twin (the captured work run again at each replay):
        # the steps before the capture, the replays (inputs copied into the graphs' tensors, the
        # gradients read where the backward left them, the optimizer after them) and each epoch's
        # last, shorter batch (eager again, between replays) give the eager run's losses to the bit,
        # with a validation pass between replays.
        losses = {}
        for mode in ("off", "on"):
            out = os.path.join(self.tmp.name, f"graph_{mode}.h5")
            r = run(*TINY, "--subset", "200", "--epochs", "2", "--batch-size", "16", "--eval-every", "5",
                    "--graph-capture", mode, "--output", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            (attrs, data), = runs(out).values()
            self.assertEqual(attrs["graph_capture"], "cpu_twin" if mode == "on" else "off")
            steps = data["steps"]
            self.assertEqual(list(steps["step"]), list(range(26)))  # 200 training samples an epoch: 12 batches of 16, 1 of 8
            self.assertEqual(list(steps["samples"][11:14]), [16, 8, 16])
            # Replayed: every step but the 3 before the capture and the 2 short ones.
            self.assertEqual(attrs["graph_replays"], 21 if mode == "on" else 0)
            losses[mode] = [float(x) for x in steps["loss"]]
            losses[mode + "_val"] = [float(x) for x in data["evaluations"]["val_loss"]]
            self.assertEqual(len(losses[mode + "_val"]), 7)  # after steps 5, 10, 15, 20, 25 and each epoch
        self.assertEqual(losses["on"], losses["off"])
        self.assertEqual(losses["on_val"], losses["off_val"])

    def test_profiled_steps_are_summed_by_operator_and_kept_out_of_steady_state(self):
        # 200 training samples in batches of 16: steps 0-12 in the first epoch (12 is the short one).
        # Each case: (options, first profiled step, steps profiled). A profile stops before the
        # epoch's validation (step 12 is the last it can take), and in graph mode starts after the
        # capture (3 eager steps, the capture at step 3: step 4 first).
        base = [*TINY, "--subset", "200", "--epochs", "2", "--batch-size", "16", "--optimizer", "sgd"]
        plain = os.path.join(self.tmp.name, "plain.h5")
        self.assertEqual(run(*base, "--warmup-steps", "2", "--output", plain).returncode, 0)
        (_, plain_data), = runs(plain).values()
        cases = [(["--warmup-steps", "2", "--profile-steps", "3"], 2, 3),
                 (["--warmup-steps", "11", "--profile-steps", "5"], 11, 2),
                 (["--warmup-steps", "0", "--profile-steps", "2", "--graph-capture", "on"], 4, 2)]
        for k, (extra, first, count) in enumerate(cases):
            with self.subTest(extra=extra):
                out = os.path.join(self.tmp.name, f"profiled{k}.h5")
                r = run(*base, *extra, "--output", out)
                self.assertEqual(r.returncode, 0, r.stderr)
                (run_id, (attrs, data)), = runs(out).items()
                self.assertEqual(attrs["profile_steps"], count)
                warmup_steps = int(extra[1])
                flagged = [int(s) for s, w in zip(data["steps"]["step"], data["steps"]["warmup"]) if w]
                self.assertEqual(flagged, sorted(set(range(warmup_steps)) | set(range(first, first + count))))
                if "--graph-capture" not in extra:  # the profiler watches; it changes no number
                    self.assertEqual(list(data["steps"]["loss"]), list(plain_data["steps"]["loss"]))
                with open(os.path.join(out + ".profiles", run_id + ".json")) as f:
                    profile = json.load(f)
                self.assertEqual((profile["first_step"], profile["steps"], profile["device"]), (first, count, "cpu"))
                self.assertEqual(profile["device_kernels"], [])
                ops = {op["name"]: op for op in profile["host_ops"]}
                # One backward of the patch embedding's convolution per training step, none in
                # validation: the profile holds the profiled steps' work and nothing else.
                self.assertEqual(ops["aten::convolution_backward"]["count"], count)
                self.assertTrue(all(0 <= op["self_s"] <= op["total_s"] + 1e-9 for op in ops.values()))
                # Own times, each nested call's counted once, sum to less than the profiled stretch
                # (one thread: --threads 1 runs backward on the step's thread); a linear layer's own
                # time leaves out the product it calls. With vit_micro's 32-wide products the call's
                # own overhead is about half its time (0.50 measured on LibTorch 1.13): a bound of 0.9
                # still fails a summary that nests nothing (own time = total time).
                self.assertLessEqual(sum(op["self_s"] for op in ops.values()), profile["span_s"])
                self.assertLess(ops["aten::linear"]["self_s"], 0.9 * ops["aten::linear"]["total_s"])
                self.assertTrue(profile["trace"].startswith(("not kept", out + ".profiles")))

    def test_progress_counts_the_steps_the_run_will_take(self):
        # 15 steps per epoch and 2 epochs, but --max-steps 4: the last line says 4 of 4 and nothing left.
        args = [a for a in TINY if a not in ("--progress", "none")]
        r = run(*args, "--progress", "plain", "--progress-interval", "1000", "--subset", "240", "--epochs", "2",
                "--batch-size", "16", "--max-steps", "4", "--output", self.out)
        self.assertEqual(r.returncode, 0, r.stderr)
        last = [line for line in r.stderr.splitlines() if line.startswith("epoch 1/2 step")][-1]
        self.assertIn("step 4/4", last)
        self.assertIn("ETA 0", last)

    def test_a_stop_ends_a_single_rank_window_at_once(self):
        # Alone, a rank does not wait for its window's end to stop: the step in flight is the last.
        p = self.start_long_run("--sync-every", "50")
        self.wait_for_epochs(p, 1)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        self.assertEqual(p.returncode, 143)
        (attrs, data), = runs(self.out).values()
        self.assertEqual(attrs["status"], "interrupted")
        steps = data["steps"]
        self.assertEqual(list(steps["step"]), list(range(len(steps))), "every step up to the stop is recorded")

    def test_nan_loss_ends_as_diverged_with_exit_3(self):
        r = run(*TINY, "--subset", "640", "--epochs", "3", "--optimizer", "sgd", "--lr", "1e30",
                "--lr-schedule", "constant", "--output", self.out)
        self.assertEqual(r.returncode, 3, r.stderr)
        (attrs, data), = runs(self.out).values()
        self.assertEqual(attrs["status"], "diverged")
        self.assertIn("loss is", attrs["error"])

    def start_long_run(self, *extra):
        return subprocess.Popen([HARNESS, *TINY, "--subset", "3200", "--epochs", "200", "--batch-size", "64",
                                 "--flush-interval", "0.2", "--output", self.out, *extra],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_for_epochs(self, proc, n, timeout=120):
        """Until the running process's journal holds n epochs (the results file gets the run at its end)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            self.assertIsNone(proc.poll(), "the run ended early")
            live = [r for r in journals(self.out).values() if sum("epoch" in x for x in r) >= n]
            if live:
                return
            time.sleep(0.1)
        self.fail("no epochs flushed in time")

    def test_sigterm_and_sigint_end_as_interrupted(self):
        for sig, code in [(signal.SIGTERM, 143), (signal.SIGINT, 130)]:
            with self.subTest(sig=sig):
                if os.path.exists(self.out):
                    os.remove(self.out)
                p = self.start_long_run()
                self.wait_for_epochs(p, 1)
                p.send_signal(sig)
                p.wait(timeout=60)
                self.assertEqual(p.returncode, code)
                (attrs, data), = runs(self.out).values()
                self.assertEqual(attrs["status"], "interrupted")
                self.assertEqual(attrs["stop_reason"], sig.name)
                self.assertTrue(attrs["end_utc"])
                self.assertGreaterEqual(len(data["epochs"]), 1)

    def test_sigkill_at_any_moment_leaves_a_readable_file(self):
        """SIGKILL at several moments (the long form with 20+ moments is tests/faults/campaign.py):
        each killed run's journal keeps what it flushed, the next run folds it into the results file
        as `crashed`, and the file always opens."""
        p = self.start_long_run()
        self.wait_for_epochs(p, 2)
        kills, flushed = 0, {}
        for delay in [0.0, 0.05, 0.13, 0.21, 0.37]:
            time.sleep(delay)
            p.kill()
            p.wait()
            kills += 1
            for run_id, records in journals(self.out).items():
                flushed.setdefault(run_id, sum("epoch" in r for r in records))
            if os.path.exists(self.out):
                runs(self.out)  # opens whatever the moment of the kill
            if kills < 5:
                known = set(journals(self.out))
                p = self.start_long_run()
                deadline = time.time() + 60
                while time.time() < deadline and not set(journals(self.out)) - known:
                    time.sleep(0.05)  # until the new run's journal exists
        r = run(*TINY, "--subset", "160", "--epochs", "1", "--output", self.out)  # recovers the last orphan
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("recovered run", r.stderr)
        all_runs = runs(self.out)
        # Every run that had started its journal is there (a run killed during its setup recorded nothing).
        self.assertEqual(set(all_runs) - set(flushed), {max(all_runs)})
        self.assertGreaterEqual(len(flushed), 3)
        self.assertEqual(journals(self.out), {})
        for run_id, (attrs, data) in all_runs.items():
            self.assertEqual(len(data["rank_step_time_s"]), len(data["steps"]))
            if run_id in flushed:
                self.assertEqual(attrs["status"], "crashed")
                self.assertGreaterEqual(len(data["epochs"]), flushed[run_id], run_id)
        # The first run had flushed two epochs before its kill, and kept them.
        self.assertGreaterEqual(len(all_runs[min(flushed)][1]["epochs"]), 2)

    def test_concurrent_appends_to_one_file(self):
        procs = [subprocess.Popen([HARNESS, *TINY, "--subset", "800", "--epochs", "2", "--flush-interval", "0.05",
                                   "--seed", str(seed), "--output", self.out],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in (1, 2, 3)]
        for p in procs:
            _, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, err)
        all_runs = runs(self.out)
        self.assertEqual(len(all_runs), 3)
        for attrs, data in all_runs.values():
            self.assertEqual(attrs["status"], "completed")
            self.assertEqual(len(data["epochs"]), 2)


if __name__ == "__main__":
    HARNESS, GUIDE = sys.argv[1], sys.argv[2]
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[3:]])
