#include "harness/train/training_metrics.h"

#include <cmath>

namespace lb {

void TrainingMetrics::start_epoch() { loss_sum_ = correct_ = seen_ = 0; }

void TrainingMetrics::add_step(double loss_sum, double correct, double samples, double total_s, bool warmup) {
  loss_sum_ += loss_sum;
  correct_ += correct;
  seen_ += samples;
  if (warmup) return;
  steady_time_ += total_s;
  steady_samples_ += samples;
  steady_times_.push_back(total_s);
}

void TrainingMetrics::end_epoch(double epoch_time_s) {
  epoch_time_sum_ += epoch_time_s;
  ++epochs_done_;
}

double TrainingMetrics::epoch_loss() const { return seen_ > 0 ? loss_sum_ / seen_ : NAN; }
double TrainingMetrics::epoch_accuracy() const { return seen_ > 0 ? correct_ / seen_ : NAN; }
double TrainingMetrics::steady_images_per_s() const { return steady_time_ > 0 ? steady_samples_ / steady_time_ : 0.0; }
double TrainingMetrics::mean_epoch_s() const { return epochs_done_ > 0 ? epoch_time_sum_ / epochs_done_ : NAN; }

}  // namespace lb
