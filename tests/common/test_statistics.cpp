// The median's 95% interval (common/statistics.h), the one figure the harness's adaptive stop
// decides with and analyze reports: its order-statistic ranks by hand, and against a full sort.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "common/statistics.h"

namespace lb {
namespace {

TEST(Statistics, OrderStatisticIntervalOfTheMedian) {
  // Largest l with P(Bin(n, 1/2) <= l - 1) <= 0.025, by hand from the binomial sums.
  EXPECT_EQ(median_interval_rank(5), 0u);   // P(B = 0) = 1/32 > 0.025: no 95% interval
  EXPECT_EQ(median_interval_rank(6), 1u);   // 1/64 = 0.0156
  EXPECT_EQ(median_interval_rank(10), 2u);  // P(B <= 1) = 11/1024 = 0.0107, P(B <= 2) = 0.0547
  EXPECT_EQ(median_interval_rank(20), 6u);  // P(B <= 5) = 0.0207, P(B <= 6) = 0.0577
  EXPECT_EQ(median_interval_rank(100), 40u);  // P(B <= 39) = 0.0176, P(B <= 40) = 0.0284
  EXPECT_EQ(median_interval_rank(10000), 4902u);  // normal approximation: 5000 - 98
  EXPECT_EQ(median_interval_rank(201), 86u);      // floor(100.5 - 0.98 sqrt(201)) = floor(86.61)
  EXPECT_EQ(median_interval_rank(1000), 469u);    // floor(500 - 0.98 sqrt(1000)) = floor(469.01)
  const MedianInterval six = median_interval95({6, 1, 5, 2, 4, 3});
  ASSERT_TRUE(six.available);
  EXPECT_DOUBLE_EQ(six.median, 3.5);
  EXPECT_DOUBLE_EQ(six.lo, 1);  // l = 1: the whole range
  EXPECT_DOUBLE_EQ(six.hi, 6);
  std::vector<double> ten = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  const MedianInterval m = median_interval95(ten);
  EXPECT_DOUBLE_EQ(m.lo, 2);  // x_(2) and x_(9)
  EXPECT_DOUBLE_EQ(m.hi, 9);
  EXPECT_NEAR(m.relative_half_width, 3.5 / 5.5, 1e-12);
  EXPECT_FALSE(median_interval95({1, 2, 3}).available);
}

TEST(Statistics, OrderStatisticIntervalAgreesWithSorting) {
  // Against a full sort, for odd and even counts, with ties.
  for (size_t n : {6u, 7u, 10u, 51u, 200u, 201u, 1000u}) {
    std::vector<double> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = static_cast<double>((i * 7919) % 97) + (i % 3 == 0 ? 0.5 : 0.0);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const MedianInterval m = median_interval95(v);
    SCOPED_TRACE(n);
    ASSERT_TRUE(m.available);
    const double expected_median = n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    EXPECT_DOUBLE_EQ(m.median, expected_median);
    EXPECT_DOUBLE_EQ(m.lo, sorted[m.rank_lo - 1]);
    EXPECT_DOUBLE_EQ(m.hi, sorted[n - m.rank_lo]);
  }
}

TEST(Statistics, RelativeHalfWidthIsTheLargerSide) {
  // Sorted 1..5, 6, 20..23 around a median of 5.5: x_(2) = 2 and x_(9) = 22, so the upper side
  // (16.5) and not the mean of both sides ((3.5 + 16.5) / 2 = 10) bounds the interval.
  const MedianInterval m = median_interval95({1, 2, 3, 4, 5, 6, 20, 21, 22, 23});
  ASSERT_TRUE(m.available);
  EXPECT_DOUBLE_EQ(m.lo, 2);
  EXPECT_DOUBLE_EQ(m.hi, 22);
  EXPECT_NEAR(m.relative_half_width, 16.5 / 5.5, 1e-12);
  EXPECT_TRUE(std::isnan(median_interval95({1, 2, 3}).relative_half_width));
}

}  // namespace
}  // namespace lb
