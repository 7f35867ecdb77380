// One configuration's time for the normalized job, from the estimates of its runs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/compare/extrapolation.h"
#include "analysis/compare/statistics.h"

namespace lb::analysis {

struct ConfigEstimate {
  std::optional<Interval> time_s;  // nullopt: no run of the configuration gives the job time
  std::string reason;              // why not, when time_s is empty
  bool extrapolated = true;
  std::string method;
  size_t runs_used = 0;
  std::vector<std::string> notes;  // the runs' notes, each once
};

// Runs that did exactly the job (not extrapolated) win over extrapolations when both exist.
// One run: its own interval. Several: their mean, with the larger of two standard errors: the
// spread between the runs, s / sqrt(n) (df n - 1), and the runs' own errors combined,
// sqrt(sum se_i^2) / n (Welch-Satterthwaite df). The interval's lower end is 0 (no lower bound,
// with a note) when it would reach zero or below. With both kinds, the extrapolated runs are checked
// against the measured figure (a note when it lies outside their interval and 5% away). Jobs that
// are not available are ignored.
ConfigEstimate combine_job_estimates(const std::vector<JobEstimate>& jobs);

}  // namespace lb::analysis
