#include "analysis/compare/comparison.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "analysis/compare/accuracy.h"
#include "analysis/compare/bound.h"
#include "analysis/compare/config_estimate.h"
#include "common/errors.h"
#include "analysis/input/names.h"
#include "analysis/input/value_checks.h"
#include "analysis/compare/quality.h"
#include "analysis/compare/repetitions.h"
#include "analysis/compare/scaling.h"
#include "analysis/compare/scaling_model.h"

namespace lb::analysis {
namespace {

// For each configuration with a setting not stated: how many runs of the other configurations
// agree with it wherever both state a setting. Configurations are bucketed by which settings they
// state (a mask); two masks are compared on the settings both state, through a hash of those
// values, so the cost is (number of masks) x (configurations), not configurations squared.
std::vector<size_t> compatible_run_counts(const std::vector<ConfigResult>& configs) {
  std::vector<size_t> counts(configs.size(), 0);
  std::map<std::vector<bool>, std::vector<size_t>> by_mask;
  for (size_t i = 0; i < configs.size(); ++i) {
    std::vector<bool> mask(configs[i].config.fields.size());
    for (size_t f = 0; f < mask.size(); ++f) mask[f] = !configs[i].config.fields[f].value.empty();
    by_mask[mask].push_back(i);
  }
  // Thousands of distinct masks only come from hostile input: the count is then left out (0).
  constexpr size_t kMaxMasks = 512;
  if (by_mask.size() > kMaxMasks) return counts;
  for (const auto& [mask_a, members_a] : by_mask) {
    // Fully stated configurations get no such warning.
    if (std::find(mask_a.begin(), mask_a.end(), false) == mask_a.end()) continue;
    for (const auto& [mask_b, members_b] : by_mask) {
      // The settings both state, and the runs of B per value tuple on them.
      std::vector<size_t> shared;
      for (size_t f = 0; f < mask_a.size() && f < mask_b.size(); ++f) {
        if (mask_a[f] && mask_b[f]) shared.push_back(f);
      }
      const auto projection = [&](const ConfigResult& c) {
        std::string key;
        for (size_t f : shared) key += c.config.fields[f].value + "\x1f";
        return key;
      };
      std::unordered_map<std::string, size_t> runs_b;
      for (size_t j : members_b) runs_b[projection(configs[j])] += configs[j].runs.size();
      for (size_t i : members_a) {
        auto it = runs_b.find(projection(configs[i]));
        if (it == runs_b.end()) continue;
        counts[i] += it->second;
        // A configuration agrees with itself: not an "other" run.
        if (&mask_a == &mask_b) counts[i] -= configs[i].runs.size();
      }
    }
  }
  return counts;
}

std::vector<ConfigResult> group_configurations(std::vector<RunAnalysis>& runs, const std::string& cluster) {
  std::vector<ConfigResult> configs;
  configs.reserve(runs.size());
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < runs.size(); ++i) {
    Configuration config = configuration_of(runs[i].run);
    // Runs pool only when every defining setting is known and equal; others stand alone.
    auto [it, inserted] = index.emplace(grouping_key(config, runs[i].run.run_id, i), configs.size());
    if (inserted) {
      ConfigResult c;
      c.id = "C" + std::to_string(configs.size() + 1);
      c.config = std::move(config);
      c.is_cluster = c.config.cluster();
      c.placement_unknown = c.config.placement == Placement::Unknown;
      c.is_imported = runs[i].run.is_imported();
      c.nodes = c.config.whole(Field::nodes);
      c.gpus = c.config.whole(Field::gpus);
      c.unknown_settings = unknown_settings(c.config);
      if (c.placement_unknown) {
        c.label = "unknown configuration (run " + runs[i].run.run_id + ")";
        if (c.is_imported) c.label += ", " + c.config[Field::source];
      } else {
        c.label = configuration_label(c.config, cluster);
      }
      configs.push_back(std::move(c));
    }
    configs[it->second].runs.push_back(i);
    runs[i].config = it->second;
  }
  // Say where a run might have pooled with others had its settings been stated: other runs that
  // agree with it wherever both state a setting.
  const std::vector<size_t> compatible = compatible_run_counts(configs);
  for (size_t ci = 0; ci < configs.size(); ++ci) {
    ConfigResult& c = configs[ci];
    if (c.unknown_settings.empty()) continue;
    const std::string list = join(c.unknown_settings, ", ");
    const size_t others = compatible[ci];
    if (c.placement_unknown) {
      c.warnings.push_back("settings not stated: " + list +
                           ": an unknown configuration of its own, left out of scaling and of the headline");
    } else if (others > 0) {
      c.warnings.push_back("not pooled with " + counted(others, "other run") +
                           " that agree with it wherever both state a setting: " + list +
                           " not stated, so they cannot be shown to be repetitions of one configuration");
    }
  }
  // Equal labels: add what tells the configurations apart, so every bar and row is unique. A
  // field tells them apart when the group holds more than one value of it (one pass per group).
  std::map<std::string, std::vector<size_t>> by_label;
  for (size_t i = 0; i < configs.size(); ++i) by_label[configs[i].label].push_back(i);
  for (auto& [label, members] : by_label) {
    if (members.size() < 2) continue;
    const size_t n_fields = configs[members.front()].config.fields.size();
    std::vector<bool> differs(n_fields);
    for (size_t f = 0; f < n_fields; ++f) {
      const std::string& first = configs[members.front()].config.fields[f].value;
      differs[f] = std::any_of(members.begin(), members.end(),
                               [&](size_t m) { return configs[m].config.fields[f].value != first; });
    }
    for (size_t m : members) {
      std::string extra;
      for (size_t f = 0; f < n_fields; ++f) {
        if (!differs[f]) continue;
        const auto& field = configs[m].config.fields[f];
        extra += (extra.empty() ? "" : ", ") + std::string(field.label) + " " + (field.value.empty() ? "unknown" : field.value);
      }
      // Nothing stated tells them apart (runs that stand alone for an unknown setting): the run does.
      if (extra.empty()) extra = "run " + runs[configs[m].runs.front()].run.run_id;
      configs[m].label += " (" + extra + ")";
    }
  }
  // Still equal (two of three alike, a third different): the run tells them apart.
  std::map<std::string, std::vector<size_t>> again;
  for (size_t i = 0; i < configs.size(); ++i) again[configs[i].label].push_back(i);
  for (auto& [label, members] : again) {
    if (members.size() < 2) continue;
    for (size_t m : members) {
      std::string& l = configs[m].label;
      const std::string id = "run " + runs[configs[m].runs.front()].run.run_id;
      if (!l.empty() && l.back() == ')') {
        l.insert(l.size() - 1, ", " + id);
      } else {
        l += " (" + id + ")";
      }
    }
  }
  return configs;
}

// --baseline accepts a run id, a configuration id ("C3") or a configuration label.
std::optional<size_t> resolve_baseline(const std::string& name, const std::vector<ConfigResult>& configs,
                                       const std::vector<RunAnalysis>& runs) {
  for (const auto& r : runs) {
    if (r.run.run_id == name) return r.config;
  }
  for (size_t i = 0; i < configs.size(); ++i) {
    if (configs[i].id == name || configs[i].label == name) return i;
  }
  for (size_t i = 0; i < configs.size(); ++i) {
    if (to_lower(configs[i].label) == to_lower(name) || to_lower(configs[i].id) == to_lower(name)) return i;
  }
  return std::nullopt;
}

ConfigEstimate estimate_config(const ConfigResult& c, std::vector<RunAnalysis>& runs, int epochs, bool store) {
  std::vector<JobEstimate> jobs;
  for (size_t r : c.runs) {
    JobEstimate j = estimate_job(runs[r].run, runs[r].metrics, epochs);
    if (store) runs[r].job = j;
    if (runs[r].in_comparison) jobs.push_back(std::move(j));
  }
  ConfigEstimate e = combine_job_estimates(jobs);
  if (jobs.empty()) e.reason = "no complete run (use --include-incomplete to use the others)";
  return e;
}

// The default baseline is the slowest laptop (CPU) configuration, preferring measured ones to
// imported ones, so the headline does not rest on someone else's extrapolation when a
// measurement exists. Without --epochs, "slowest" is by time per epoch.
std::optional<size_t> default_baseline(const std::vector<ConfigResult>& configs,
                                       std::vector<RunAnalysis>& runs, std::optional<int> epochs,
                                       std::string& reason) {
  auto slowest = [&](auto accept) -> std::optional<size_t> {
    std::optional<size_t> best;
    double best_time = -1;
    for (size_t i = 0; i < configs.size(); ++i) {
      if (!accept(configs[i])) continue;
      const auto e = estimate_config(configs[i], runs, epochs.value_or(1), false);
      if (e.time_s && e.time_s->value > best_time) {
        best_time = e.time_s->value;
        best = i;
      }
    }
    return best;
  };
  const std::string by = epochs ? "estimated job time" : "estimated time per epoch";
  // A laptop is the user's own machine (configuration.h, Placement); an unknown configuration is
  // never the default baseline unless nothing else has a time.
  auto laptop = [](const ConfigResult& c) { return c.config.placement == Placement::OwnMachine; };
  if (auto b = slowest([&](const ConfigResult& c) { return laptop(c) && !c.is_imported; })) {
    reason = "default: the slowest measured laptop configuration (" + by + ")";
    return b;
  }
  if (auto b = slowest(laptop)) {
    reason = "default: the slowest laptop configuration (" + by + "; no measured laptop run)";
    return b;
  }
  if (auto b = slowest([](const ConfigResult& c) { return !c.placement_unknown; })) {
    reason = "default: the slowest configuration (" + by + "; no laptop configuration)";
    return b;
  }
  if (auto b = slowest([](const ConfigResult&) { return true; })) {
    reason = "default: the slowest configuration (" + by + "; every configuration is unknown)";
    return b;
  }
  return std::nullopt;
}

void fill_configuration(ConfigResult& c, std::vector<RunAnalysis>& runs, int epochs) {
  const ConfigEstimate e = estimate_config(c, runs, epochs, true);
  c.time_s = e.time_s;
  c.not_comparable_reason = e.reason;
  c.extrapolated = e.extrapolated;
  c.method = e.method;
  c.runs_used = e.runs_used;
  for (const auto& n : e.notes) add_unique(c.warnings, n);

  std::set<double> fractions;
  std::vector<double> throughput, per_gpu;
  // The runs' warnings, each once, in order (a set, because a configuration may hold thousands of runs).
  std::unordered_set<std::string> seen(c.warnings.begin(), c.warnings.end());
  const auto warn = [&](std::string w) {
    if (seen.insert(w).second) c.warnings.push_back(std::move(w));
  };
  for (size_t r : c.runs) {
    const RunAnalysis& a = runs[r];
    if (!a.in_comparison) continue;
    if (a.run.is_subset()) fractions.insert(a.run.settings.subset_fraction.value_or(0));
    if (a.metrics.steady_images_per_s) throughput.push_back(*a.metrics.steady_images_per_s);
    if (a.metrics.images_per_s_per_gpu) per_gpu.push_back(*a.metrics.images_per_s_per_gpu);
    if (c.inter_node_warning.empty()) c.inter_node_warning = a.run.inter_node_warning;
    if (a.run.is_subset() && a.metrics.best_val_top1_pct &&
        (!c.subset_accuracy_pct || *a.metrics.best_val_top1_pct < *c.subset_accuracy_pct)) {
      c.subset_accuracy_pct = a.metrics.best_val_top1_pct;
    }
    // Subset accuracy is not the configuration's accuracy: only full-split runs count.
    if (a.counts_for_accuracy() &&
        (!c.best_accuracy_pct || *a.metrics.best_val_top1_pct > *c.best_accuracy_pct)) {
      c.best_accuracy_pct = a.metrics.best_val_top1_pct;
      c.best_accuracy_time_s = a.metrics.best_time_s;
    }
    for (const auto& w : a.metrics.warnings) warn("run " + a.run.run_id + ": " + w);
    for (const auto& w : a.run.warnings) warn("run " + a.run.run_id + ": " + w);
  }
  c.subset_fractions.assign(fractions.begin(), fractions.end());
  // "mean of 2 extrapolated runs" says more with the subsets it comes from.
  if (c.extrapolated && c.runs_used > 1 && !c.subset_fractions.empty()) {
    std::string sizes;
    for (double f : c.subset_fractions) sizes += (sizes.empty() ? "" : ", ") + subset_percent(f);
    c.method += " (" + sizes + (c.subset_fractions.size() == 1 ? " subset)" : " subsets)");
  }
  // Rates over the same work: harmonic means (Hoefler and Belli, rule 3).
  if (!throughput.empty()) c.steady_images_per_s = harmonic_mean(throughput);
  if (!per_gpu.empty()) c.images_per_s_per_gpu = harmonic_mean(per_gpu);
  if (c.is_imported && c.time_s) add_unique(c.warnings, "imported figures (" + c.config[Field::source] + "), not measured here");
}

std::optional<SubsetFit> subset_fit(const ConfigResult& c, const std::vector<RunAnalysis>& runs) {
  SubsetFit s;
  for (size_t r : c.runs) {
    const RunAnalysis& a = runs[r];
    if (!a.in_comparison || a.run.is_imported() || !a.metrics.mean_train_time_s) continue;
    if (!a.run.settings.train_samples) continue;
    s.samples.push_back(static_cast<double>(*a.run.settings.train_samples));
    s.epoch_train_s.push_back(*a.metrics.mean_train_time_s);
    if (a.run.settings.full_train_samples) s.full_train_samples = static_cast<double>(*a.run.settings.full_train_samples);
  }
  s.fit = fit_line(s.samples, s.epoch_train_s);
  if (!s.fit.valid) return std::nullopt;
  s.predicted_full_epoch_train_s = s.fit.predict(s.full_train_samples);
  return s;
}

void subset_fit_warnings(ConfigResult& c) {
  if (!c.subset_fit) return;
  const SubsetFit& s = *c.subset_fit;
  if (s.fit.distinct_x >= 3 && s.fit.r_squared < 0.99) {
    add_unique(c.warnings, "train time per epoch is not linear in samples across subset sizes (R^2 = " +
                               format_number(std::round(s.fit.r_squared * 1000.0) / 1000.0) +
                               "): the extrapolation is questionable");
  }
  // A fixed cost per epoch shows as an intercept; it is not in the per-sample model's train term.
  const double at_full = s.fit.slope * s.full_train_samples;
  if (at_full > 0 && std::fabs(s.fit.intercept) > 0.05 * at_full) {
    add_unique(c.warnings, "the subset fit has an intercept of " + format_number(std::round(s.fit.intercept * 100) / 100) +
                               " s per epoch (" + format_number(std::round(100.0 * s.fit.intercept / at_full)) +
                               "% of the full-split train time): train time is not proportional to samples");
  }
}

std::string thousands(int64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string job_description(const Comparison& cmp) {
  if (cmp.configs.empty()) return "";
  const ConfigResult& c = cmp.configs[cmp.baseline.value_or(0)];
  const std::string& model = c.config[Field::model];
  const auto named = std::find_if(c.runs.begin(), c.runs.end(),
                                  [&](size_t r) { return cmp.runs[r].run.settings.dataset.has_value(); });
  const std::string dataset = named == c.runs.end() ? "" : *cmp.runs[*named].run.settings.dataset;
  std::string text = model.empty() ? "unknown model" : model;
  text += ", " + (dataset.empty() ? std::string("dataset") : dataset);
  if (auto split = c.config.count(Field::full_train_samples)) text += " train split " + thousands(*split);
  text += ", " + counted(cmp.epochs, "epoch");
  return text;
}

}  // namespace

RunAnalysis analyse_run(RunRecord run) {
  drop_out_of_range_values(run);
  RunAnalysis a;
  a.metrics = compute_run_metrics(run);
  a.energy = measure_run_energy(run, a.metrics);
  run.steps.clear();
  a.run = std::move(run);
  return a;
}

Comparison build_comparison(std::vector<RunAnalysis> runs, const ComparisonOptions& options) {
  if (options.epochs && *options.epochs < 1) {
    throw UsageError("--epochs " + std::to_string(*options.epochs) + ": expected a whole number of epochs >= 1");
  }
  if (options.target_accuracy_pct &&
      !(*options.target_accuracy_pct > 0 && *options.target_accuracy_pct <= 100)) {
    throw UsageError("--target-accuracy " + format_number(*options.target_accuracy_pct) +
                     ": expected a validation accuracy in percent, more than 0 and at most 100");
  }
  if (!(options.quality_margin_pts >= 0 && options.quality_margin_pts <= 100)) {
    throw UsageError("--quality-margin " + format_number(options.quality_margin_pts) +
                     ": expected percentage points from 0 to 100");
  }
  validate_energy_options(options.energy);
  Comparison cmp;
  cmp.cluster_name = options.cluster_name;
  cmp.energy_options = options.energy;
  cmp.target_accuracy_pct = options.target_accuracy_pct;
  cmp.quality_margin_pts = options.quality_margin_pts;
  for (auto& r : runs) {
    r.in_comparison = r.run.is_complete() || options.include_incomplete;
    if (!r.in_comparison) {
      r.excluded_reason = std::string("status ") + to_string(r.run.status) +
                          ": kept out of times and speedups (--include-incomplete uses it)";
    }
  }
  cmp.configs = group_configurations(runs, options.cluster_name);

  // Baseline and epoch count depend on each other: an explicit baseline fixes the epochs,
  // explicit epochs rank the candidates for the default baseline.
  std::optional<size_t> baseline;
  if (!options.baseline.empty()) {
    baseline = resolve_baseline(options.baseline, cmp.configs, runs);
    if (!baseline) {
      std::string known;
      for (const auto& c : cmp.configs) known += (known.empty() ? "" : "; ") + c.id + " \"" + c.label + "\"";
      throw UsageError("--baseline '" + options.baseline +
                       "': no run id, configuration id or configuration label matches (configurations: " +
                       known + ")");
    }
    cmp.baseline_reason = "--baseline " + options.baseline;
  } else {
    baseline = default_baseline(cmp.configs, runs, options.epochs, cmp.baseline_reason);
  }
  if (options.epochs) {
    cmp.epochs = *options.epochs;
    cmp.epochs_source = "--epochs";
  } else if (baseline && cmp.configs[*baseline].config.whole(Field::epochs) > 0) {
    cmp.epochs = cmp.configs[*baseline].config.whole(Field::epochs);
    cmp.epochs_source = "the baseline configuration's epochs";
  } else {
    std::vector<int> stated;
    for (const auto& c : cmp.configs) {
      if (const int e = c.config.whole(Field::epochs); e > 0) stated.push_back(e);
    }
    cmp.epochs = most_common(stated);
    cmp.epochs_source = "the most common epoch count (the baseline's is unknown)";
    if (cmp.epochs == 0) {
      cmp.epochs = 1;
      cmp.epochs_source = "1 (no configuration states its epochs; pass --epochs)";
    }
  }

  for (auto& c : cmp.configs) fill_configuration(c, runs, cmp.epochs);
  cmp.baseline = baseline;
  if (baseline && !cmp.configs[*baseline].time_s) {
    cmp.warnings.push_back("baseline " + cmp.configs[*baseline].label + " has no job time (" +
                           cmp.configs[*baseline].not_comparable_reason + "): no speedups");
  }

  for (auto& c : cmp.configs) {
    c.subset_fit = subset_fit(c, runs);
    subset_fit_warnings(c);
    if (!baseline) continue;
    const ConfigResult& b = cmp.configs[*baseline];
    if (&c != &b) {
      c.differences = work_differences(c.config, b.config);
      if (!c.differences.empty()) {
        c.warnings.insert(c.warnings.begin(), "differs from the baseline (" + b.label + ") in: " + join(c.differences, "; "));
      }
    }
    // The baseline against itself is exactly 1 (one estimate on both sides, no interval).
    if (c.time_s && b.time_s) c.speedup = &c == &b ? Interval::point(1.0) : ratio_interval(*b.time_s, *c.time_s);
  }
  cmp.runs = std::move(runs);
  compute_scaling(cmp);
  build_accuracy(cmp);
  assess_repetitions(cmp);
  assess_bounds(cmp);
  assess_energy(cmp);
  assess_quality(cmp);
  time_to_target(cmp);
  // Fastest and maximum speedup: only among configurations that did the baseline's work and met
  // the quality bar.
  choose_headline(cmp);
  build_scaling_models(cmp);
  for (size_t i = 0; i < cmp.configs.size(); ++i) cmp.display_order.push_back(i);
  std::stable_sort(cmp.display_order.begin(), cmp.display_order.end(), [&](size_t a, size_t b) {
    const auto& ca = cmp.configs[a];
    const auto& cb = cmp.configs[b];
    if (ca.time_s.has_value() != cb.time_s.has_value()) return ca.time_s.has_value();
    return ca.time_s && ca.time_s->value > cb.time_s->value;
  });
  // Every warning once: a set beside the list keeps this linear in the number of warnings.
  std::unordered_set<std::string> seen(cmp.warnings.begin(), cmp.warnings.end());
  const auto warn = [&](std::string w) {
    if (seen.insert(w).second) cmp.warnings.push_back(std::move(w));
  };
  for (size_t i : cmp.display_order) {
    const auto& c = cmp.configs[i];
    if (!c.time_s) warn(c.label + ": not compared (" + c.not_comparable_reason + ")");
    for (const auto& w : c.warnings) warn(c.label + ": " + w);
  }
  for (const auto& r : cmp.runs) {
    if (!r.in_comparison) warn("run " + r.run.run_id + ": " + r.excluded_reason);
  }
  cmp.job_description = job_description(cmp);
  return cmp;
}

}  // namespace lb::analysis
