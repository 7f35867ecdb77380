// A hand-written ChartData with every case the charts must handle: measured, extrapolated and
// imported bars, the headline's bar and one the headline rules out (with why), a configuration of
// unknown placement, a projected accuracy curve, scaling points, and a run whose name is markup
// (`<img src=x onerror=alert(1)>`) that must show as text. Illustrative numbers, said so in the
// job description, used by the tests and for the pictures in docs/charts.md.
#pragma once

#include "charts/chart_data.h"

namespace lb::charts::demo {

// The run name that must never become markup.
inline constexpr const char* kXssName = "<img src=x onerror=alert(1)>";
// Why the 4-node configuration is not in the headline (its bar, scaling point and energy row).
inline constexpr const char* kBelowBar = "below the quality bar: 61.0% < 80.0%";

ChartData fixture();

}  // namespace lb::charts::demo
