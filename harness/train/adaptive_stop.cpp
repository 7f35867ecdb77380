#include "harness/train/adaptive_stop.h"

namespace lb {

std::optional<MedianInterval> median_interval_95(std::vector<double> values) {
  MedianInterval m = median_interval95_inplace(values);
  if (!m.available) return std::nullopt;
  return m;
}

bool adaptive_target_reached(const std::vector<double>& times, double target, int min_steps) {
  if (static_cast<int>(times.size()) < min_steps) return false;
  const auto ci = median_interval_95(times);
  return ci && ci->relative_half_width <= target;
}

}  // namespace lb
