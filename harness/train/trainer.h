// One training run: data, model, optimizer, schedule, the timed step loop, validation, and what
// is recorded. The same code runs on a laptop CPU and on LUMI's GPUs under MPI.
#pragma once

#include <memory>
#include <string>

#include "cli/settings.h"
#include "dist/communicator.h"

namespace lb {

class Recorder;

struct RunOutcome {
  std::string status;  // completed | interrupted | diverged | failed
  std::string error;
  int exit_code = 0;
};

class Trainer {
 public:
  // Validates everything that can be validated before training (data, subset, batch size,
  // weights, device); throws UsageError for bad input. Nothing is written yet.
  Trainer(const Settings& settings, Communicator& comm);
  ~Trainer();

  // Trains, recording into `recorder` (rank 0; nullptr elsewhere). Handles SIGINT/SIGTERM and
  // divergence itself; other errors propagate after being staged in the recorder as `failed`.
  RunOutcome run(Recorder* recorder);

  // Attributes describing the run (settings, model, data, world), staged before the first flush.
  void describe(Recorder& recorder) const;

  struct State;  // defined in trainer.cpp

 private:
  std::unique_ptr<State> st_;
};

}  // namespace lb
