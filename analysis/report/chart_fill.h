// Translates the comparison into the data the chart writers draw (charts/chart_data.h).
#pragma once

#include <string>
#include <vector>

#include "analysis/compare/comparison.h"
#include "charts/chart_data.h"

namespace lb::analysis {

// Bars: comparable configurations, slowest first. Provenance: imported wins over extrapolated
// (an imported extrapolation says so in its details and warnings). Scaling: in the unit of the
// first scaled configuration, measured ones first: GPUs when it scales against 1 GPU, else nodes.
// The data is always drawable (what write_all checks): an interval end the measurements do not
// bound is drawn at the estimate and named in the bar's warnings; items that cannot be drawn at
// all (no speedup, a non-positive time) are left out and named in `problems` (also appended to
// the chart warnings).
lb::charts::ChartData to_chart_data(const Comparison& cmp, std::vector<std::string>& problems);
lb::charts::ChartData to_chart_data(const Comparison& cmp);

}  // namespace lb::analysis
