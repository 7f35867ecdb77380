#include "analysis/compare/config_estimate.h"

#include <cmath>

#include "analysis/input/names.h"

namespace lb::analysis {

namespace {

std::string seconds(double s) { return format_number(std::round(s * 10.0) / 10.0) + " s"; }

// A configuration timed by runs that did the job and also extrapolated from others (subsets,
// other epoch counts) checks the extrapolation against them: a clear miss is reported.
void check_extrapolation(const std::vector<const JobEstimate*>& extrapolated, ConfigEstimate& c) {
  std::vector<JobEstimate> jobs;
  for (const auto* j : extrapolated) jobs.push_back(*j);
  const ConfigEstimate x = combine_job_estimates(jobs);
  if (!x.time_s || !c.time_s) return;
  const Interval& e = *x.time_s;
  const double m = c.time_s->value;
  const bool inside = e.has_interval && (!e.has_lower() || e.lo <= m) && (!e.has_upper() || m <= e.hi);
  const double off = (e.value - m) / m;
  // A miss both outside the 95% interval and by more than 5%: an imprecise extrapolation whose
  // interval covers the measurement is not wrong, and a few percent are within run-to-run noise.
  if (inside || std::fabs(off) <= 0.05) return;
  std::string range;
  if (e.has_interval) {
    range = " (95% interval " + (e.has_lower() ? seconds(e.lo) : std::string("0 s")) + " to " +
            (e.has_upper() ? seconds(e.hi) : std::string("unbounded")) + ")";
  }
  c.notes.push_back("check: extrapolating from the " + counted(extrapolated.size(), "other run") +
                    " of this configuration gives " + seconds(e.value) + range + ", the measured time is " +
                    seconds(m) + " (" + (off >= 0 ? "+" : "") + format_number(std::round(off * 100.0)) +
                    "%): the extrapolation does not hold for them (other load on the machine, or not linear in samples)");
}

}  // namespace

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
    for (const auto& n : j->notes) add_unique(c.notes, n);
  }
  if (used.size() == 1) {
    c.time_s = used.front()->time_s;
    c.method = used.front()->method;
    if (!exact.empty() && !extrapolated.empty()) check_extrapolation(extrapolated, c);
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
  c.time_s = (use_within ? within : spread).positive_interval95();
  const std::string n = std::to_string(used.size());
  if (c.time_s->has_interval && !c.time_s->has_lower()) {
    c.notes.push_back(std::string("the 95% interval of the mean of ") + n + " runs reaches zero, so it has no lower bound (" +
                      (use_within ? "the runs' own intervals are wide" : "the runs differ a lot from each other") +
                      "): more or longer runs give a bounded interval");
  }
  c.method = c.extrapolated ? "mean of " + n + " extrapolated runs" : used.front()->method + ", mean of " + n + " runs";
  if (!exact.empty() && !extrapolated.empty()) check_extrapolation(extrapolated, c);
  return c;
}

}  // namespace lb::analysis
