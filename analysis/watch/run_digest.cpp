#include "analysis/watch/run_digest.h"

#include <cmath>

namespace lb::analysis::watch {

void RunDigest::update(const RunData& run) {
  for (; steps < run.steps.size(); ++steps) {
    const schema::StepRecord& s = run.steps[steps];
    last_step = s.step;
    last_epoch = s.epoch;
    if (std::isfinite(s.loss)) last_loss = s.loss;
    // A step without a positive finite time adds nothing here (analyze refuses a steps table that
    // holds one; a live figure keeps the rest).
    if (s.warmup == 0 && std::isfinite(s.total_s) && s.total_s > 0 && s.samples > 0) {
      ++steady_steps;
      steady_samples += s.samples;
      steady_total_s += s.total_s;
      if (std::isfinite(s.data_wait_s) && s.data_wait_s >= 0) steady_data_wait_s += s.data_wait_s;
    }
  }
  for (; evaluations < run.evaluations.size(); ++evaluations) {
    const double pct = 100.0 * run.evaluations[evaluations].val_top1;
    if (!std::isfinite(pct) || pct < 0 || pct > 100) continue;
    last_val_pct = pct;
    if (!(best_val_pct >= pct)) best_val_pct = pct;  // NaN at first
  }
  for (; epochs < run.epochs.size(); ++epochs) {
    const double j = run.epochs[epochs].energy_j;
    if (std::isfinite(j) && j >= 0) {
      ++energy_epochs;
      energy_j += j;
    } else {
      ++energy_missing;
    }
  }
  for (; energy_rows < run.energy.size(); ++energy_rows) {
    const schema::EnergyRecord& e = run.energy[energy_rows];
    if (!(std::isfinite(e.joules) && e.joules >= 0)) unreadable_counters.insert(e.counter.str());
  }
}

std::optional<double> RunDigest::steady_images_per_s() const {
  if (steady_total_s <= 0) return std::nullopt;
  return steady_samples / steady_total_s;
}

std::optional<double> RunDigest::data_wait_fraction() const {
  if (steady_total_s <= 0) return std::nullopt;
  return steady_data_wait_s / steady_total_s;
}

}  // namespace lb::analysis::watch
