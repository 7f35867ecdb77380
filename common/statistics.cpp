#include "common/statistics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lb {

std::size_t median_interval_rank(std::size_t n) {
  if (n < 6) return 0;
  if (n > 200) {
    const double l = std::floor(static_cast<double>(n) / 2.0 - 0.98 * std::sqrt(static_cast<double>(n)));
    return l < 1 ? 1 : static_cast<std::size_t>(l);
  }
  // Largest l with P(B <= l - 1) <= 0.025, B ~ Bin(n, 1/2).
  double log_p = -static_cast<double>(n) * std::log(2.0);  // P(B = 0)
  double cdf = 0;
  std::size_t l = 0;
  for (std::size_t i = 0; i < n; ++i) {
    cdf += std::exp(log_p);  // P(B <= i)
    if (cdf > 0.025) break;
    l = i + 1;
    log_p += std::log(static_cast<double>(n - i)) - std::log(static_cast<double>(i + 1));
  }
  return l;
}

MedianInterval median_interval95_inplace(std::vector<double>& values) {
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  MedianInterval m;
  m.n = values.size();
  m.relative_half_width = kNaN;
  if (m.n == 0) {
    m.median = m.lo = m.hi = kNaN;
    return m;
  }
  // One partition at the middle, then each order statistic within its own half.
  const std::size_t n = m.n;
  const auto mid = values.begin() + static_cast<std::ptrdiff_t>(n / 2);
  std::nth_element(values.begin(), mid, values.end());
  const double upper = *mid;
  m.median = n % 2 == 1 ? upper : 0.5 * (*std::max_element(values.begin(), mid) + upper);
  m.lo = m.hi = m.median;
  const std::size_t l = median_interval_rank(n);
  if (l == 0) return m;
  // x_(l) and x_(n+1-l), 1-based: indices l - 1 (< n / 2) and n - l (>= n / 2).
  const auto lo = values.begin() + static_cast<std::ptrdiff_t>(l - 1);
  const auto hi = values.begin() + static_cast<std::ptrdiff_t>(n - l);
  std::nth_element(values.begin(), lo, mid);
  m.lo = *lo;
  if (hi == mid) {
    m.hi = upper;
  } else {
    std::nth_element(mid + 1, hi, values.end());
    m.hi = *hi;
  }
  m.available = true;
  m.rank_lo = l;
  if (m.median > 0) m.relative_half_width = std::max(m.median - m.lo, m.hi - m.median) / m.median;
  return m;
}

MedianInterval median_interval95(std::vector<double> values) { return median_interval95_inplace(values); }

}  // namespace lb
