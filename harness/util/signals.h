// Stop requests: SIGINT (Ctrl-C), SIGTERM (scancel, Slurm's time limit) and SIGUSR1 (Slurm's
// `--signal` warning before the time limit) become a flag. The step loop shares it with every rank
// through the allreduce each step already does, so all ranks stop after the same step; a watchdog
// (train/stop_watchdog.h) ends a step that does not finish in time.
#pragma once

namespace lb {

void install_stop_handlers();
// 0 while running; the first stop signal received.
int stop_signal();
// Makes this process behave as if `sig` had arrived (the tests' way to stop one rank).
void request_stop(int sig);
// "SIGINT", "SIGTERM", "SIGUSR1 (time-limit warning)".
const char* stop_signal_name(int sig);
// The documented exit code for a run stopped by `sig`: 130, 143, 138 (128 + the signal number).
int stop_exit_code(int sig);

}  // namespace lb
