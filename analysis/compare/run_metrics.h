// Per-run figures from the step and epoch records: steady-state throughput, epoch-time parts,
// FLOP/s, accuracy, and consistency checks of the records against each other.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/input/run_record.h"
#include "analysis/compare/statistics.h"

namespace lb::analysis {

// One validation result on the run's job clock: seconds since the run started, less the time of
// the extra (--eval-every) validation passes before it (docs/methodology.md, "Accuracy").
struct AccuracyPoint {
  double time_s = 0;
  double top1_pct = 0;
  int epoch = 0;       // 1-based: the epoch during (or at the end of) which the pass ran
  int64_t step = 0;    // training steps done before the pass (-1 when unknown: from 'epochs')
  bool epoch_end = true;
};

struct RunMetrics {
  size_t steps = 0;
  size_t warmup_steps = 0;  // steps flagged `warmup`: excluded from steady-state figures
  size_t steady_steps = 0;
  size_t finished_epochs = 0;

  std::optional<Estimate> train_s_per_sample;  // steady steps: sum(total_s) / sum(samples)
  std::optional<double> steady_images_per_s;   // 1 / train_s_per_sample
  std::optional<double> images_per_s_per_gpu;
  std::optional<double> warmup_excess_s;       // sum over warm-up steps of (total_s - r * samples)
  std::optional<Estimate> val_s_per_sample;    // validation passes: sum(val_time) / sum(val_samples)
  std::optional<Estimate> epoch_overhead_s;    // per epoch: not in a step, not in validation
  std::optional<double> startup_s;             // run start to the start of the first epoch
  std::optional<double> teardown_s;            // end of the last epoch to the end of the run

  std::optional<double> mean_train_time_s, mean_val_time_s, mean_epoch_time_s;
  std::optional<double> job_model_flops_per_s;  // train_flops_per_image * steady images/s, all devices
  std::optional<double> data_wait_fraction;    // of steady step time
  std::optional<double> comm_exposed_fraction;
  std::optional<double> straggler_ratio;       // sum(slowest rank) / sum(mean rank), steady steps

  // Where the steady step time goes (bound attribution, docs/methodology.md): sums over the steady
  // steps, so that a configuration pools its runs as ratios of sums, never as means of ratios.
  double steady_step_sum_s = 0;                // sum of total_s
  double steady_data_wait_sum_s = 0;
  double steady_comm_sum_s = 0;
  std::optional<double> steady_compute_sum_s;  // forward + backward + optimizer (when recorded)
  std::optional<double> compute_fraction;      // of steady step time
  // The results file's figures, by its definitions: model FLOP/s per device (job figure / ranks),
  // and that against the matrix-product rate measured on the device (0..1).
  std::optional<double> model_flops_per_s;
  std::optional<double> model_flops_utilisation;
  // The median steady step time with its distribution-free 95% interval (order statistics):
  // what the harness's adaptive mode targets, recomputed here.
  MedianInterval step_median;

  // Validation passes the harness ran every --eval-every steps on top of the epoch-end ones: not
  // part of the normalized job, so their time is taken out of overhead and measured job times.
  size_t extra_validations = 0;
  double extra_validation_s = 0;
  std::optional<int64_t> steps_per_epoch;      // steps of the first finished epoch

  std::vector<AccuracyPoint> accuracy_curve;   // from 'evaluations' when present, else 'epochs'
  bool accuracy_from_evaluations = false;
  std::optional<double> final_val_top1_pct;
  std::optional<double> best_val_top1_pct;
  int best_epoch = 0;                          // 1-based
  std::optional<double> best_time_s;           // its time on the job clock

  std::vector<std::string> warnings;           // failed consistency checks
};

// Imported runs have no records: their metrics stay empty except accuracy.
RunMetrics compute_run_metrics(const RunRecord& run);

}  // namespace lb::analysis
