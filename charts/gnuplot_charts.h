// The static charts as gnuplot scripts with their data files. analyze writes `<stem>.gp` and
// `<stem>.dat` next to the images, so `gnuplot <stem>.gp` in that directory re-renders
// `<stem>.png` and `<stem>.pdf` after a user restyles the script.
#pragma once

#include <string>

#include "charts/chart_data.h"

namespace lb::charts {

struct GnuplotChart {
  std::string script;  // <stem>.gp, reads <stem>.dat, writes <stem>.png then <stem>.pdf
  std::string data;    // <stem>.dat
};

// Time per configuration (log scale) as horizontal bars: measured solid, extrapolated hatched,
// imported outlined; 95% whiskers; speedup labels. Requires bars.
GnuplotChart comparison_gnuplot(const ChartData& data, const std::string& stem);

// Accuracy against time (log), projected curves dashed and labelled, efficiency side panel.
GnuplotChart accuracy_gnuplot(const ChartData& data, const std::string& stem);

// Speedup against nodes/GPUs with the ideal line and efficiency labels.
GnuplotChart scaling_gnuplot(const ChartData& data, const std::string& stem);

// Share of the steady step time per configuration as stacked horizontal bars (data wait, compute,
// exposed communication, other) with the bound label after each. Requires bounds.
GnuplotChart bound_gnuplot(const ChartData& data, const std::string& stem);

// Parallel efficiency against ranks: the scaling model's prediction (modelled: dash-dotted line,
// open diamonds) and the measured configurations (filled circles). Requires model.
GnuplotChart scaling_model_gnuplot(const ChartData& data, const std::string& stem);

// Time, energy, carbon and cost per configuration as four panels of horizontal bars sharing the
// rows, each on a log axis: measured solid, extrapolated hatched, imported outlined, modelled
// cross-hatched with the modelled colour as outline; 95% whiskers. Requires energy.
GnuplotChart energy_cost_gnuplot(const ChartData& data, const std::string& stem);

// Peak host and device memory per configuration, side by side, in GiB. Requires memory.
GnuplotChart memory_gnuplot(const ChartData& data, const std::string& stem);

}  // namespace lb::charts
