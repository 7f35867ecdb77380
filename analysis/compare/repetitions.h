// Repetitions of a configuration (several runs: `harness --repeat N`, or several jobs), the
// harness's --repeat groups and its adaptive stopping decisions (docs/methodology.md,
// "Repetitions").
#pragma once

#include <vector>

#include "analysis/compare/comparison.h"

namespace lb::analysis {

// The runs whose estimates make the configuration's time (config_estimate.h): those that did the
// job exactly when there are any, else every run with an estimate.
std::vector<size_t> runs_used(const ConfigResult& c, const std::vector<RunAnalysis>& runs);

// Fills every configuration's repetitions and warns: spread too large for the interval to mean
// much, --repeat groups with runs missing or split over configurations, adaptive runs that ran
// out of steps before their interval reached the target.
void assess_repetitions(Comparison& cmp);

}  // namespace lb::analysis
