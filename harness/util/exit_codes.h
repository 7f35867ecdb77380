// The harness's exit codes (documented in docs/harness.md). Slurm and scripts branch on them.
#pragma once

namespace lb::exit_code {
constexpr int ok = 0;
constexpr int failed = 1;        // a runtime error: unreadable data, failed write, MPI failure
constexpr int usage = 2;         // bad options or bad input files, before training started
constexpr int diverged = 3;      // NaN/inf loss; the run is recorded as `diverged`
constexpr int interrupted_int = 130;   // SIGINT (128 + 2); recorded as `interrupted`
constexpr int interrupted_term = 143;  // SIGTERM (128 + 15), e.g. Slurm's time limit
}  // namespace lb::exit_code
