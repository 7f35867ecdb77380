#include "analysis/compare/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>

namespace lb::analysis {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Continued fraction for the regularized incomplete beta function, evaluated with the modified
// Lentz method. Converges quickly for x < (a + 1) / (a + b + 2); the caller uses the symmetry
// I_x(a, b) = 1 - I_{1-x}(b, a) otherwise.
double beta_continued_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double result = d;
  // One step with the coefficient d_k: the factor it applies to the result.
  auto step = [&](double coeff) {
    d = 1.0 + coeff * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + coeff / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    return d * c;
  };
  for (int m = 1; m <= 10000; ++m) {
    const double m2 = 2.0 * m;
    // even step: d_{2m}
    result *= step(m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)));
    // odd step: d_{2m+1}
    const double delta = step(-(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)));
    result *= delta;
    if (std::fabs(delta - 1.0) < 1e-15) break;
  }
  return result;
}

double regularized_incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                           a * std::log(x) + b * std::log1p(-x);
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return std::exp(log_front) * beta_continued_fraction(a, b, x) / a;
  }
  return 1.0 - std::exp(log_front) * beta_continued_fraction(b, a, 1.0 - x) / b;
}

double student_t_cdf(double t, double df) {
  const double x = df / (df + t * t);
  const double tail = 0.5 * regularized_incomplete_beta(df / 2.0, 0.5, x);
  return t >= 0 ? 1.0 - tail : tail;
}

// Bisection: the CDFs are monotone, and 200 halvings reach double precision from any bracket.
template <class Cdf>
double invert_monotone(Cdf cdf, double p, double lo, double hi) {
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (cdf(mid) < p ? lo : hi) = mid;
    if (hi - lo <= 1e-14 * std::max(1.0, std::fabs(mid))) break;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

bool Interval::has_lower() const { return has_interval && lo > 0 && std::isfinite(lo); }
bool Interval::has_upper() const { return has_interval && std::isfinite(hi); }

bool Estimate::has_error() const { return std::isfinite(std_error) && df > 0; }

Interval Estimate::interval95() const {
  if (!has_error()) return Interval::point(value);
  const double half = student_t_quantile(0.975, df) * std_error;
  return {value, value - half, value + half, true};
}

Interval Estimate::positive_interval95() const {
  Interval i = interval95();
  if (i.has_interval && !(i.lo > 0)) i.lo = 0;
  return i;
}

double mean(const std::vector<double>& values) {
  if (values.empty()) return kNaN;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double sample_variance(const std::vector<double>& values) {
  if (values.size() < 2) return kNaN;
  const double m = mean(values);
  double ss = 0;
  for (double v : values) ss += (v - m) * (v - m);
  return ss / static_cast<double>(values.size() - 1);
}

double normal_quantile(double p) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("normal_quantile: p must lie in (0, 1)");
  auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  return invert_monotone(cdf, p, -40.0, 40.0);
}

double student_t_quantile(double p, double df) {
  if (!(p > 0 && p < 1)) throw std::invalid_argument("student_t_quantile: p must lie in (0, 1)");
  if (!(df > 0)) throw std::invalid_argument("student_t_quantile: df must be positive");
  if (std::isinf(df) || df > 1e7) return normal_quantile(p);
  if (p < 0.5) return -student_t_quantile(1.0 - p, df);
  // For df >= 0.5 and p < 1 - 1e-12 the quantile lies far below 1e8.
  return invert_monotone([df](double t) { return student_t_cdf(t, df); }, p, 0.0, 1e8);
}

Estimate mean_estimate(const std::vector<double>& values) {
  Estimate e;
  e.n = values.size();
  e.value = mean(values);
  if (e.n >= 2) {
    e.std_error = std::sqrt(sample_variance(values) / static_cast<double>(e.n));
    e.df = static_cast<double>(e.n - 1);
  } else {
    e.std_error = kNaN;
  }
  return e;
}

Estimate ratio_estimate(const std::vector<double>& y, const std::vector<double>& x,
                        size_t max_blocks) {
  if (y.size() != x.size()) throw std::invalid_argument("ratio_estimate: y and x differ in length");
  Estimate e;
  e.n = y.size();
  e.std_error = kNaN;
  if (y.empty()) {
    e.value = kNaN;
    return e;
  }
  const double sum_y = std::accumulate(y.begin(), y.end(), 0.0);
  const double sum_x = std::accumulate(x.begin(), x.end(), 0.0);
  e.value = sum_y / sum_x;
  const size_t k = std::min(y.size(), std::max<size_t>(max_blocks, 1));
  if (k < 2) return e;
  // Block j holds observations [j*n/k, (j+1)*n/k): sizes differ by at most one.
  double ss = 0;
  const size_t n = y.size();
  for (size_t j = 0; j < k; ++j) {
    double by = 0, bx = 0;
    for (size_t i = j * n / k; i < (j + 1) * n / k; ++i) {
      by += y[i];
      bx += x[i];
    }
    const double d = by - e.value * bx;
    ss += d * d;
  }
  const double mean_block_x = sum_x / static_cast<double>(k);
  e.std_error = std::sqrt(ss / (static_cast<double>(k) * static_cast<double>(k - 1))) / mean_block_x;
  e.df = static_cast<double>(k - 1);
  return e;
}

Estimate weighted_sum(const std::vector<WeightedTerm>& terms) {
  Estimate e;
  double variance = 0, df_denominator = 0;
  bool any_error = false;
  for (const auto& t : terms) {
    e.value += t.weight * t.estimate.value;
    e.n = std::max(e.n, t.estimate.n);
    if (t.estimate.has_error()) {
      any_error = true;
      const double v = t.weight * t.weight * t.estimate.std_error * t.estimate.std_error;
      variance += v;
      df_denominator += v * v / t.estimate.df;
    }
  }
  if (!any_error) {
    e.std_error = kNaN;
  } else {
    e.std_error = std::sqrt(variance);
    // Every error term exactly zero: the spread is zero, not unknown.
    e.df = df_denominator > 0 ? variance * variance / df_denominator
                              : std::numeric_limits<double>::infinity();
  }
  return e;
}

LinearFit fit_line(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) throw std::invalid_argument("fit_line: x and y differ in length");
  LinearFit fit;
  fit.n = x.size();
  fit.distinct_x = std::set<double>(x.begin(), x.end()).size();
  if (fit.distinct_x < 2) return fit;
  const double mx = mean(x), my = mean(y);
  double sxx = 0, sxy = 0, syy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) * (y[i] - my);
  }
  fit.slope = sxy / sxx;
  fit.intercept = my - fit.slope * mx;
  double ss_res = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double r = y[i] - fit.predict(x[i]);
    ss_res += r * r;
  }
  // All y equal: a flat line explains them completely.
  fit.r_squared = syy > 0 ? 1.0 - ss_res / syy : 1.0;
  fit.valid = true;
  return fit;
}

Interval ratio_interval(const Interval& num, const Interval& den) {
  Interval r;
  r.value = num.value / den.value;
  r.has_interval = num.has_interval || den.has_interval;
  // A bound missing on either side (lo 0, hi +inf) leaves the ratio's bound missing.
  r.lo = num.lo > 0 && std::isfinite(num.lo) ? num.lo / den.hi : 0.0;  // den.hi = +inf gives 0 too
  r.hi = den.lo > 0 && std::isfinite(den.lo) ? num.hi / den.lo : std::numeric_limits<double>::infinity();
  if (!r.has_interval) r.lo = r.hi = r.value;
  return r;
}

double harmonic_mean(const std::vector<double>& rates) {
  if (rates.empty()) return kNaN;
  double inverse = 0;
  for (double r : rates) {
    if (!(r > 0) || !std::isfinite(r)) return kNaN;
    inverse += 1.0 / r;
  }
  return static_cast<double>(rates.size()) / inverse;
}

TwoTermFit fit_two_terms(const std::vector<double>& x1, const std::vector<double>& x2, const std::vector<double>& y,
                         const std::vector<double>& w) {
  if (x1.size() != y.size() || x2.size() != y.size() || w.size() != y.size()) {
    throw std::invalid_argument("fit_two_terms: columns differ in length");
  }
  TwoTermFit f;
  f.n = y.size();
  if (f.n < 2) return f;
  double s11 = 0, s12 = 0, s22 = 0, s1y = 0, s2y = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    s11 += w[i] * x1[i] * x1[i];
    s12 += w[i] * x1[i] * x2[i];
    s22 += w[i] * x2[i] * x2[i];
    s1y += w[i] * x1[i] * y[i];
    s2y += w[i] * x2[i] * y[i];
  }
  const double det = s11 * s22 - s12 * s12;
  bool solved = false;
  if (std::fabs(det) > 1e-12 * std::max(1e-300, s11 * s22)) {
    f.a = (s1y * s22 - s2y * s12) / det;
    f.b = (s2y * s11 - s1y * s12) / det;
    solved = f.a >= 0 && f.b >= 0;
  }
  if (!solved) {
    // One term alone, the better of the two non-negative refits.
    const double a_only = s11 > 0 ? std::max(0.0, s1y / s11) : 0.0;
    const double b_only = s22 > 0 ? std::max(0.0, s2y / s22) : 0.0;
    auto loss = [&](double a, double b) {
      double l = 0;
      for (size_t i = 0; i < y.size(); ++i) {
        const double r = a * x1[i] + b * x2[i] - y[i];
        l += w[i] * r * r;
      }
      return l;
    };
    if (s11 <= 0 && s22 <= 0) return f;
    if (s22 <= 0 || (s11 > 0 && loss(a_only, 0) <= loss(0, b_only))) {
      f.a = a_only;
      f.b = 0;
    } else {
      f.a = 0;
      f.b = b_only;
    }
  }
  double ss = 0;
  size_t used = 0;
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] == 0) continue;
    const double r = (f.a * x1[i] + f.b * x2[i] - y[i]) / y[i];
    ss += r * r;
    ++used;
  }
  f.rms_relative_error = used > 0 ? std::sqrt(ss / static_cast<double>(used)) : 0.0;
  f.valid = true;
  return f;
}

}  // namespace lb::analysis
