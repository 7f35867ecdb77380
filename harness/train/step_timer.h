// Times the phases of one training step. On CPU the host clock is read at each phase boundary.
// On a GPU an event is recorded on the current stream at each boundary instead, and finish() waits
// for the step's last event only (never for the whole device), so the host can run ahead while
// the GPU works; the phases are the intervals between events. Either way the phases add up to
// total_s exactly: host-side waits (for the loader, for the per-step statistics exchange) are
// added to the phase they belong to.
#pragma once

#include <torch/types.h>

#include <memory>

namespace lb {

enum class Phase { data, forward, backward, comm, optimizer };

struct PhaseTimes {
  double data_wait_s = 0, forward_s = 0, backward_s = 0, comm_exposed_s = 0, optimizer_s = 0, total_s = 0;
};

class StepTimer {
 public:
  explicit StepTimer(const torch::Device& device);
  ~StepTimer();
  StepTimer(const StepTimer&) = delete;
  StepTimer& operator=(const StepTimer&) = delete;

  // The step begins (before the batch is taken from the loader).
  void start();
  // `finished` has ended: the boundaries come in Phase order, each once.
  void mark(Phase finished);
  // Waits for the last boundary (GPU: its event) and returns the durations.
  PhaseTimes finish();
  // Host-side time spent outside the marked boundaries (after finish()), added to a phase.
  static void add(PhaseTimes& t, Phase phase, double seconds);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lb
