// One training run: data, model, optimizer, precision, gradient synchronisation, the timed step
// loop, validation, and what is recorded. The same code runs on a laptop CPU and on LUMI's GPUs
// under MPI. The pieces it drives have their own files: train/step_timer (phase times),
// train/adaptive_stop (when enough steps were measured), train/run_description (the attributes),
// record/flush_policy (when to write), util/progress (what people see).
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "harness/train/settings.h"
#include "common/results_schema.h"
#include "harness/dist/communicator.h"

namespace lb {

class Recorder;

struct RunOutcome {
  std::string status;  // completed | interrupted | diverged | failed
  std::string error;
  int exit_code = 0;
};

struct RepeatInfo {
  int index = 0;
  std::string group;  // shared by the runs of one --repeat invocation; empty without it
};

class Trainer {
 public:
  // Validates everything that can be validated before training (data, subset, batch size,
  // weights, device); throws UsageError for bad input. Nothing is written yet. Collective: every
  // rank constructs its Trainer (the process group is formed here).
  Trainer(const Settings& settings, Communicator& comm, RepeatInfo repeat = {});
  ~Trainer();

  // Trains, recording into `recorder` (rank 0; nullptr elsewhere). Handles stop requests and
  // divergence itself; other errors propagate.
  RunOutcome run(Recorder* recorder);

  // The attributes describing the run, for the recorder before the first step.
  schema::RunAttributes describe() const;

  // For the stop watchdog (any thread): the step in progress, seconds since setup began.
  std::int64_t current_step() const { return current_step_.load(); }
  double elapsed_s() const;

  struct State;  // defined in trainer.cpp

 private:
  std::unique_ptr<State> st_;
  std::atomic<std::int64_t> current_step_{0};
};

}  // namespace lb
