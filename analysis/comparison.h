// The comparison: configurations, the normalized job, the baseline, speedups, scaling,
// accuracy against time, and every warning. Everything analyze writes comes from here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/configuration.h"
#include "analysis/extrapolation.h"
#include "analysis/run_metrics.h"
#include "analysis/run_record.h"
#include "analysis/statistics.h"

namespace lb::analysis {

struct ComparisonOptions {
  std::optional<int> epochs;    // --epochs; default: the baseline configuration's
  std::string baseline;         // --baseline: run id, configuration id or label; empty = default
  bool include_incomplete = false;
  std::string cluster_name = "LUMI";
};

struct RunAnalysis {
  RunRecord run;  // step records already released
  RunMetrics metrics;
  JobEstimate job;
  size_t config = 0;            // index into Comparison::configs
  bool in_comparison = false;   // enters configuration times and speedups
  std::string excluded_reason;
};

// Computes a run's metrics, then frees its step records (the comparison keeps only figures).
RunAnalysis analyse_run(RunRecord run);

// Subset sizes of one configuration against their train time per epoch: the check that
// extrapolating linearly in samples is justified.
struct SubsetFit {
  LinearFit fit;
  std::vector<double> samples;      // x: train samples per epoch of each run
  std::vector<double> epoch_train_s;  // y: mean train_time_s per epoch of each run
  double full_train_samples = 0;
  double predicted_full_epoch_train_s = 0;  // the fit at the full split
};

struct Scaling {
  size_t reference = 0;  // configuration index
  Interval speedup;      // t(reference) / t
  double ideal = 1;      // units / reference units
  Interval efficiency;   // speedup / ideal
  std::vector<std::string> differences;  // vs the reference (work-changing settings)
};

struct ConfigResult {
  std::string id;     // "C1", in order of first appearance in the inputs
  std::string label;  // unique among the configurations
  std::vector<ConfigField> fields;
  std::vector<size_t> runs;  // indices into Comparison::runs
  bool is_cluster = false;   // GPU configuration (labelled with the cluster name)
  bool is_imported = false;
  int nodes = 0, gpus = 0, threads = 0;  // 0 = unknown or none
  std::vector<double> subset_fractions;  // distinct, of the runs used

  std::optional<Interval> time_s;  // the normalized job; nullopt = not comparable
  std::string not_comparable_reason;
  bool extrapolated = false;
  std::string method;
  size_t runs_used = 0;
  std::optional<Interval> speedup;  // baseline time / this time
  std::optional<Scaling> vs_one_gpu, vs_one_node;
  std::optional<SubsetFit> subset_fit;

  std::optional<double> steady_images_per_s, images_per_s_per_gpu;
  std::optional<double> best_accuracy_pct, best_accuracy_time_s;  // full-split runs only
  int best_accuracy_epoch = 0;

  std::vector<std::string> differences;  // vs the baseline: work-changing settings
  std::vector<std::string> warnings;     // differences, estimate notes, run warnings
};

struct CurvePoint {
  double time_s = 0;
  double accuracy_pct = 0;
  int epoch = 0;  // 1-based
};

struct AccuracySeries {
  std::string label;
  size_t config = 0;
  std::string run_id;
  bool imported = false;
  bool projected = false;  // measured accuracy per epoch on another configuration's estimated time
  bool extrapolated = false;
  std::vector<CurvePoint> points;
  std::string details;
};

struct BestAccuracy {
  size_t config = 0;
  std::string run_id;
  double accuracy_pct = 0;
  std::optional<double> time_s;
  int epoch = 0;
  bool imported = false;
};

struct Comparison {
  int epochs = 0;
  std::string epochs_source;  // "--epochs", "baseline configuration", ...
  std::string cluster_name;
  std::string job_description;
  std::vector<RunAnalysis> runs;
  std::vector<ConfigResult> configs;  // in id order
  std::vector<size_t> display_order;  // comparable configurations slowest first, then the rest
  std::optional<size_t> baseline;
  std::string baseline_reason;
  std::optional<size_t> fastest;
  std::optional<size_t> max_speedup;  // the configuration with the largest speedup
  std::optional<BestAccuracy> best_accuracy;
  std::vector<AccuracySeries> accuracy;
  std::vector<std::string> warnings;  // every warning, each once, prefixed with what it is about
};

// Throws UsageError when options.baseline names no run or configuration, or options.epochs < 1.
Comparison build_comparison(std::vector<RunAnalysis> runs, const ComparisonOptions& options);

}  // namespace lb::analysis
