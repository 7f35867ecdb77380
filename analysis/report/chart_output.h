// Hands the comparison to the chart writers when they are built (target lb_charts).
#pragma once

#include <string>
#include <vector>

#include "analysis/compare/comparison.h"

namespace lb::charts {
struct ChartData;
}

namespace lb::analysis {

struct ChartOutcome {
  std::vector<std::string> written;
  std::vector<std::string> messages;  // the writers' notes (gnuplot missing, a chart without data)
  std::vector<std::string> problems;  // charts or items that could not be drawn: a partial result
};

// Writes every chart it can. Items that cannot be drawn are left out and named in `problems`; if
// the writers still refuse the data, each chart group (comparison, accuracy, scaling) is written on
// its own, so one bad item never stops the others. Throws std::runtime_error (naming the file) only
// when a chart file cannot be written.
ChartOutcome write_charts(const Comparison& cmp, const std::string& out_dir, bool static_images);

// The second half of write_charts: data as filled, with the per-group fallback.
ChartOutcome write_chart_data(const lb::charts::ChartData& data, const std::string& out_dir, bool static_images);

// Whether this analyze was built with the chart writers.
bool charts_built();

}  // namespace lb::analysis
