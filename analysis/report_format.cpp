#include <cmath>
#include <cstdio>

#include "analysis/reports.h"

namespace lb::analysis {

std::string figure_kind(bool imported, bool extrapolated) {
  if (imported) return extrapolated ? "imported, extrapolated" : "imported";
  return extrapolated ? "extrapolated" : "measured";
}

std::string format_duration(double seconds) {
  char buf[64];
  if (!std::isfinite(seconds)) return "n/a";
  if (std::fabs(seconds) < 120) {
    std::snprintf(buf, sizeof buf, "%.1f s", seconds);
  } else if (std::fabs(seconds) < 7200) {
    std::snprintf(buf, sizeof buf, "%.1f min", seconds / 60.0);
  } else {
    std::snprintf(buf, sizeof buf, "%.2f h", seconds / 3600.0);
  }
  return buf;
}

}  // namespace lb::analysis
