// Translates the comparison into the data the chart writers draw (charts/chart_data.h).
#pragma once

#include "analysis/comparison.h"
#include "charts/chart_data.h"

namespace lb::analysis {

// Bars: comparable configurations, slowest first. Provenance: imported wins over extrapolated
// (an imported extrapolation says so in its details and warnings). Scaling: against 1 GPU when a
// measured (else any) family has a 1-GPU configuration, else against 1 node.
lb::charts::ChartData to_chart_data(const Comparison& cmp);

}  // namespace lb::analysis
