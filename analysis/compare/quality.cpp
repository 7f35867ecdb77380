#include "analysis/compare/quality.h"

#include <algorithm>
#include <map>
#include <set>

#include "analysis/input/names.h"
#include "common/format.h"

namespace lb::analysis {
namespace {

// The task a configuration trains: model and data (split sizes, synthetic or not). The default
// quality bar is relative to the best accuracy of the same task.
std::string task_key(const ConfigResult& c) {
  return fields_key(c.config, {Field::model, Field::full_train_samples, Field::full_val_samples, Field::synthetic});
}

// Marks `t` reached at the first point of the curve at or above the target, with the time of the
// point before it (0: the start).
template <class Point, class ToTarget>
bool reach(const std::vector<Point>& curve, double Point::*accuracy_pct, double target, ToTarget& t) {
  double previous = 0;
  for (const Point& p : curve) {
    if (p.*accuracy_pct >= target) {
      t.reached = true;
      t.time_s = p.time_s;
      t.previous_s = previous;
      t.epoch = p.epoch;
      return true;
    }
    previous = p.time_s;
  }
  return false;
}

std::string scope_words(const std::string& scope, const std::optional<int64_t>& images) {
  std::string text = scope.empty() ? "unknown scope" : scope;
  if (images) text += " (" + std::to_string(*images) + " images)";
  return text;
}

}  // namespace

const char* to_string(QualityStatus status) {
  switch (status) {
    case QualityStatus::Met: return "met";
    case QualityStatus::Below: return "below";
    case QualityStatus::NotRecorded: return "not recorded";
    case QualityStatus::NoBar: break;
  }
  return "no bar";
}

std::string accuracy_text(const std::optional<double>& v) { return v ? format_percent_value(*v) : std::string("not recorded"); }

void assess_quality(Comparison& cmp) {
  auto& configs = cmp.configs;
  for (auto& c : configs) {
    std::set<std::string> scopes;
    std::set<std::optional<int64_t>> images;  // nullopt: a run that does not state it
    for (size_t r : c.runs) {
      const RunAnalysis& a = cmp.runs[r];
      if (!a.counts_for_accuracy()) continue;
      const double v = *a.metrics.best_val_top1_pct;
      if (!c.accuracy_reached_pct || v < *c.accuracy_reached_pct) c.accuracy_reached_pct = v;
      ++c.accuracy_runs;
      scopes.insert(a.run.settings.val_scope.value_or(""));
      images.insert(a.run.settings.val_images_per_eval);
    }
    if (scopes.size() == 1) {
      c.val_scope = *scopes.begin();
    } else if (scopes.size() > 1) {
      c.val_scope = "mixed";
      c.warnings.push_back("validation accuracy of its runs computed in different ways (" +
                           join(std::vector<std::string>(scopes.begin(), scopes.end()), ", ") +
                           "; empty = unknown): they are not the same measurement");
    }
    if (images.size() == 1) c.val_images = *images.begin();
    if (c.val_scope == "rank0_share") {
      c.warnings.push_back("validation accuracy is one rank's share of the validation split" +
                           (c.val_images ? " (" + std::to_string(*c.val_images) + " images)" : std::string()) +
                           ", not the whole split: a noisier estimate, and not comparable with whole-split accuracies");
    }
  }

  // The best accuracy of each task: the default bar's reference.
  std::map<std::string, size_t> best_of_task;
  for (size_t i = 0; i < configs.size(); ++i) {
    const ConfigResult& c = configs[i];
    if (!c.best_accuracy_pct) continue;
    auto [it, inserted] = best_of_task.emplace(task_key(c), i);
    if (!inserted && *c.best_accuracy_pct > *configs[it->second].best_accuracy_pct) it->second = i;
  }

  for (size_t i = 0; i < configs.size(); ++i) {
    ConfigResult& c = configs[i];
    QualityCheck& q = c.quality;
    std::optional<size_t> reference;
    if (cmp.target_accuracy_pct) {
      q.bar_pct = *cmp.target_accuracy_pct;
      q.bar_source = "--target-accuracy " + format_number(*cmp.target_accuracy_pct) + "%";
    } else if (auto it = best_of_task.find(task_key(c)); it != best_of_task.end()) {
      reference = it->second;
      const ConfigResult& best = configs[it->second];
      q.bar_pct = std::max(0.0, *best.best_accuracy_pct - cmp.quality_margin_pts);
      q.bar_source = "the best accuracy of this task, " + format_percent_value(*best.best_accuracy_pct) + " (" + best.label + "), less " +
                     format_number(cmp.quality_margin_pts) + " points";
    }
    if (!q.bar_pct) {
      q.status = QualityStatus::NoBar;
      q.reason = "no validation accuracy recorded for this task and no --target-accuracy: quality not checked";
      continue;
    }
    if (!c.accuracy_reached_pct) {
      q.status = QualityStatus::NotRecorded;
      q.reason = std::string("no validation accuracy of a full-split run recorded") +
                 (c.subset_accuracy_pct ? " (its subset runs reached " + format_percent_value(*c.subset_accuracy_pct) +
                                              " on their own subset: a subset figure, not a full run's)"
                  : c.is_imported ? " (not in the import)"
                                  : " (subset runs measure no full-run accuracy)") +
                 ": cannot show it reaches the bar of " + format_percent_value(*q.bar_pct);
      continue;
    }
    const bool met = *c.accuracy_reached_pct >= *q.bar_pct - 1e-9;
    q.status = met ? QualityStatus::Met : QualityStatus::Below;
    q.reason = std::string(met ? "reached " : "below the quality bar: ") + format_percent_value(*c.accuracy_reached_pct) +
               (met ? " >= " : " < ") + format_percent_value(*q.bar_pct) + " (" + q.bar_source + ")";
    if (c.accuracy_runs > 1) q.reason += "; the lowest of its " + std::to_string(c.accuracy_runs) + " runs";
    if (!met) c.warnings.push_back(q.reason);
    // Accuracies measured differently are compared here: say so.
    if (reference && *reference != i) {
      const ConfigResult& best = configs[*reference];
      const bool differ = c.val_scope != best.val_scope ||
                          (c.val_images && best.val_images && *c.val_images != *best.val_images);
      if (differ && (!c.val_scope.empty() || !best.val_scope.empty())) {
        add_unique(c.warnings, "quality bar: validation accuracy computed as " + scope_words(c.val_scope, c.val_images) +
                                   " here but as " + scope_words(best.val_scope, best.val_images) + " in " +
                                   best.label + ": the two accuracies are not measured the same way");
      }
    }
  }

  // Scaling rows show both accuracies too: a different validation scope is one of their differences.
  for (auto& c : configs) {
    for (auto* s : {&c.vs_one_gpu, &c.vs_one_node}) {
      if (!*s || (*s)->reference >= configs.size()) continue;
      const ConfigResult& ref = configs[(*s)->reference];
      if (&ref == &c || c.val_scope.empty() || ref.val_scope.empty() || c.val_scope == ref.val_scope) continue;
      add_unique((*s)->differences, "validation accuracy " + c.val_scope + " vs " + ref.val_scope);
    }
  }

  // The speedup compares accuracies too (they are shown side by side): flag different kinds.
  if (cmp.baseline) {
    const ConfigResult& b = configs[*cmp.baseline];
    for (size_t i = 0; i < configs.size(); ++i) {
      ConfigResult& c = configs[i];
      if (i == *cmp.baseline || !c.accuracy_reached_pct || !b.accuracy_reached_pct) continue;
      if (c.val_scope == b.val_scope) continue;  // the same scope, or both unknown: nothing to flag
      add_unique(c.warnings, "accuracy against the baseline: " + scope_words(c.val_scope, c.val_images) + " vs " +
                                 scope_words(b.val_scope, b.val_images) + ": not measured the same way");
    }
  }
}

void time_to_target(Comparison& cmp) {
  if (!cmp.target_accuracy_pct) return;
  const double target = *cmp.target_accuracy_pct;
  for (auto& a : cmp.runs) {
    if (!a.counts_for_accuracy()) continue;
    RunTimeToTarget t;
    if (a.run.is_imported()) {
      if (a.run.imported.val_accuracy_pct && *a.run.imported.val_accuracy_pct >= target && a.run.imported.runtime_s) {
        t.reached = true;
        t.upper_bound = true;
        t.time_s = *a.run.imported.runtime_s;
        t.epoch = a.metrics.best_epoch;
      }
    } else {
      reach(a.metrics.accuracy_curve, &AccuracyPoint::top1_pct, target, t);
    }
    a.to_target = t;
  }

  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    ConfigResult& c = cmp.configs[i];
    ConfigTimeToTarget t;
    double sum = 0, previous = 0;
    for (size_t r : c.runs) {
      const RunAnalysis& a = cmp.runs[r];
      if (!a.to_target) continue;
      ++t.runs_with_accuracy;
      if (!a.to_target->reached) continue;
      ++t.runs_reached;
      sum += a.to_target->time_s;
      previous += a.to_target->previous_s;
      t.epoch = std::max(t.epoch, a.to_target->epoch);
      t.imported = t.imported || a.to_target->upper_bound;
    }
    const std::string target_text = format_number(target) + "%";
    if (t.runs_with_accuracy > 0) {
      t.reached = t.runs_reached == t.runs_with_accuracy;
      if (t.reached) {
        t.time_s = sum / static_cast<double>(t.runs_reached);
        t.previous_s = previous / static_cast<double>(t.runs_reached);
        if (t.imported) {
          t.method = "imported: the source's final accuracy at its runtime, so reached at most then";
        } else {
          t.method = "measured: the first validation pass at or above " + target_text +
                     " (reached between the pass before it and this one)";
          if (t.runs_reached > 1) t.method += ", mean of " + std::to_string(t.runs_reached) + " runs";
        }
      } else {
        t.method = std::to_string(t.runs_reached) + " of " + std::to_string(t.runs_with_accuracy) + " runs reached " +
                   target_text;
        if (t.runs_reached == 0) t.method = "not reached: best " + accuracy_text(c.best_accuracy_pct);
      }
    } else {
      // No accuracy of its own: a projected curve (measured accuracy, extrapolated time) may say.
      for (const auto& s : cmp.accuracy) {
        if (s.config != i || !s.projected) continue;
        if (reach(s.points, &CurvePoint::accuracy_pct, target, t)) {  // fills t when the curve reaches the target
          t.extrapolated = true;
          t.method = "projected: accuracy measured in run " + s.run_id + ", time extrapolated for this configuration";
        }
      }
      if (!t.reached) continue;
    }
    c.to_target = t;
  }

  // Speedups to the target against the baseline, when both reached it.
  const ConfigResult* base = cmp.baseline ? &cmp.configs[*cmp.baseline] : nullptr;
  const bool base_reached = base && base->to_target && base->to_target->reached && base->to_target->time_s > 0;
  const std::string base_task = base ? task_key(*base) : std::string();
  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    ConfigResult& c = cmp.configs[i];
    if (!c.to_target || !c.to_target->reached || !(c.to_target->time_s > 0)) continue;
    // A ratio needs two times, not bounds: an import's "at most its runtime" gives none.
    if (base_reached && !base->to_target->imported && !c.to_target->imported) {
      c.to_target->speedup = base->to_target->time_s / c.to_target->time_s;
    }
    // Time to a quality is the work (MLPerf): batch, learning rate and epochs may differ, the task
    // (model and data) may not, and the placement must be known.
    if (c.placement_unknown || (base && task_key(c) != base_task)) continue;
    if (!cmp.fastest_to_target || c.to_target->time_s < cmp.configs[*cmp.fastest_to_target].to_target->time_s) {
      cmp.fastest_to_target = i;
    }
  }
}

void choose_headline(Comparison& cmp) {
  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    ConfigResult& c = cmp.configs[i];
    // Every reason that applies, so that a fix of one does not reveal the next by surprise.
    std::vector<std::string> why, marks;
    if (!c.time_s) {
      why.push_back("no job time (" + c.not_comparable_reason + ")");
      marks.push_back("no job time");
    } else {
      if (c.placement_unknown) {
        why.push_back("unknown configuration: its node and GPU counts (or its device) are not stated");
        marks.push_back("placement unknown");
      }
      if (cmp.baseline && i != *cmp.baseline && !c.differences.empty()) {
        const auto task = task_differences(c.config, cmp.configs[*cmp.baseline].config);
        if (!task.empty()) {
          why.push_back("did other work than the baseline: " + join(task, "; "));
          marks.push_back("other work: " + task.front() +
                          (task.size() > 1 ? " (+" + std::to_string(task.size() - 1) + " more)" : std::string()));
        } else if (c.quality.status != QualityStatus::Met) {
          // Scaling out changes the recipe by design; only a met quality bar vouches for it.
          why.push_back("trained with another recipe than the baseline (" + join(c.differences, "; ") +
                        ") and has no recorded accuracy that meets the quality bar to show it did the same job");
          marks.push_back("other recipe, quality not shown");
        }
      }
      if (c.quality.status == QualityStatus::Below) {
        why.push_back(c.quality.reason);
        marks.push_back("below the quality bar: " + accuracy_text(c.accuracy_reached_pct) + " < " +
                        format_percent_value(*c.quality.bar_pct));
      } else if (c.quality.status == QualityStatus::NotRecorded) {
        why.push_back(c.quality.reason);
        marks.push_back(c.subset_accuracy_pct ? "only a subset accuracy (" + format_percent_value(*c.subset_accuracy_pct) + ")"
                                              : "accuracy not recorded");
      }
    }
    c.headline_eligible = why.empty();
    c.headline_reason = join(why, "; and ");
    c.headline_marks = marks;
  }
  cmp.fastest.reset();
  cmp.max_speedup.reset();
  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.headline_eligible) continue;
    if (!cmp.fastest || c.time_s->value < cmp.configs[*cmp.fastest].time_s->value) cmp.fastest = i;
    if (c.speedup && i != cmp.baseline &&
        (!cmp.max_speedup || c.speedup->value > cmp.configs[*cmp.max_speedup].speedup->value)) {
      cmp.max_speedup = i;
    }
  }
  // Faster configurations left out of the headline are named in the warnings with the reason.
  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    ConfigResult& c = cmp.configs[i];
    if (c.headline_eligible || !c.time_s) continue;
    const bool faster = !cmp.fastest || c.time_s->value < cmp.configs[*cmp.fastest].time_s->value;
    if (faster) {
      add_unique(c.warnings, "not in the headline although " +
                                 std::string(cmp.fastest ? "faster than its fastest" : "it has a job time") + " (" +
                                 format_duration(c.time_s->value) + "): " + c.headline_reason);
    }
  }
}

}  // namespace lb::analysis
