// The rank protocol of the step loop: once per window of steps (every --sync-every steps, at an
// epoch's end, before a validation pass, at the last step), every rank contributes what its steps
// produced and what it was asked (stop signals, a failed recorder, the adaptive stop), and one
// collective sum makes every rank take the same decision after the same step. The per-step times
// of every rank are gathered to rank 0 for the record. With one rank it is the identity.
#pragma once

#include <vector>

#include "harness/train/step_timer.h"

namespace lb {

class Communicator;

// One step as this rank saw it.
struct LocalStep {
  double loss_sum = 0;    // the step's mean loss times its samples
  double correct = 0;     // top-1 hits
  double samples = 0;
  double loss_scale = 1;  // fp16's scale used in the step
  PhaseTimes times;
};

// What this rank asks for at the window's end.
struct LocalRequests {
  int signal = 0;  // SIGINT, SIGTERM, SIGUSR1 seen here (0: none)
  bool record_failed = false;
  bool adaptive_stop = false;
};

// One step as all ranks did it.
struct WindowStep {
  double loss_sum = 0, correct = 0, samples = 0;  // all ranks
  double loss_scale = 1;
  PhaseTimes times;                  // this rank's
  std::vector<double> rank_total_s;  // rank 0: every rank's total_s, in rank order; empty elsewhere
};

struct Window {
  std::vector<WindowStep> steps;
  int signal = 0;  // the agreed stop signal (SIGINT before SIGTERM before SIGUSR1), 0 for none
  bool record_failed = false;
  bool adaptive_stop = false;
};

// Collective: every rank calls it with as many steps. Rank 0 notices another rank's failure
// report while waiting (RemoteFailure).
Window exchange_window(Communicator& comm, const std::vector<LocalStep>& steps, const LocalRequests& requests);

}  // namespace lb
