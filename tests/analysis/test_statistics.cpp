// Statistics against values computed by hand (and Student's t tables).
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/compare/statistics.h"

using namespace lb::analysis;

TEST(Statistics, MeanAndSampleVariance) {
  const std::vector<double> v = {2, 4, 4, 4, 5, 5, 7, 9};
  EXPECT_DOUBLE_EQ(mean(v), 5.0);
  EXPECT_NEAR(sample_variance(v), 32.0 / 7.0, 1e-12);
  EXPECT_TRUE(std::isnan(sample_variance({3.0})));
  EXPECT_TRUE(std::isnan(mean({})));
}

TEST(Statistics, StudentTQuantilesMatchTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.7062047, 1e-6);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.30265273, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.77644511, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 10), 2.22813885, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.04227246, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.95, 5), 2.01504837, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.025, 10), -2.22813885, 1e-7);
  EXPECT_NEAR(student_t_quantile(0.975, INFINITY), 1.95996398, 1e-7);
  EXPECT_NEAR(normal_quantile(0.975), 1.95996398, 1e-7);
  // Non-integer degrees of freedom (Welch-Satterthwaite) lie between their neighbours.
  const double t = student_t_quantile(0.975, 11.077);
  EXPECT_LT(t, student_t_quantile(0.975, 11));
  EXPECT_GT(t, student_t_quantile(0.975, 12));
  EXPECT_THROW(student_t_quantile(1.0, 3), std::invalid_argument);
  EXPECT_THROW(student_t_quantile(0.9, 0), std::invalid_argument);
}

TEST(Statistics, MeanEstimateTInterval) {
  const Estimate e = mean_estimate({1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(e.value, 3.0);
  EXPECT_NEAR(e.std_error, std::sqrt(0.5), 1e-12);  // s^2 = 2.5, n = 5
  EXPECT_DOUBLE_EQ(e.df, 4.0);
  const Interval i = e.interval95();
  EXPECT_TRUE(i.has_interval);
  EXPECT_NEAR(i.lo, 3.0 - 2.77644511 * std::sqrt(0.5), 1e-6);
  EXPECT_NEAR(i.hi, 3.0 + 2.77644511 * std::sqrt(0.5), 1e-6);
  const Interval single = mean_estimate({7.0}).interval95();
  EXPECT_FALSE(single.has_interval);
  EXPECT_DOUBLE_EQ(single.lo, 7.0);
  EXPECT_DOUBLE_EQ(single.hi, 7.0);
}

TEST(Statistics, RatioEstimateOneBlockPerObservation) {
  // R = 12.5 / 6; residuals d = y - R x = -1/12, -1/6, 1/4; sum d^2 = 0.0972222...
  // se = sqrt(0.0972222 / (3 * 2)) / mean(x) = sqrt(0.0162037) / 2.
  const Estimate e = ratio_estimate({2, 4, 6.5}, {1, 2, 3});
  EXPECT_NEAR(e.value, 12.5 / 6.0, 1e-12);
  EXPECT_NEAR(e.std_error, std::sqrt((1.0 / 144 + 1.0 / 36 + 1.0 / 16) / 6.0) / 2.0, 1e-12);
  EXPECT_DOUBLE_EQ(e.df, 2.0);
  EXPECT_EQ(e.n, 3u);
}

TEST(Statistics, RatioEstimateBatchMeans) {
  // Two blocks {1,1} and {3,3} of unit samples: block sums Y = 2, 6, X = 2, 2; R = 2;
  // residuals -2, 2; se = sqrt(8 / (2 * 1)) / 2 = 1; df = 1.
  const Estimate e = ratio_estimate({1, 1, 3, 3}, {1, 1, 1, 1}, 2);
  EXPECT_DOUBLE_EQ(e.value, 2.0);
  EXPECT_NEAR(e.std_error, 1.0, 1e-12);
  EXPECT_DOUBLE_EQ(e.df, 1.0);
  // Blocks absorb a drift that per-step errors would call noise: the same data step by step has
  // a smaller error (sqrt(4 / 12) / 1).
  const Estimate per_step = ratio_estimate({1, 1, 3, 3}, {1, 1, 1, 1}, 30);
  EXPECT_NEAR(per_step.std_error, std::sqrt(4.0 / 12.0), 1e-12);
  // Uneven blocks: 5 observations in 2 blocks are split 2 + 3.
  const Estimate uneven = ratio_estimate({1, 1, 2, 2, 2}, {1, 1, 1, 1, 1}, 2);
  EXPECT_DOUBLE_EQ(uneven.value, 8.0 / 5.0);
  const double r = 1.6, d1 = 2 - r * 2, d2 = 6 - r * 3;
  EXPECT_NEAR(uneven.std_error, std::sqrt((d1 * d1 + d2 * d2) / 2.0) / 2.5, 1e-12);
}

TEST(Statistics, RatioEstimateWithoutSpread) {
  const Estimate one = ratio_estimate({5.0}, {2.0});
  EXPECT_DOUBLE_EQ(one.value, 2.5);
  EXPECT_FALSE(one.has_error());
  const Estimate flat = ratio_estimate({1, 1, 1}, {2, 2, 2});
  EXPECT_DOUBLE_EQ(flat.std_error, 0.0);
  EXPECT_TRUE(flat.has_error());
}

TEST(Statistics, WeightedSumWelchSatterthwaite) {
  Estimate a;
  a.value = 3;
  a.std_error = 0.5;
  a.df = 4;
  a.n = 5;
  Estimate b;
  b.value = 1;
  b.std_error = 1;
  b.df = 9;
  b.n = 10;
  Estimate point;
  point.value = 10;
  point.std_error = NAN;
  const Estimate s = weighted_sum({{2, a}, {1, b}, {1, point}});
  EXPECT_DOUBLE_EQ(s.value, 17.0);
  EXPECT_NEAR(s.std_error, std::sqrt(2.0), 1e-12);  // 4 * 0.25 + 1
  EXPECT_NEAR(s.df, 4.0 / (1.0 / 4.0 + 1.0 / 9.0), 1e-9);
  EXPECT_FALSE(weighted_sum({{1, point}}).has_error());
}

TEST(Statistics, LinearFitWithRSquared) {
  // Hand computation: slope 10.75 / 5 = 2.15, intercept 6.125 - 2.15 * 2.5 = 0.75,
  // residuals 0.1, -0.05, -0.2, 0.15 -> SS_res 0.075; SS_tot 23.1875.
  const LinearFit f = fit_line({1, 2, 3, 4}, {3, 5, 7, 9.5});
  ASSERT_TRUE(f.valid);
  EXPECT_NEAR(f.slope, 2.15, 1e-12);
  EXPECT_NEAR(f.intercept, 0.75, 1e-12);
  EXPECT_NEAR(f.r_squared, 1.0 - 0.075 / 23.1875, 1e-12);
  EXPECT_NEAR(f.predict(10), 22.25, 1e-12);
  EXPECT_EQ(f.distinct_x, 4u);

  const LinearFit two = fit_line({100, 200}, {1.5, 2.5});
  ASSERT_TRUE(two.valid);
  EXPECT_DOUBLE_EQ(two.r_squared, 1.0);
  EXPECT_NEAR(two.intercept, 0.5, 1e-12);

  EXPECT_FALSE(fit_line({5, 5, 5}, {1, 2, 3}).valid);
}

TEST(Statistics, RatioIntervalIsConservative) {
  const Interval r = ratio_interval({100, 90, 110, true}, {10, 8, 12.5, true});
  EXPECT_DOUBLE_EQ(r.value, 10.0);
  EXPECT_DOUBLE_EQ(r.lo, 7.2);
  EXPECT_DOUBLE_EQ(r.hi, 13.75);
  const Interval unbounded = ratio_interval({100, 90, 110, true}, {10, -1, 21, true});
  EXPECT_TRUE(std::isinf(unbounded.hi));
  EXPECT_NEAR(unbounded.lo, 90.0 / 21.0, 1e-12);
  const Interval p = ratio_interval(Interval::point(6), Interval::point(3));
  EXPECT_FALSE(p.has_interval);
  EXPECT_DOUBLE_EQ(p.lo, 2.0);
}

// A time is positive: a t interval reaching zero or below has no lower bound (lo 0), and that
// is what is reported, not a negative number.
TEST(Statistics, PositiveIntervalHasNoLowerBoundInsteadOfANegativeOne) {
  Estimate e;
  e.value = 10;
  e.std_error = 1;
  e.df = 1;  // half-width t(0.975, 1) = 12.706
  EXPECT_LT(e.interval95().lo, 0.0);
  const Interval i = e.positive_interval95();
  EXPECT_TRUE(i.has_interval);
  EXPECT_EQ(i.lo, 0.0);
  EXPECT_FALSE(i.has_lower());
  EXPECT_TRUE(i.has_upper());
  EXPECT_NEAR(i.hi, 10 + 12.7062047, 1e-6);
  e.df = 30;
  const Interval bounded = e.positive_interval95();
  EXPECT_TRUE(bounded.has_lower());
  EXPECT_DOUBLE_EQ(bounded.lo, e.interval95().lo);
  EXPECT_FALSE(Interval::point(3).has_lower());  // a point has no interval at all
}

TEST(Statistics, RatioOfIntervalsKeepsMissingEndsMissing) {
  const Interval no_lower{10, 0, 20, true};
  const Interval bounded{5, 4, 6, true};
  const Interval s = ratio_interval(no_lower, bounded);  // a speedup over a baseline without lower bound
  EXPECT_DOUBLE_EQ(s.value, 2.0);
  EXPECT_FALSE(s.has_lower());
  EXPECT_TRUE(s.has_upper());
  EXPECT_DOUBLE_EQ(s.hi, 5.0);
  const Interval inverse = ratio_interval(bounded, no_lower);
  EXPECT_DOUBLE_EQ(inverse.lo, 0.2);
  EXPECT_FALSE(inverse.has_upper());
  const Interval neither = ratio_interval(no_lower, no_lower);
  EXPECT_FALSE(neither.has_lower());
  EXPECT_FALSE(neither.has_upper());
  const Interval no_upper{10, 5, INFINITY, true};
  EXPECT_FALSE(ratio_interval(bounded, no_upper).has_lower());
  EXPECT_FALSE(ratio_interval(no_upper, bounded).has_upper());
  EXPECT_DOUBLE_EQ(ratio_interval(no_upper, bounded).lo, 5.0 / 6.0);
}
