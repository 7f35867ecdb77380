#include "analysis/compare/accuracy.h"

#include "analysis/compare/extrapolation.h"

namespace lb::analysis {
namespace {

template <class T>
bool known_equal(const std::optional<T>& a, const std::optional<T>& b) {
  return a && b && *a == *b;
}

// True when a run with these settings learns the same way (same recipe), whatever the hardware.
bool same_recipe(const RunSettings& a, const RunSettings& b) {
  return known_equal(a.model, b.model) && known_equal(a.full_train_samples, b.full_train_samples) &&
         known_equal(a.full_val_samples, b.full_val_samples) && known_equal(a.synthetic, b.synthetic) &&
         known_equal(a.global_batch_size, b.global_batch_size) && known_equal(a.optimizer, b.optimizer) &&
         known_equal(a.lr, b.lr) && a.lr_schedule == b.lr_schedule && known_equal(a.epochs, b.epochs) &&
         known_equal(a.pretrained, b.pretrained) && known_equal(a.precision, b.precision);
}

// The best run's series: an import's final accuracy at its runtime, a measured run's every pass.
AccuracySeries best_run_series(const Comparison& cmp, size_t config, const RunAnalysis& a) {
  AccuracySeries s;
  s.label = cmp.configs[config].label;
  s.config = config;
  s.run_id = a.run.run_id;
  s.imported = a.run.is_imported();
  if (s.imported) {
    s.details = "imported (" + a.run.source_label + "), run " + a.run.run_id +
                ": final accuracy at the source's runtime";
    const RunMetrics& m = a.metrics;
    if (m.best_time_s) s.points.push_back({*m.best_time_s, *m.best_val_top1_pct, m.best_epoch});
    return s;
  }
  s.details = "measured, run " + a.run.run_id + (a.metrics.accuracy_from_evaluations
                                                       ? ": every validation pass, at seconds since the run started "
                                                         "less the extra --eval-every passes before it"
                                                       : ": every validated epoch, at seconds since the run started");
  for (const AccuracyPoint& p : a.metrics.accuracy_curve) s.points.push_back({p.time_s, p.top1_pct, p.epoch});
  return s;
}

// Mean parts of the configuration's extrapolated job, over the runs that entered its time.
bool job_parts(const Comparison& cmp, const ConfigResult& c, JobEstimate& parts) {
  size_t n = 0;
  for (size_t r : c.runs) {
    const RunAnalysis& a = cmp.runs[r];
    if (!a.in_comparison || !a.job.available || a.run.is_imported()) continue;
    parts.one_time_s += a.job.one_time_s - a.job.teardown_s;  // teardown comes after the last pass
    parts.train_epoch_s += a.job.train_epoch_s;
    parts.validation_s += a.job.validation_s;
    ++n;
  }
  if (n == 0) return false;
  parts.one_time_s /= static_cast<double>(n);
  parts.train_epoch_s /= static_cast<double>(n);
  parts.validation_s /= static_cast<double>(n);
  return true;
}

std::optional<AccuracySeries> projected_series(const Comparison& cmp, size_t config) {
  const ConfigResult& c = cmp.configs[config];
  if (c.is_imported || !c.extrapolated || !c.time_s || c.runs.empty()) return std::nullopt;
  const RunSettings& settings = cmp.runs[c.runs.front()].run.settings;
  const RunAnalysis* source = nullptr;
  for (const auto& a : cmp.runs) {
    if (a.run.is_imported() || !a.counts_for_accuracy() || !same_recipe(a.run.settings, settings)) continue;
    if (!source || a.metrics.best_val_top1_pct > source->metrics.best_val_top1_pct) source = &a;
  }
  JobEstimate parts;
  if (!source || !job_parts(cmp, c, parts)) return std::nullopt;
  AccuracySeries s;
  s.label = c.label + " (projected)";
  s.config = config;
  s.run_id = source->run.run_id;
  s.projected = true;
  s.extrapolated = true;
  s.details = "projected: the accuracy of every validation pass measured in run " + source->run.run_id + " (" +
              cmp.configs[source->config].label + "), placed at " + c.label +
              "'s extrapolated time for the same point of training; not measured on this configuration";
  const auto spe = source->metrics.steps_per_epoch;
  for (const AccuracyPoint& p : source->metrics.accuracy_curve) {
    if (p.epoch > cmp.epochs) continue;
    // Training done before the pass, in epochs, and the epoch-end validations done by its end.
    const double trained = p.step >= 0 && spe && *spe > 0 ? static_cast<double>(p.step) / static_cast<double>(*spe)
                                                          : static_cast<double>(p.epoch);
    const int validations = p.epoch_end ? p.epoch : p.epoch - 1;
    const double t = parts.one_time_s + trained * parts.train_epoch_s + validations * parts.validation_s;
    s.points.push_back({t, p.top1_pct, p.epoch});
  }
  if (s.points.empty()) return std::nullopt;
  return s;
}

}  // namespace

void build_accuracy(Comparison& cmp) {
  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    const ConfigResult& c = cmp.configs[i];
    const RunAnalysis* best = nullptr;
    for (size_t r : c.runs) {
      const RunAnalysis& a = cmp.runs[r];
      if (a.counts_for_accuracy() && (!best || *a.metrics.best_val_top1_pct > *best->metrics.best_val_top1_pct)) best = &a;
    }
    if (best) {
      AccuracySeries s = best_run_series(cmp, i, *best);
      if (!s.points.empty()) cmp.accuracy.push_back(std::move(s));
    }
    if (best && (!cmp.best_accuracy || *best->metrics.best_val_top1_pct > cmp.best_accuracy->accuracy_pct)) {
      cmp.best_accuracy = BestAccuracy{i, best->run.run_id, *best->metrics.best_val_top1_pct,
                                       best->metrics.best_time_s, best->metrics.best_epoch,
                                       best->run.is_imported()};
    }
    if (auto p = projected_series(cmp, i)) cmp.accuracy.push_back(std::move(*p));
  }
}

}  // namespace lb::analysis
