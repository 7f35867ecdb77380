#include "analysis/compare/run_metrics.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

#include "analysis/input/names.h"
#include "common/format.h"

namespace lb::analysis {
namespace {

struct EpochStepSums {
  double total_s = 0;
  int64_t samples = 0;
  size_t steps = 0;
};

void step_figures(const RunRecord& run, RunMetrics& m) {
  const StepColumns& s = run.steps;
  m.steps = s.size();
  std::vector<double> y, x;
  y.reserve(s.size());
  x.reserve(s.size());
  double wait = 0, comm = 0, compute = 0, slowest = 0, mean_rank = 0;
  const bool have_compute = s.compute_s.size() == s.size();
  const bool have_ranks = s.slowest_rank_s.size() == s.size() && s.mean_rank_s.size() == s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.warmup[i]) {
      ++m.warmup_steps;
      continue;
    }
    y.push_back(s.total_s[i]);
    x.push_back(static_cast<double>(s.samples[i]));
    wait += s.data_wait_s[i];
    comm += s.comm_exposed_s[i];
    if (have_compute) compute += s.compute_s[i];
    if (have_ranks) {
      slowest += s.slowest_rank_s[i];
      mean_rank += s.mean_rank_s[i];
    }
  }
  m.steady_steps = y.size();
  if (y.empty()) return;
  const Estimate r = ratio_estimate(y, x);
  if (!(r.value > 0)) return;
  m.train_s_per_sample = r;
  m.steady_images_per_s = 1.0 / r.value;
  const int64_t gpus = run.settings.gpus.value_or(0);
  if (gpus > 0) m.images_per_s_per_gpu = *m.steady_images_per_s / static_cast<double>(gpus);
  double excess = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s.warmup[i]) excess += s.total_s[i] - r.value * s.samples[i];
  }
  m.warmup_excess_s = excess;
  const double steady_total = std::accumulate(y.begin(), y.end(), 0.0);
  m.steady_step_sum_s = steady_total;
  m.steady_data_wait_sum_s = wait;
  m.steady_comm_sum_s = comm;
  if (have_compute) m.steady_compute_sum_s = compute;
  if (steady_total > 0) {
    m.data_wait_fraction = wait / steady_total;
    m.comm_exposed_fraction = comm / steady_total;
    if (have_compute) m.compute_fraction = compute / steady_total;
  }
  if (have_ranks && mean_rank > 0) {
    m.straggler_ratio = slowest / mean_rank;
    if (*m.straggler_ratio > 1.10) {
      m.warnings.push_back("slowest rank takes " + format_percent(*m.straggler_ratio - 1.0, 1) +
                           " longer per step than the mean rank (stragglers)");
    }
  }
  if (run.train_flops_per_image && *run.train_flops_per_image > 0) {
    // The results file's definitions (common/results_schema.h), recomputed from the steps as the
    // steady images/s are: per job, per device (every rank drives one device: a GPU, or the CPU
    // threads of one process), and the latter against the matrix-product rate measured there.
    m.job_model_flops_per_s = *run.train_flops_per_image * *m.steady_images_per_s;
    const double ranks = static_cast<double>(std::max<int64_t>(run.settings.ranks.value_or(1), 1));
    m.model_flops_per_s = *m.job_model_flops_per_s / ranks;
    if (run.gemm_flops_per_s && *run.gemm_flops_per_s > 0) {
      m.model_flops_utilisation = *m.model_flops_per_s / *run.gemm_flops_per_s;
    }
  }
  // Last: it reorders the steady step times.
  m.step_median = median_interval95_inplace(y);
}

// The epoch-end pass of a finished epoch is the last pass recorded for it; every other pass ran
// because of --eval-every (the harness validates at step multiples of it, the last step of an
// epoch included, and then again at the epoch's end).
std::vector<bool> epoch_end_passes(const RunRecord& run) {
  std::map<int32_t, size_t> last;
  for (size_t k = 0; k < run.evaluations.size(); ++k) last[run.evaluations[k].epoch] = k;
  std::set<int32_t> finished;
  for (const auto& e : run.epochs) finished.insert(e.epoch);
  std::vector<bool> end(run.evaluations.size(), false);
  for (const auto& [epoch, k] : last) {
    if (finished.count(epoch)) end[k] = true;
  }
  return end;
}

// Validation figures from 'evaluations': per-sample validation time from every pass, the time of
// the extra passes (per epoch, for the overhead), and the accuracy curve on the job clock.
void evaluation_figures(const RunRecord& run, RunMetrics& m, std::map<int32_t, double>& extra_by_epoch) {
  if (run.evaluations.empty()) return;
  m.accuracy_from_evaluations = true;
  const std::vector<bool> end = epoch_end_passes(run);
  std::vector<double> time, samples;
  double extra_before = 0;
  for (size_t k = 0; k < run.evaluations.size(); ++k) {
    const EvaluationRecord& e = run.evaluations[k];
    if (!end[k]) {
      ++m.extra_validations;
      m.extra_validation_s += e.val_time_s;
      extra_by_epoch[e.epoch] += e.val_time_s;
      extra_before += e.val_time_s;  // its own too: its point sits where training stopped for it
    }
    if (e.val_samples > 0 && e.val_time_s > 0) {
      time.push_back(e.val_time_s);
      samples.push_back(static_cast<double>(e.val_samples));
    }
    if (std::isfinite(e.val_top1) && std::isfinite(e.end_wall_s)) {
      m.accuracy_curve.push_back({e.end_wall_s - extra_before, e.val_top1 * 100.0, e.epoch + 1, e.step, end[k]});
    }
  }
  if (!time.empty()) m.val_s_per_sample = ratio_estimate(time, samples);
  for (const EpochRecord& e : run.epochs) {
    bool found = false;
    for (size_t k = 0; k < run.evaluations.size(); ++k) {
      if (!end[k] || run.evaluations[k].epoch != e.epoch) continue;
      found = true;
      const double recorded = run.evaluations[k].val_time_s;
      if (std::fabs(recorded - e.val_time_s) > 1e-6 * std::max(1.0, std::fabs(e.val_time_s))) {
        m.warnings.push_back("epoch " + std::to_string(e.epoch + 1) + ": val_time_s " + format_number(e.val_time_s) +
                             " s in 'epochs' but " + format_number(recorded) + " s in 'evaluations'");
      }
    }
    if (!found) m.warnings.push_back("epoch " + std::to_string(e.epoch + 1) + ": no validation pass in 'evaluations'");
  }
}

void epoch_figures(const RunRecord& run, RunMetrics& m) {
  const auto& epochs = run.epochs;
  m.finished_epochs = epochs.size();
  std::map<int32_t, double> extra_by_epoch;
  evaluation_figures(run, m, extra_by_epoch);
  if (epochs.empty()) return;
  std::map<int32_t, EpochStepSums> sums;
  for (size_t i = 0; i < run.steps.size(); ++i) {
    auto& e = sums[run.steps.epoch[i]];
    e.total_s += run.steps.total_s[i];
    e.samples += run.steps.samples[i];
    ++e.steps;
  }
  if (auto it = sums.find(epochs.front().epoch); it != sums.end() && it->second.steps > 0) {
    m.steps_per_epoch = static_cast<int64_t>(it->second.steps);
  }
  std::vector<double> train, val, total, overhead, val_time, val_samples;
  for (size_t k = 0; k < epochs.size(); ++k) {
    const EpochRecord& e = epochs[k];
    train.push_back(e.train_time_s);
    val.push_back(e.val_time_s);
    total.push_back(e.epoch_time_s);
    const std::string which = "epoch " + std::to_string(e.epoch + 1);
    const double extra = extra_by_epoch.count(e.epoch) ? extra_by_epoch[e.epoch] : 0.0;
    if (e.epoch_time_s + 1e-9 < e.train_time_s + e.val_time_s) {
      m.warnings.push_back(which + ": epoch_time_s is shorter than train_time_s + val_time_s");
    }
    if (e.val_samples > 0 && e.val_time_s > 0) {
      val_time.push_back(e.val_time_s);
      val_samples.push_back(static_cast<double>(e.val_samples));
    }
    auto it = sums.find(e.epoch);
    if (it == sums.end() || it->second.steps == 0) {
      m.warnings.push_back(which + ": no step records; its overhead is not used");
      continue;
    }
    if (it->second.samples != e.train_samples) {
      m.warnings.push_back(which + ": steps hold " + std::to_string(it->second.samples) +
                           " samples, the epoch record " + std::to_string(e.train_samples));
    }
    if (it->second.total_s > e.train_time_s * 1.01 + 1e-6) {
      m.warnings.push_back(which + ": step times add up to more than train_time_s");
    }
    // epoch_time_s holds the extra (--eval-every) passes of the epoch: they are not overhead.
    double o = e.epoch_time_s - it->second.total_s - e.val_time_s - extra;
    // Time between the previous epoch's end and this epoch's start (checkpoints, logging) recurs
    // every epoch, so it belongs to the per-epoch overhead; before epoch 1 it is startup.
    if (k > 0 && std::isfinite(e.end_wall_s) && std::isfinite(epochs[k - 1].end_wall_s)) {
      o += std::max(0.0, e.end_wall_s - e.epoch_time_s - epochs[k - 1].end_wall_s);
    }
    overhead.push_back(o);
  }
  m.mean_train_time_s = mean(train);
  m.mean_val_time_s = mean(val);
  m.mean_epoch_time_s = mean(total);
  if (!m.accuracy_from_evaluations && !val_time.empty()) m.val_s_per_sample = ratio_estimate(val_time, val_samples);
  if (!overhead.empty()) m.epoch_overhead_s = mean_estimate(overhead);
  const EpochRecord& first = epochs.front();
  if (std::isfinite(first.end_wall_s)) m.startup_s = std::max(0.0, first.end_wall_s - first.epoch_time_s);
  const EpochRecord& last = epochs.back();
  if (run.is_complete() && run.wall_time_s && std::isfinite(last.end_wall_s)) {
    m.teardown_s = *run.wall_time_s - last.end_wall_s;
    if (*m.teardown_s < -1e-6) {
      m.warnings.push_back("wall_time_s is shorter than the last epoch's end_wall_s");
      m.teardown_s = 0.0;
    }
  }
  if (!m.accuracy_from_evaluations) {
    for (size_t k = 0; k < epochs.size(); ++k) {
      if (!std::isfinite(epochs[k].val_top1) || !std::isfinite(epochs[k].end_wall_s)) continue;
      m.accuracy_curve.push_back({epochs[k].end_wall_s, epochs[k].val_top1 * 100.0, epochs[k].epoch + 1, -1, true});
    }
  }
}

// Final and best accuracy, from the curve (the first pass that reached the best).
void accuracy_figures(RunMetrics& m) {
  for (const AccuracyPoint& p : m.accuracy_curve) {
    m.final_val_top1_pct = p.top1_pct;
    if (!m.best_val_top1_pct || p.top1_pct > *m.best_val_top1_pct) {
      m.best_val_top1_pct = p.top1_pct;
      m.best_epoch = p.epoch;
      m.best_time_s = p.time_s;
    }
  }
}

void settings_checks(const RunRecord& run, RunMetrics& m) {
  const RunSettings& s = run.settings;
  if (s.batch_size && s.ranks && s.global_batch_size && *s.batch_size * *s.ranks != *s.global_batch_size) {
    m.warnings.push_back("global_batch_size " + std::to_string(*s.global_batch_size) +
                         " is not batch_size x world_size");
  }
  if (s.train_samples && s.full_train_samples && s.subset_fraction && *s.full_train_samples > 0) {
    const double f = static_cast<double>(*s.train_samples) / static_cast<double>(*s.full_train_samples);
    if (std::fabs(f - *s.subset_fraction) > 1e-3) {
      m.warnings.push_back("subset_fraction " + format_number(*s.subset_fraction) +
                           " is not train_samples / full_train_samples");
    }
  }
  if (run.is_complete() && m.finished_epochs == 0) {
    m.warnings.push_back("status is completed but no epoch finished");
  }
}

}  // namespace

RunMetrics compute_run_metrics(const RunRecord& run) {
  RunMetrics m;
  if (run.is_imported()) {
    m.best_val_top1_pct = run.imported.val_accuracy_pct;
    // A subset run's own accuracy (on its subset) is its accuracy, with scope "subset": never
    // counted as a full run's (quality and the best accuracy take full-split runs only).
    if (!m.best_val_top1_pct && run.is_subset()) m.best_val_top1_pct = run.imported.subset_val_accuracy_pct;
    m.final_val_top1_pct = m.best_val_top1_pct;
    if (m.best_val_top1_pct && run.settings.epochs) m.best_epoch = static_cast<int>(*run.settings.epochs);
    m.best_time_s = run.imported.runtime_s;
    return m;
  }
  step_figures(run, m);
  epoch_figures(run, m);
  accuracy_figures(m);
  settings_checks(run, m);
  return m;
}

}  // namespace lb::analysis
