// Learning-rate schedules. `onecycle` is torch.optim.lr_scheduler.OneCycleLR with its defaults
// (cosine warm-up from max_lr/25 to max_lr over pct_start of the steps, cosine decay to
// max_lr/25/1e4; the first moment cycles 0.95 -> 0.85 -> 0.95), checked against PyTorch in tests.
#pragma once

#include <cstdint>
#include <string>

namespace lb {

struct ScheduleValues {
  double lr = 0;
  double momentum = 0;  // Adam's beta1 / SGD's momentum; < 0 means "leave as is"
};

class LrSchedule {
 public:
  // kind: "onecycle" or "constant". pct_start = warm-up steps / total steps.
  LrSchedule(std::string kind, double max_lr, std::int64_t total_steps, double pct_start);
  ScheduleValues at(std::int64_t step) const;

 private:
  std::string kind_;
  double max_lr_;
  std::int64_t total_steps_;
  double pct_start_;
};

}  // namespace lb
