#include "analysis/compare/repetitions.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "analysis/input/names.h"
#include "common/format.h"

namespace lb::analysis {
namespace {

// Spread of the job-time estimates that entered a configuration's time (those that did exactly
// the job when there are any, else the extrapolated ones, as the time itself).
RepetitionSummary summarize_repetitions(const ConfigResult& c, const std::vector<RunAnalysis>& runs) {
  std::vector<double> values;
  for (size_t r : runs_used(c, runs)) values.push_back(runs[r].job.estimate.value);
  RepetitionSummary s;
  s.n = values.size();
  if (s.n == 0) return s;
  s.mean = mean(values);
  s.min = *std::min_element(values.begin(), values.end());
  s.max = *std::max_element(values.begin(), values.end());
  if (s.n >= 2 && s.mean > 0) s.cv = std::sqrt(sample_variance(values)) / s.mean;
  s.median_ci = median_interval95_inplace(values);
  s.median = s.median_ci.median;
  s.spread_too_large = s.n >= 2 && s.cv > kMaxRepeatSpread;
  return s;
}

}  // namespace

std::vector<size_t> runs_used(const ConfigResult& c, const std::vector<RunAnalysis>& runs) {
  std::vector<size_t> exact, all;
  for (size_t r : c.runs) {
    const RunAnalysis& a = runs[r];
    if (!a.in_comparison || !a.job.available) continue;
    all.push_back(r);
    if (!a.job.extrapolated) exact.push_back(r);
  }
  return exact.empty() ? all : exact;
}

void assess_repetitions(Comparison& cmp) {
  // --repeat groups: which configurations their runs landed in.
  std::map<std::string, std::map<size_t, size_t>> group_configs;  // group -> config -> runs
  std::map<std::string, int64_t> group_count;
  for (const auto& a : cmp.runs) {
    if (a.run.repeat.group.empty()) continue;
    ++group_configs[a.run.repeat.group][a.config];
    if (a.run.repeat.count) group_count[a.run.repeat.group] = std::max(group_count[a.run.repeat.group], *a.run.repeat.count);
  }
  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    ConfigResult& c = cmp.configs[i];
    c.repetitions = summarize_repetitions(c, cmp.runs);
    const RepetitionSummary& s = c.repetitions;
    if (s.spread_too_large) {
      add_unique(c.warnings, "its " + std::to_string(s.n) + " runs differ by " + format_percent(s.cv, 1) +
                                 " (coefficient of variation; range " + format_number(std::round(s.min * 10) / 10) +
                                 " to " + format_number(std::round(s.max * 10) / 10) +
                                 " s): the spread is too large for the interval of their mean to mean much; the runs "
                                 "did not see the same machine (other load, other nodes, the file system) or not the "
                                 "same job: find the cause before quoting the figure");
    }
    for (const auto& [group, configs] : group_configs) {
      auto it = configs.find(i);
      if (it == configs.end()) continue;
      std::string text = group + ": " + counted(it->second, "run");
      if (group_count.count(group)) text += " of " + std::to_string(group_count[group]);
      c.repetitions.repeat_groups.push_back(text);
      if (configs.size() > 1) {
        std::string others;
        for (const auto& [other, n] : configs) {
          if (other != i) others += (others.empty() ? "" : ", ") + cmp.configs[other].id;
        }
        add_unique(c.warnings, "--repeat group " + group + " has runs in other configurations too (" + others +
                                   "): its repetitions did not all record the same settings");
      }
      size_t total = 0;
      for (const auto& [other, n] : configs) total += n;
      if (group_count.count(group) && static_cast<int64_t>(total) < group_count[group]) {
        add_unique(c.warnings, "--repeat group " + group + ": " + std::to_string(total) + " of " +
                                   std::to_string(group_count[group]) + " runs found in the inputs");
      }
    }
  }
  // The harness's adaptive decisions, as recorded.
  for (const auto& a : cmp.runs) {
    const AdaptiveInfo& ad = a.run.adaptive;
    if (!ad.enabled()) continue;
    ConfigResult& c = cmp.configs[a.config];
    if (ad.stop_reason == "step_budget") {
      add_unique(c.warnings, "run " + a.run.run_id + ": adaptive mode ran out of its step budget with the 95% interval of "
                                 "the median step time at +-" +
                                 (ad.achieved_rel_ci ? format_percent(*ad.achieved_rel_ci, 1) : std::string("unknown")) +
                                 ", above its target of +-" + format_percent(*ad.target_rel_ci, 1));
    } else if (ad.stop_reason.empty()) {
      add_unique(c.warnings, "run " + a.run.run_id + ": adaptive mode was on but no stop reason is recorded (the run "
                                 "did not finish it)");
    }
  }
}

}  // namespace lb::analysis
