#!/usr/bin/env python3
"""The fault campaign: kills, stop requests, a dying rank, a full disk and concurrent writers, each
against the real harness, with the outcome checked in the results file. Prints a table (and writes
it as Markdown with --markdown FILE, the table of docs/reliability.md).

  campaign.py --harness BUILD/harness/harness --mpirun mpirun [--long] [--markdown FILE] [--seed N]

The short form (ctest's faults.campaign) kills at 8 random moments; --long at 30. Exit code 0 when
every row passed, 1 otherwise."""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import h5py

TINY = ["--model", "vit_micro", "--progress", "none", "--threads", "1", "--gemm-probe", "0", "--comm-sweep", "off"]
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
ROWS = []


def row(fault, runs, expected, observed, ok):
    ROWS.append((fault, str(runs), expected, observed, "pass" if ok else "FAIL"))
    print(f"{'pass' if ok else 'FAIL'}  {fault}: {observed}", flush=True)


def results(path):
    """{run_id: (attrs, {table: rows})}; raises if the file does not open."""
    with h5py.File(path, "r") as f:
        return {k: (dict(g.attrs), {t: g[t][()] for t in g.keys()}) for k, g in f["runs"].items()}


def journals(path):
    """{run_id: [records]} of the journals beside a results file, by their whole lines; a journal
    without one (its writer was killed before the header was whole) has no run to name: skipped here,
    and left_over() sees it."""
    folder = path + ".journals"
    out = {}
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if name.endswith(".jsonl"):
            with open(os.path.join(folder, name)) as f:
                lines = f.read().split("\n")[:-1]
            recs = [json.loads(x) for x in lines]
            if recs:
                out[recs[0]["run_id"]] = recs[1:]
    return out


def left_over(path):
    """Every file still in the journal folder beside a results file."""
    folder = path + ".journals"
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def epochs_in(records):
    return sum(1 for r in records if "epoch" in r)


class Campaign:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.tmp = tempfile.mkdtemp(prefix="lb_faults_")

    def harness(self, *args, out, **kw):
        return subprocess.Popen([self.a.harness, *TINY, *args, "--output", out], stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, text=True, **kw)

    def sigkill(self, moments):
        """SIGKILL at random moments spread over a whole run (setup, steps, flushes, validation, the
        fold at the end): the results file must open after every kill with every earlier run
        unchanged; every killed run's flushed epochs must reach the file (folded by the next run)."""
        out = os.path.join(self.tmp, "kill.h5")
        args = ["--subset", "480", "--epochs", "3", "--batch-size", "16", "--flush-interval", "0.05"]
        t0 = time.time()
        subprocess.run([self.a.harness, *TINY, *args, "--output", os.path.join(self.tmp, "calibrate.h5")],
                       check=True, capture_output=True, timeout=300)
        duration = time.time() - t0
        flushed, opened, intact, kills = {}, 0, 0, 0
        phases = {"before its journal existed": 0, "while training": 0, "after it ended": 0}
        for k in range(moments):
            before = results(out) if os.path.exists(out) else {}
            known = set(journals(out))
            p = self.harness(*args, "--seed", str(k), out=out)
            time.sleep(self.rng.uniform(0.0, 1.15 * duration))
            ended = p.poll() is not None
            p.kill()
            p.wait()
            kills += 1
            new = set(journals(out)) - known
            phases["after it ended" if ended else "while training" if new else "before its journal existed"] += 1
            for run_id, recs in journals(out).items():
                flushed[run_id] = max(flushed.get(run_id, 0), epochs_in(recs))
            if os.path.exists(out):
                try:
                    after = results(out)
                    opened += 1
                    same = all(run_id in after and after[run_id][0].get("status") == attrs.get("status") and
                               len(after[run_id][1].get("steps", [])) == len(tables.get("steps", []))
                               for run_id, (attrs, tables) in before.items())
                    intact += same
                except Exception as e:  # noqa: BLE001: any failure to open is the finding
                    print(f"  the file did not open after kill {k}: {e}")
            else:
                opened += 1
                intact += 1
        r = subprocess.run([self.a.harness, *TINY, "--subset", "160", "--epochs", "1", "--output", out],
                           capture_output=True, text=True, timeout=300)
        final = results(out)
        lost = [run_id for run_id, n in flushed.items()
                if run_id not in final or len(final[run_id][1]["epochs"]) < n]
        ok = opened == kills and intact == kills and not lost and r.returncode == 0 and not left_over(out)
        when = ", ".join(f"{n} {what}" for what, n in phases.items())
        row("SIGKILL at random moments of a run", kills,
            "file opens every time; earlier runs unchanged; flushed epochs recovered",
            f"killed {when} (a run lasts {duration:.1f} s); opened {opened}/{kills}, earlier runs intact "
            f"{intact}/{kills}, {len(flushed)} killed runs recovered with {sum(flushed.values())} flushed epochs, "
            f"{len(lost)} lost; recovery run exit {r.returncode}", ok)

    def stop_signals(self):
        for sig, code in [(signal.SIGTERM, 143), (signal.SIGINT, 130), (signal.SIGUSR1, 138)]:
            out = os.path.join(self.tmp, f"stop_{sig.name}.h5")
            p = self.harness("--subset", "3200", "--epochs", "50", "--batch-size", "32", out=out)
            while not journals(out) and p.poll() is None:
                time.sleep(0.05)
            time.sleep(1.5)
            t0 = time.time()
            p.send_signal(sig)
            p.wait(timeout=60)
            took = time.time() - t0
            (attrs, tables), = results(out).values()
            ok = p.returncode == code and attrs["status"] == "interrupted" and took < 10
            row(f"{sig.name} to a single-rank run", 1, f"exit {code}, `interrupted`, within 10 s",
                f"exit {p.returncode}, status {attrs['status']} ({attrs['stop_reason']}), {took:.1f} s, "
                f"{len(tables['steps'])} steps kept", ok)

    def long_step(self):
        """A stop request in the middle of a step that takes longer than --stop-grace: the step is
        dropped, recorded, and the process ends within the grace (Slurm's KillWait is 30 s)."""
        out = os.path.join(self.tmp, "long_step.h5")
        p = self.harness("--model", "vit_tiny", "--batch-size", "3000", "--subset", "12000", "--epochs", "5",
                         "--stop-grace", "1", out=out)
        while p.poll() is None:
            recs = next(iter(journals(out).values()), [])
            if sum(1 for r in recs if "step" in r) >= 1:
                break
            time.sleep(0.05)
        time.sleep(0.3)  # inside the next step
        t0 = time.time()
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=60)
        took = time.time() - t0
        (attrs, tables), = results(out).values()
        ok = p.returncode == 143 and attrs["status"] == "interrupted" and took < 10
        row("SIGTERM during a step longer than --stop-grace 1", 1, "exit 143 within 10 s, the step dropped and named",
            f"exit {p.returncode} after {took:.1f} s, status {attrs['status']}, dropped_step {attrs['dropped_step']}, "
            f"{len(tables['steps'])} steps kept", ok)

    def multi_rank(self):
        mp = [self.a.mpirun, "--oversubscribe", "-np"]
        # One rank alone asks to stop: every rank stops after the same step.
        out = os.path.join(self.tmp, "mr_stop.h5")
        r = subprocess.run([*mp, "2", self.a.harness, *TINY, "--subset", "640", "--epochs", "5", "--batch-size", "16",
                            "--output", out], env=dict(ENV, LB_TEST_STOP_RANK="1", LB_TEST_STOP_STEP="9"),
                           capture_output=True, text=True, timeout=300)
        (attrs, tables), = results(out).values()
        ok = r.returncode == 143 and attrs["status"] == "interrupted" and len(tables["steps"]) == 10
        row("SIGTERM seen by rank 1 of 2 only", 1, "both ranks stop after the same step; exit 143",
            f"exit {r.returncode}, status {attrs['status']}, {len(tables['steps'])} steps (stop requested in step 9)", ok)
        # SIGTERM to the launcher, as scancel does.
        out = os.path.join(self.tmp, "mr_term.h5")
        p = subprocess.Popen([*mp, "2", self.a.harness, *TINY, "--subset", "3200", "--epochs", "50", "--batch-size",
                              "32", "--output", out], env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        while not journals(out) and p.poll() is None:
            time.sleep(0.05)
        time.sleep(2)
        t0 = time.time()
        p.send_signal(signal.SIGTERM)
        p.communicate(timeout=60)
        took = time.time() - t0
        (attrs, tables), = results(out).values()
        ok = attrs["status"] == "interrupted" and took < 30
        row("SIGTERM to mpirun (2 ranks)", 1, "`interrupted`, within Slurm's 30 s",
            f"exit {p.returncode}, status {attrs['status']}, {took:.1f} s, {len(tables['steps'])} steps kept", ok)
        # A rank killed mid-epoch.
        out = os.path.join(self.tmp, "mr_kill.h5")
        p = subprocess.Popen([*mp, "4", self.a.harness, *TINY, "--subset", "3200", "--epochs", "50", "--batch-size",
                              "16", "--flush-interval", "0.5", "--output", out], env=ENV, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
        while not journals(out) and p.poll() is None:
            time.sleep(0.05)
        time.sleep(3)
        victim = None
        for pid in subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True).stdout.split():
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
            if env.get(b"OMPI_COMM_WORLD_RANK") == b"2":
                victim = int(pid)
        os.kill(victim, signal.SIGKILL)
        t0 = time.time()
        _, err = p.communicate(timeout=120)
        took = time.time() - t0
        steps = 0
        if os.path.exists(out):
            for attrs, tables in results(out).values():
                steps = len(tables["steps"])
        for recs in journals(out).values():
            steps = max(steps, sum(1 for r in recs if "step" in r))
        named = "rank 2" in err
        ok = took < 60 and p.returncode != 0 and named and steps > 0
        row("rank 2 of 4 killed (SIGKILL) mid-epoch", 1, "job ends within 60 s naming the rank; flushed steps kept",
            f"ended after {took:.1f} s with exit {p.returncode}, rank named: {named}, {steps} steps kept", ok)

    def disk_full(self):
        """The results filesystem fills mid-run: a small tmpfs when root, else a file-size limit."""
        base = os.path.join(self.tmp, "small")
        os.makedirs(base)
        mounted = False
        if os.geteuid() == 0:
            mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", base]).returncode == 0
        out = os.path.join(base, "r.h5")
        subprocess.run([self.a.harness, *TINY, "--subset", "64", "--epochs", "1", "--output", out], check=True,
                       capture_output=True, timeout=300)
        before = results(out)
        limit = None if mounted else (lambda: __import__("resource").setrlimit(
            __import__("resource").RLIMIT_FSIZE, (400_000, 400_000)))
        r = subprocess.run([self.a.harness, *TINY, "--subset", "3200", "--epochs", "50", "--flush-interval", "0.05",
                            "--output", out], capture_output=True, text=True, timeout=600, preexec_fn=limit)
        after = results(out)
        lines = [x for x in r.stderr.splitlines() if x.startswith("harness: error")]
        ok = r.returncode == 4 and len(lines) == 1 and set(before) <= set(after) and \
            all(after[k][0]["status"] == before[k][0]["status"] for k in before)
        row("results filesystem full mid-run (" + ("600 kB tmpfs" if mounted else "RLIMIT_FSIZE 400 kB") + ")", 1,
            "one-line error, exit 4, earlier runs intact",
            f"exit {r.returncode}: {lines[0][:110] if lines else r.stderr[-200:]!r}; earlier runs intact: "
            f"{set(before) <= set(after)}", ok)
        if mounted:
            subprocess.run(["umount", base])

    def concurrent(self):
        out = os.path.join(self.tmp, "concurrent.h5")
        procs = [subprocess.Popen([self.a.harness, *TINY, "--subset", "320", "--epochs", "2", "--flush-interval",
                                   "0.05", "--seed", str(s), "--output", out], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True) for s in range(4)]
        codes = [p.wait(timeout=600) for p in procs]
        runs = results(out)
        ok = codes == [0] * 4 and len(runs) == 4 and all(a["status"] == "completed" and len(t["epochs"]) == 2
                                                         for a, t in runs.values())
        row("4 harnesses writing to one results file at once", 4, "4 complete runs, no corruption",
            f"exit codes {codes}, {len(runs)} runs in the file", ok)

    def run(self):
        t0 = time.time()
        self.sigkill(30 if self.a.long else 8)
        self.stop_signals()
        self.long_step()
        self.multi_rank()
        self.disk_full()
        self.concurrent()
        shutil.rmtree(self.tmp, ignore_errors=True)
        failed = sum(1 for r in ROWS if r[4] != "pass")
        md = ["| fault | runs | expected | observed | result |", "|---|---|---|---|---|"]
        md += ["| " + " | ".join(r) + " |" for r in ROWS]
        text = "\n".join(md)
        print("\n" + text)
        print(f"\ncampaign took {time.time() - t0:.0f} s")
        if self.a.markdown:
            with open(self.a.markdown, "w") as f:
                f.write(text + "\n")
        print(f"{len(ROWS) - failed} passed, {failed} failed")
        return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--harness", required=True)
    ap.add_argument("--mpirun", required=True)
    ap.add_argument("--long", action="store_true")
    ap.add_argument("--markdown")
    ap.add_argument("--seed", type=int, default=1)
    return Campaign(ap.parse_args()).run()


if __name__ == "__main__":
    sys.exit(main())
