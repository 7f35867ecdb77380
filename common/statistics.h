// The median's 95% interval, defined once: the harness's adaptive stop decides with it
// (harness/train/adaptive_stop.h) and analyze reports it (the repetitions, the median step time).
#pragma once

#include <cstddef>
#include <vector>

namespace lb {

// A distribution-free 95% interval for the median from order statistics: with the values sorted,
// [x_(l), x_(n+1-l)] (1-based) for the largest l with P(Bin(n, 1/2) <= l - 1) <= 0.025, so the
// coverage is at least 95% whatever the distribution. It exists from n = 6 on; below that
// `available` is false. Exact binomial sums up to n = 200, the normal approximation of the
// binomial above (l = floor(n / 2 - 0.98 sqrt(n)), which rounds towards a wider interval).
struct MedianInterval {
  bool available = false;
  std::size_t n = 0;
  double median = 0;
  double lo = 0, hi = 0;        // equal to the median when !available
  std::size_t rank_lo = 0;      // l (1-based), 0 when !available
  // The larger side relative to the median, max(median - lo, hi - median) / median: the interval
  // lies within this fraction of the median on both sides. NaN when !available or median <= 0.
  double relative_half_width = 0;
};

// The order-statistic index l above for n values (0 when n < 6).
std::size_t median_interval_rank(std::size_t n);

// Reorders `values` (partial sorts only: linear in n).
MedianInterval median_interval95_inplace(std::vector<double>& values);
MedianInterval median_interval95(std::vector<double> values);

}  // namespace lb
