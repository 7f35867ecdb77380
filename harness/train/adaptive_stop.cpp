#include "harness/train/adaptive_stop.h"

#include <algorithm>
#include <cmath>

namespace lb {

std::optional<MedianInterval> median_interval_95(std::vector<double> v) {
  const auto n = v.size();
  if (n < 6) return std::nullopt;
  std::sort(v.begin(), v.end());
  const double dn = double(n);
  // 1-based ranks j and k with P(x_(j) <= median <= x_(k)) ~ 0.95.
  const auto j = std::max<long>(1, long(std::floor((dn - 1.96 * std::sqrt(dn)) / 2.0)));
  const auto k = std::min<long>(long(n), long(std::ceil(1.0 + (dn + 1.96 * std::sqrt(dn)) / 2.0)));
  MedianInterval r;
  r.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  r.lower = v[size_t(j - 1)];
  r.upper = v[size_t(k - 1)];
  r.relative_half_width = r.median > 0 ? (r.upper - r.lower) / 2.0 / r.median : INFINITY;
  return r;
}

bool adaptive_target_reached(const std::vector<double>& times, double target, int min_steps) {
  if (int(times.size()) < min_steps) return false;
  const auto ci = median_interval_95(times);
  return ci && ci->relative_half_width <= target;
}

}  // namespace lb
