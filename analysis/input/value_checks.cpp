#include "analysis/input/value_checks.h"

#include <algorithm>
#include <cmath>

#include "common/format.h"

namespace lb::analysis {
namespace {

// A usable time: finite, more than zero and a normal (not subnormal) double.
bool usable_time(double seconds) { return std::isnormal(seconds) && seconds > 0; }

std::string shown(double v) { return std::isnan(v) ? "NaN" : format_significant(v, 6); }

void check_time(std::optional<double>& v, const char* name, RunRecord& run) {
  if (!v || usable_time(*v)) return;
  run.warnings.push_back(std::string(name) + " = " + shown(*v) +
                         " s is not a usable time (zero, negative, subnormal or not finite); dropped");
  v.reset();
}

void check_accuracy(std::optional<double>& pct, const char* name, RunRecord& run) {
  if (!pct || (std::isfinite(*pct) && *pct >= 0 && *pct <= 100)) return;
  run.warnings.push_back(std::string(name) + " = " + shown(*pct) + "% is outside 0..100%; dropped");
  pct.reset();
}

// A count that must be at least one where it is stated (0 is "none", which a run cannot have).
void check_positive(std::optional<int64_t>& v, const char* name, RunRecord& run) {
  if (!v || *v > 0) return;
  run.warnings.push_back(std::string(name) + " = " + std::to_string(*v) + ": a run needs at least one; treated as unknown");
  v.reset();
}

// Validation accuracies of a table (fractions 0..1): out-of-range rows lose their accuracy.
template <class Row>
void check_fractions(std::vector<Row>& rows, const char* table, RunRecord& run) {
  size_t dropped = 0;
  double first = 0;
  for (auto& r : rows) {
    if (std::isnan(r.val_top1) || (r.val_top1 >= 0 && r.val_top1 <= 1)) continue;
    if (dropped++ == 0) first = r.val_top1;
    r.val_top1 = std::nan("");
  }
  if (dropped > 0) {
    run.warnings.push_back("'" + std::string(table) + "': " + std::to_string(dropped) +
                           " val_top1 values outside 0..1 (first: " + shown(first) + "); dropped");
  }
}

}  // namespace

void drop_out_of_range_values(RunRecord& run) {
  check_time(run.wall_time_s, "wall_time_s (Runtime)", run);
  ImportedFigures& f = run.imported;
  if (f.runtime_s && !usable_time(*f.runtime_s)) f.runtime_s.reset();  // named above: it is the wall time
  check_time(f.epoch_time_s, "epoch time", run);
  check_time(f.extrapolated_total_s, "extrapolated total time", run);
  check_time(f.extrapolated_epoch_s, "extrapolated epoch time", run);
  check_accuracy(f.val_accuracy_pct, "validation accuracy", run);
  check_accuracy(f.subset_val_accuracy_pct, "subset validation accuracy", run);

  RunSettings& s = run.settings;
  check_positive(s.ranks, "world size (ranks)", run);
  check_positive(s.nodes, "nodes", run);
  if (s.device && *s.device == "gpu") check_positive(s.gpus, "GPUs of a GPU run", run);
  check_positive(s.full_train_samples, "full_train_samples", run);
  check_positive(s.train_samples, "train_samples", run);
  check_positive(s.batch_size, "batch size", run);
  check_positive(s.global_batch_size, "global batch size", run);
  check_positive(s.epochs, "epochs", run);
  if (s.subset_fraction && !(*s.subset_fraction > 0 && *s.subset_fraction <= 1)) {
    run.warnings.push_back("subset fraction " + shown(*s.subset_fraction) + " is outside (0, 1]; treated as unknown");
    s.subset_fraction.reset();
  }

  check_fractions(run.epochs, "epochs", run);
  check_fractions(run.evaluations, "evaluations", run);

  // Step times: one that is zero or subnormal makes every per-sample rate of the run meaningless.
  StepColumns& c = run.steps;
  const auto first = std::find_if_not(c.total_s.begin(), c.total_s.end(), usable_time);
  if (first != c.total_s.end()) {
    const auto bad = std::count_if(first, c.total_s.end(), [](double t) { return !usable_time(t); });
    run.warnings.push_back("'steps': " + std::to_string(bad) + " rows with a total_s that is not a usable time (first: row " +
                           std::to_string(first - c.total_s.begin()) + ", " + shown(*first) +
                           " s); the table is left out");
    c.clear();
  }
}

}  // namespace lb::analysis
