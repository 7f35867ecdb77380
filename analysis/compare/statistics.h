// The statistics behind every interval analyze reports (the median's, shared with the harness, is
// common/statistics.h). Formulas: docs/methodology.md.
#pragma once

#include <algorithm>
#include <cstddef>
#include <map>
#include <vector>

#include "common/statistics.h"

namespace lb::analysis {

// A point estimate with a two-sided 95% interval. Without an interval lo == hi == value.
// Every interval analyze reports is of a positive quantity (a time, a speedup, an efficiency):
// lo == 0 then means "no lower bound" (the interval reached zero or below) and hi == +inf
// "no upper bound"; reports show such an end as missing, never as a number.
struct Interval {
  double value = 0;
  double lo = 0;
  double hi = 0;
  bool has_interval = false;

  static Interval point(double v) { return {v, v, v, false}; }
  bool has_lower() const;  // has_interval and 0 < lo < inf
  bool has_upper() const;  // has_interval and hi < inf
};

// An estimate with its standard error and the degrees of freedom that go with it.
// std_error is NaN when there is too little data for one (fewer than two observations or blocks).
struct Estimate {
  double value = 0;
  double std_error = 0;
  double df = 0;
  size_t n = 0;  // observations behind the estimate

  bool has_error() const;
  // value +- t(0.975, df) * std_error; a point when there is no error estimate.
  Interval interval95() const;
  // The same for a quantity that is positive by nature (a time): a lower end at or below zero
  // becomes 0, i.e. no lower bound. Coverage is kept: the true value is positive, so (0, hi]
  // contains it whenever [lo, hi] does.
  Interval positive_interval95() const;
};

double mean(const std::vector<double>& values);
// Unbiased (n - 1) sample variance; NaN for fewer than two values.
double sample_variance(const std::vector<double>& values);

// Quantile p of Student's t distribution with df degrees of freedom (df > 0, not necessarily an
// integer); the standard normal quantile when df is infinite.
double student_t_quantile(double p, double df);
double normal_quantile(double p);

// Mean of the values, standard error s / sqrt(n), df = n - 1.
Estimate mean_estimate(const std::vector<double>& values);

// Ratio sum(y) / sum(x) (seconds per sample from step times and step sizes) with a batch-means
// standard error: the observations are cut into k = min(n, max_blocks) contiguous blocks, and
//   se = sqrt( sum_j (Y_j - R X_j)^2 / (k (k - 1)) ) / mean_j(X_j),  df = k - 1,
// where Y_j, X_j are the block sums. Blocks absorb slow drifts (thermal throttling) that make
// neighbouring steps correlated; with k = n it is the classical ratio-estimator error.
Estimate ratio_estimate(const std::vector<double>& y, const std::vector<double>& x,
                        size_t max_blocks = 30);

// Sum of independent estimates (weights w_i: sum w_i * value_i), its standard error, and
// Welch-Satterthwaite degrees of freedom. Terms without an error estimate add their value only.
struct WeightedTerm {
  double weight;
  Estimate estimate;
};
Estimate weighted_sum(const std::vector<WeightedTerm>& terms);

// Ordinary least squares y = intercept + slope * x with the coefficient of determination R^2.
struct LinearFit {
  bool valid = false;  // needs at least two distinct x values
  size_t n = 0;
  size_t distinct_x = 0;
  double intercept = 0;
  double slope = 0;
  double r_squared = 0;  // 1 when the points lie on the line (always so for two distinct x)

  double predict(double x) const { return intercept + slope * x; }
};
LinearFit fit_line(const std::vector<double>& x, const std::vector<double>& y);

// Ratio of two positive quantities with intervals: num / den with the conservative bounds
// [num.lo / den.hi, num.hi / den.lo]. An end the inputs leave unbounded stays unbounded: the lower
// end is 0 when num has no lower or den no upper bound, the upper end +inf when num has no upper or
// den no lower bound.
Interval ratio_interval(const Interval& num, const Interval& den);

// The most frequent value, the smallest of equally frequent ones; T{} when empty.
template <class T>
T most_common(const std::vector<T>& values) {
  std::map<T, size_t> count;
  for (const T& v : values) ++count[v];
  const auto it = std::max_element(count.begin(), count.end(),
                                   [](const auto& a, const auto& b) { return a.second < b.second; });
  return it == count.end() ? T{} : it->first;
}

// Harmonic mean of rates (images/s, FLOP/s): n / sum(1 / x_i). The right mean of rates measured
// over the same work (Hoefler and Belli, rule 3). NaN when empty or when a rate is not positive.
double harmonic_mean(const std::vector<double>& rates);

// Weighted least squares without intercept for y = a x1 + b x2 (weights w), with a and b kept
// non-negative: a coefficient that comes out negative is set to 0 and the other refitted alone.
// `valid` needs at least two observations and a non-singular system (or a usable one-term refit).
struct TwoTermFit {
  bool valid = false;
  size_t n = 0;
  double a = 0, b = 0;
  double rms_relative_error = 0;  // sqrt(mean(((a x1 + b x2) - y) / y)^2) over y != 0
};
TwoTermFit fit_two_terms(const std::vector<double>& x1, const std::vector<double>& x2, const std::vector<double>& y,
                         const std::vector<double>& w);

}  // namespace lb::analysis
