#include "analysis/config_estimate.h"

#include <algorithm>
#include <cmath>

namespace lb::analysis {

ConfigEstimate combine_job_estimates(const std::vector<JobEstimate>& jobs) {
  ConfigEstimate c;
  std::vector<const JobEstimate*> exact, extrapolated;
  std::string reasons;
  for (const auto& j : jobs) {
    if (!j.available) {
      if (reasons.find(j.unavailable_reason) == std::string::npos) {
        reasons += (reasons.empty() ? "" : "; ") + j.unavailable_reason;
      }
      continue;
    }
    (j.extrapolated ? extrapolated : exact).push_back(&j);
  }
  const auto& used = exact.empty() ? extrapolated : exact;
  if (used.empty()) {
    c.reason = reasons.empty() ? "no run to estimate from" : reasons;
    return c;
  }
  c.runs_used = used.size();
  c.extrapolated = exact.empty();
  for (const auto* j : used) {
    for (const auto& n : j->notes) {
      if (std::find(c.notes.begin(), c.notes.end(), n) == c.notes.end()) c.notes.push_back(n);
    }
  }
  if (used.size() == 1) {
    c.time_s = used.front()->time_s;
    c.method = used.front()->method;
    return c;
  }
  std::vector<double> values;
  std::vector<WeightedTerm> own;
  const double w = 1.0 / static_cast<double>(used.size());
  for (const auto* j : used) {
    values.push_back(j->estimate.value);
    own.push_back({w, j->estimate});
  }
  const Estimate spread = mean_estimate(values);
  const Estimate within = weighted_sum(own);
  const bool use_within = within.has_error() && !(spread.std_error >= within.std_error);
  c.time_s = (use_within ? within : spread).interval95();
  const std::string n = std::to_string(used.size());
  if (!c.extrapolated) {
    c.method = used.front()->method + ", mean of " + n + " runs";
  } else {
    c.method = "mean of " + n + " extrapolated runs";
  }
  return c;
}

}  // namespace lb::analysis
