#!/usr/bin/env python3
"""A launcher without MPI, as torchrun (or srun --kill-on-bad-exit=1) starts ranks: N processes on
this machine with RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1 and a free
MASTER_PORT in their environment, for the tests of `harness --launcher env` and the device check.

  env_launch.py [--np N] [--grace S] -- PROGRAM [ARGS...]

SIGTERM and SIGINT are passed on to every rank. When a rank exits with a failure, the others get
--grace seconds (10) to end on their own (rank 0 records the failure and ends the job), then
SIGTERM, then SIGKILL 5 s later, as Slurm ends a step. Exit code: the first failing rank's (128 +
signal for a rank killed by a signal), else 0. A rank killed by a signal is named on stderr.
"""
import argparse
import os
import signal
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--np", type=int, default=2)
    p.add_argument("--grace", type=float, default=10.0)
    p.add_argument("command", nargs=argparse.REMAINDER)
    a = p.parse_args()
    command = a.command[1:] if a.command[:1] == ["--"] else a.command
    if a.np < 1 or not command:
        p.error("expected --np N >= 1 and a program after --")
    port = free_port()
    procs = []
    for rank in range(a.np):
        env = dict(os.environ, RANK=str(rank), WORLD_SIZE=str(a.np), LOCAL_RANK=str(rank),
                   LOCAL_WORLD_SIZE=str(a.np), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
        procs.append(subprocess.Popen(command, env=env))

    def forward(signum, _frame):
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signum)

    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)

    first_failure = None
    failed_at = None
    terminated = killed = False
    while any(proc.poll() is None for proc in procs):
        for rank, proc in enumerate(procs):
            code = proc.poll()
            if code is None or code == 0 or first_failure is not None:
                continue
            if code < 0:
                print(f"env_launch: rank {rank} (pid {proc.pid}) was killed by {signal.Signals(-code).name}",
                      file=sys.stderr, flush=True)
                code = 128 - code
            first_failure, failed_at = code, time.time()
        if failed_at is not None:
            waited = time.time() - failed_at
            if waited > a.grace and not terminated:
                forward(signal.SIGTERM, None)
                terminated = True
            if waited > a.grace + 5 and not killed:
                forward(signal.SIGKILL, None)
                killed = True
        time.sleep(0.05)
    if first_failure is None:
        for rank, proc in enumerate(procs):
            code = proc.returncode
            if code != 0:
                if code < 0:
                    print(f"env_launch: rank {rank} was killed by {signal.Signals(-code).name}", file=sys.stderr)
                    code = 128 - code
                first_failure = code
                break
    return first_failure or 0


if __name__ == "__main__":
    sys.exit(main())
