// The harness's exit codes (documented in docs/harness.md). Slurm and scripts branch on them.
#pragma once

namespace lb::exit_code {
constexpr int ok = 0;
constexpr int failed = 1;        // a runtime error: unreadable data, a rank that failed or died
constexpr int usage = 2;         // bad options or bad input files, before training started
constexpr int diverged = 3;      // NaN/inf loss; the run is recorded as `diverged`
constexpr int record_failed = 4;  // the results could not be written (disk full, quota, I/O error)
constexpr int interrupted_int = 130;   // SIGINT (128 + 2); recorded as `interrupted`
constexpr int interrupted_usr1 = 138;  // SIGUSR1 (128 + 10): Slurm's warning before the time limit
constexpr int interrupted_term = 143;  // SIGTERM (128 + 15): scancel, Slurm's time limit
}  // namespace lb::exit_code
