// Why a configuration is as fast as it is: the shares of its steady step time spent waiting for
// data, computing and in exposed communication, its model FLOP/s against the matrix-product rate
// measured on its device, and the resulting label (docs/methodology.md, "Bound attribution").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/compare/comparison.h"

namespace lb::analysis {

// "data-bound" when the data-wait share is at least kBoundThreshold and not below the
// exposed-communication share; else "communication-bound" when that share is at least the
// threshold; else "compute-bound".
std::string bound_label(double data_wait_fraction, double comm_fraction);

// The label of one run (empty for runs without step records).
std::string run_bound_label(const RunMetrics& m);

// Pooled over the configuration's measured runs in the comparison (ratios of sums); nullopt
// when none has steady steps (imported configurations).
std::optional<BoundSummary> summarize_bound(const ConfigResult& c, const std::vector<RunAnalysis>& runs);

// Fills every configuration's bound.
void assess_bounds(Comparison& cmp);

}  // namespace lb::analysis
