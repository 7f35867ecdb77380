// What the step loop adds up: an epoch's training loss, accuracy and samples (all ranks, from the
// per-step exchange), the steady-state rate over the non-warm-up steps, and the steady step times
// --adaptive decides on.
#pragma once

#include <cstdint>
#include <vector>

namespace lb {

class TrainingMetrics {
 public:
  void start_epoch();
  // loss_sum: the step's mean loss times its samples (all ranks); correct: top-1 hits.
  void add_step(double loss_sum, double correct, double samples, double total_s, bool warmup);
  void end_epoch(double epoch_time_s);

  double epoch_samples() const { return seen_; }
  double epoch_loss() const;      // NaN before any step
  double epoch_accuracy() const;  // fraction; NaN before any step
  double steady_images_per_s() const;  // 0 before any steady step
  const std::vector<double>& steady_step_times() const { return steady_times_; }
  int epochs_done() const { return epochs_done_; }
  double mean_epoch_s() const;  // NaN before any epoch ended

 private:
  double loss_sum_ = 0, correct_ = 0, seen_ = 0;
  double steady_time_ = 0, steady_samples_ = 0;
  std::vector<double> steady_times_;
  double epoch_time_sum_ = 0;
  int epochs_done_ = 0;
};

}  // namespace lb
