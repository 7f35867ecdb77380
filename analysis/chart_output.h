// Hands the comparison to the chart writers when they are built (target lb_charts).
#pragma once

#include <string>
#include <vector>

#include "analysis/comparison.h"

namespace lb::analysis {

struct ChartOutcome {
  std::vector<std::string> written;
  std::vector<std::string> messages;
};

// Throws std::runtime_error (naming the file) when a chart cannot be written.
ChartOutcome write_charts(const Comparison& cmp, const std::string& out_dir, bool static_images);

}  // namespace lb::analysis
