// The comparison: configurations, the normalized job, the baseline, speedups, scaling,
// accuracy against time, and every warning. Everything analyze writes comes from here.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/compare/configuration.h"
#include "charts/chart_data.h"
#include "analysis/compare/energy.h"
#include "analysis/compare/extrapolation.h"
#include "analysis/compare/run_metrics.h"
#include "analysis/input/run_record.h"
#include "analysis/compare/statistics.h"

namespace lb::analysis {

struct ComparisonOptions {
  std::optional<int> epochs;    // --epochs; default: the baseline configuration's
  std::string baseline;         // --baseline: run id, configuration id or label; empty = default
  bool include_incomplete = false;
  std::string cluster_name = "LUMI";
  // --target-accuracy: validation top-1 in percent; the quality bar and time to reach it.
  std::optional<double> target_accuracy_pct;
  // --quality-margin: without a target, the bar is the best accuracy of the task less this many
  // percentage points.
  double quality_margin_pts = 5.0;
  // Stated power, grid intensities and billing rates behind energy, carbon and cost.
  EnergyOptions energy;
};

// When a run first reached the target accuracy (docs/methodology.md, "Time to accuracy").
struct RunTimeToTarget {
  bool reached = false;
  double time_s = 0;        // the first validation pass at or above the target, on the job clock
  double previous_s = 0;    // the pass before it (0: the run's start): reached in (previous_s, time_s]
  int epoch = 0;            // 1-based epoch of that pass
  bool upper_bound = false; // imported: the source states only the final accuracy at its runtime
};

struct RunAnalysis {
  RunRecord run;  // step records already released
  RunMetrics metrics;
  JobEstimate job;
  size_t config = 0;            // index into Comparison::configs
  bool in_comparison = false;   // enters configuration times and speedups
  std::string excluded_reason;
  std::optional<RunTimeToTarget> to_target;  // with --target-accuracy, for runs with an accuracy
  RunEnergy energy;             // the counters' energy of the run, and of the job from it

  // Its accuracy counts for its configuration: full split, in the comparison, with one.
  bool counts_for_accuracy() const { return in_comparison && !run.is_subset() && metrics.best_val_top1_pct.has_value(); }
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

// The quality bar a configuration is held to (docs/methodology.md, "Quality").
enum class QualityStatus { Met, Below, NotRecorded, NoBar };
const char* to_string(QualityStatus status);  // "met", "below", "not recorded", "no bar"

struct QualityCheck {
  std::optional<double> bar_pct;  // nullopt: no target and no accuracy recorded for the task
  std::string bar_source;         // "--target-accuracy 80%", "best of the task 98.1% (C4) less 5 points"
  QualityStatus status = QualityStatus::NoBar;
  std::string reason;             // one line, for the reports
};

// A configuration's time to the target accuracy (--target-accuracy).
struct ConfigTimeToTarget {
  bool reached = false;
  double time_s = 0;          // mean over the runs (every run with an accuracy must have reached it)
  double previous_s = 0;      // mean time of the pass before: reached in (previous_s, time_s]
  int epoch = 0;              // latest epoch in which a run reached it
  size_t runs_reached = 0, runs_with_accuracy = 0;
  bool imported = false;      // from an import's final accuracy: time_s is an upper bound
  bool extrapolated = false;  // from a projected accuracy curve
  std::string method;         // how it was found, or why not reached
  // Baseline's time to the target / this one, when both reached it and neither is only an import's
  // upper bound.
  std::optional<double> speedup;
};

// Several runs of one configuration (repetitions: --repeat N, or several jobs).
struct RepetitionSummary {
  size_t n = 0;                   // job-time estimates that entered the configuration's time
  double mean = 0, median = 0, min = 0, max = 0;
  double cv = 0;                  // coefficient of variation s / mean (run-to-run spread)
  MedianInterval median_ci;       // distribution-free, from n >= 6
  bool spread_too_large = false;  // cv above kMaxRepeatSpread: the interval means little
  std::vector<std::string> repeat_groups;  // "<group>: 3 of 3 runs"
};
inline constexpr double kMaxRepeatSpread = 0.05;

// Shares of the steady step time (bound attribution), pooled over a configuration's runs.
struct BoundSummary {
  double data_wait = 0, compute = 0, comm = 0, other = 0;  // fractions of steady step time
  bool compute_recorded = true;  // false: compute = step - data wait - communication (no breakdown)
  std::string label;             // "compute-bound", "data-bound", "communication-bound"
  size_t runs = 0;
  std::optional<double> model_flops_per_s;        // per device, harmonic mean over the runs
  std::optional<double> gemm_flops_per_s;         // measured matrix-product rate, harmonic mean
  std::optional<double> model_flops_utilisation;  // model_flops_per_s / gemm_flops_per_s
};
// A share of step time at or above this names the bound (docs/methodology.md).
inline constexpr double kBoundThreshold = 0.20;

struct ConfigResult {
  std::string id;     // "C1", in order of first appearance in the inputs
  std::string label;  // unique among the configurations
  Configuration config;
  std::vector<size_t> runs;  // indices into Comparison::runs
  bool is_cluster = false;   // Configuration::cluster(): the cluster's colour, grid and billing
  bool is_imported = false;
  int nodes = 0, gpus = 0;  // 0 = unknown or none
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

  // A run of it crossed nodes without a network plugin (RunRecord::inter_node_warning): the first
  // such line, marked on its row of summary.md.
  std::string inter_node_warning;
  std::vector<std::string> differences;  // vs the baseline: work-changing settings
  std::vector<std::string> warnings;     // differences, estimate notes, run warnings

  // Runs pool only when every defining setting is known and equal (configuration.h).
  bool placement_unknown = false;             // "unknown configuration (run X)": no scaling, no headline
  std::vector<std::string> unknown_settings;  // defining settings not stated

  // Quality: the lowest best accuracy among the full-split runs in the comparison.
  std::optional<double> accuracy_reached_pct;
  // The lowest accuracy its subset runs reached on their own subsets (a subset figure: shown,
  // never taken for the accuracy reached).
  std::optional<double> subset_accuracy_pct;
  size_t accuracy_runs = 0;
  std::string val_scope;                      // "all_ranks", "rank0_share", "mixed", "" unknown
  std::optional<int64_t> val_images;          // images per validation pass, when the runs agree
  QualityCheck quality;
  bool headline_eligible = false;
  std::string headline_reason;                // why not, when !headline_eligible
  // The same reasons, each a few words ("below the quality bar: 27.5% < 93.1%", "other work:
  // epochs 6 vs 10", "placement unknown"): what the charts print beside a bar.
  std::vector<std::string> headline_marks;
  std::optional<ConfigTimeToTarget> to_target;

  RepetitionSummary repetitions;
  std::optional<BoundSummary> bound;
  ConfigEnergy energy;  // energy, carbon, cost and memory for the job (analysis/energy.h)
};

using CurvePoint = lb::charts::CurvePoint;  // charts/chart_data.h: time, accuracy in percent, 1-based epoch

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

// Predicted step time at N ranks from an alpha-beta fit of the allreduce sweep and the one-rank
// step time (docs/methodology.md, "Scaling model"). Predictions are "modelled".
struct ModelPoint {
  std::optional<size_t> config;  // the measured configuration at this rank count, if any
  int nodes = 0;                 // 0 when not a whole number of nodes
  int ranks = 0;
  double predicted_step_s = 0;
  double predicted_efficiency = 0;  // one-rank step time / predicted step time
  std::optional<double> measured_step_s, measured_efficiency;
};

struct ScalingModel {
  std::string family;            // "measured · AMD MI250X (GCD) · ViT-B/16 · fp32 · 32 per rank"
  size_t reference = 0;          // the one-rank configuration
  double reference_step_s = 0;   // its mean steady step time
  int64_t batch_per_rank = 0;
  double alpha_s = 0;            // latency per ring step
  double beta_s_per_byte = 0;    // time per byte per link
  double fit_rms_relative_error = 0;
  size_t sweep_points = 0;
  std::vector<int> sweep_ranks;  // rank counts the sweep was measured at
  double gradient_bytes = 0;     // parameters x 4 (fp32 gradients)
  int64_t buckets = 1;           // allreduce messages per step
  int ranks_per_node = 0;
  std::vector<ModelPoint> points;  // by ranks: every measured rank count and the modelled ones
  std::vector<std::string> notes;
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
  // The headline: chosen only among configurations that did the baseline's work and met the
  // quality bar (ConfigResult::headline_eligible).
  std::optional<size_t> fastest;
  std::optional<size_t> max_speedup;  // the configuration with the largest speedup
  std::optional<BestAccuracy> best_accuracy;
  std::vector<AccuracySeries> accuracy;
  std::vector<std::string> warnings;  // every warning, each once, prefixed with what it is about

  std::optional<double> target_accuracy_pct;  // --target-accuracy
  double quality_margin_pts = 5.0;
  std::optional<size_t> fastest_to_target;    // with a target: the configuration that reached it first
  std::vector<ScalingModel> scaling_models;
  EnergyOptions energy_options;               // the assumptions behind energy, carbon and cost
};

// Throws UsageError when options.baseline names no run or configuration, options.epochs < 1,
// the target accuracy or quality margin lies outside (0, 100] / [0, 100], or an energy option is
// out of range.
Comparison build_comparison(std::vector<RunAnalysis> runs, const ComparisonOptions& options);

}  // namespace lb::analysis
