// Repetitions of a configuration (several runs: `harness --repeat N`, or several jobs), the
// harness's --repeat groups and its adaptive stopping decisions (docs/methodology.md,
// "Repetitions").
#pragma once

#include <vector>

#include "analysis/compare/comparison.h"

namespace lb::analysis {

// Spread of the job-time estimates that entered a configuration's time (those that did exactly
// the job when there are any, else the extrapolated ones, as the time itself).
RepetitionSummary summarize_repetitions(const ConfigResult& c, const std::vector<RunAnalysis>& runs);

// Fills every configuration's repetitions and warns: spread too large for the interval to mean
// much, --repeat groups with runs missing or split over configurations, adaptive runs that ran
// out of steps before their interval reached the target.
void assess_repetitions(Comparison& cmp);

}  // namespace lb::analysis
