// SIGINT/SIGTERM become a flag the training loop polls between steps, so a run that is stopped
// (Ctrl-C, Slurm's time limit) still writes its records and ends as `interrupted`.
#pragma once

namespace lb {

void install_stop_handlers();
// 0 while running; the signal number once SIGINT or SIGTERM arrived.
int stop_signal();

}  // namespace lb
