// Times the phases of the training steps without making the host wait for any of them. On CPU
// the host clock is read at each phase boundary. On a GPU an event is recorded on the current
// stream at each boundary instead, and nothing waits for it until collect(), which the step loop
// calls once per window of steps (train/rank_exchange.h): the host queues step k+1 while the device
// still runs step k.
//
// Consecutive steps tile the timeline: a step begins where the previous one ended (the same
// instant, or the same event), until restart() (the start of an epoch, after a validation pass).
// So the phases of a step add up to its total_s exactly, and the totals of an epoch's steps add up
// to the time the device spent on them, idle gaps included: whatever the host did between two
// steps (the loader, the exchange at a window's end, recording) shows in the next step's data wait.
#pragma once

#include <torch/types.h>

#include <functional>
#include <memory>
#include <vector>

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

  // The next step starts at its own begin(), not at the previous step's end.
  void restart();
  // A step begins (before its batch is taken from the loader).
  void begin();
  // `finished` has ended: the boundaries come in Phase order, each once; Phase::optimizer ends the
  // step.
  void mark(Phase finished);
  // Steps ended since the last collect().
  int pending() const;
  // Waits until the last pending step has ended on the device (GPU: polling its event, calling
  // `while_waiting` between polls, e.g. to notice another rank's failure) and returns the pending
  // steps' times in order.
  std::vector<PhaseTimes> collect(const std::function<void()>& while_waiting = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Polls `done` until it is true, calling `poll` every few tries and yielding the core after a while:
// how every wait for the device or another rank looks, so that a failure report is never missed.
void wait_polling(const std::function<bool()>& done, const std::function<void()>& poll);

}  // namespace lb
