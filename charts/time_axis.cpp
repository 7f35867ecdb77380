#include "charts/time_axis.h"

#include <algorithm>
#include <cmath>

#include "common/format.h"

namespace lb::charts {
namespace {

using Ticks = std::vector<std::pair<double, std::string>>;

const Ticks& coarse_ladder() {
  static const Ticks t = {
      {0.001, "1 ms"}, {0.01, "10 ms"}, {0.1, "100 ms"}, {1, "1 s"}, {10, "10 s"},
      {60, "1 min"}, {600, "10 min"}, {3600, "1 h"}, {86400, "1 d"},
      {864000, "10 d"}, {8640000, "100 d"}, {86400000, "1000 d"}};
  return t;
}

const Ticks& fine_ladder() {
  static const Ticks t = {
      {0.001, "1 ms"}, {0.002, "2 ms"}, {0.005, "5 ms"}, {0.01, "10 ms"}, {0.02, "20 ms"},
      {0.05, "50 ms"}, {0.1, "100 ms"}, {0.2, "200 ms"}, {0.5, "500 ms"}, {1, "1 s"},
      {2, "2 s"}, {5, "5 s"}, {10, "10 s"}, {20, "20 s"}, {60, "1 min"},
      {120, "2 min"}, {300, "5 min"}, {600, "10 min"}, {1200, "20 min"},
      {3600, "1 h"}, {7200, "2 h"}, {18000, "5 h"}, {36000, "10 h"}, {86400, "1 d"},
      {172800, "2 d"}, {432000, "5 d"}, {864000, "10 d"}, {1728000, "20 d"},
      {4320000, "50 d"}, {8640000, "100 d"}, {17280000, "200 d"}, {43200000, "500 d"},
      {86400000, "1000 d"}};
  return t;
}

Ticks inside(const Ticks& ladder, const LogRange& r) {
  Ticks out;
  for (const auto& t : ladder) {
    if (t.first >= r.lo && t.first <= r.hi) out.push_back(t);
  }
  return out;
}

}  // namespace

LogRange padded_log_range(double min_s, double max_s, double pad_below, double pad_above) {
  return {min_s / pad_below, max_s * pad_above};
}

std::vector<std::pair<double, std::string>> time_ticks(const LogRange& range) {
  Ticks coarse = inside(coarse_ladder(), range);
  if (coarse.size() >= 3) return coarse;
  return inside(fine_ladder(), range);
}

std::vector<std::pair<double, std::string>> quantity_ticks(const LogRange& range, Quantity q) {
  // Bases of the ladder: the unit's powers of ten, as values of the quantity.
  std::vector<double> decades;
  if (q == Quantity::Energy) {
    for (double j : {1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0, 1000.0}) decades.push_back(j);  // J, below 1 Wh
    for (int k = 0; k <= 12; ++k) decades.push_back(3600.0 * std::pow(10.0, k));     // 1 Wh upwards
  } else {
    for (int k = -6; k <= 15; ++k) decades.push_back(std::pow(10.0, k));
  }
  auto label = [q](double v) {
    switch (q) {
      case Quantity::Energy: return format_energy(v);
      case Quantity::Co2: return format_co2(v);
      case Quantity::Count: return format_count(v);
    }
    return format_count(v);
  };
  Ticks coarse, fine;
  for (double d : decades) {
    if (d >= range.lo && d <= range.hi) coarse.emplace_back(d, label(d));
    for (double m : {1.0, 2.0, 5.0}) {
      const double v = d * m;
      if (v >= range.lo && v <= range.hi && (q != Quantity::Energy || d != 1000.0 || m == 1.0)) fine.emplace_back(v, label(v));
    }
  }
  if (coarse.size() >= 2) return coarse;
  std::sort(fine.begin(), fine.end());
  fine.erase(std::unique(fine.begin(), fine.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
             fine.end());
  return fine.size() >= 2 ? fine : coarse;
}

std::vector<std::pair<double, std::string>> fit_ticks(const std::vector<std::pair<double, std::string>>& ticks,
                                                      const LogRange& range, double plot_px, double px_per_char) {
  const double px_per_decade = plot_px / std::log10(range.hi / range.lo);
  Ticks out;
  for (const auto& t : ticks) {
    if (!out.empty()) {
      const double apart = std::log10(t.first / out.back().first) * px_per_decade;
      const double need = (out.back().second.size() + t.second.size()) / 2.0 * px_per_char + 8;
      if (apart < need) continue;
    }
    out.push_back(t);
  }
  return out;
}

double log_axis_end_for_labels(double lo, double min_hi, const std::vector<AxisLabel>& labels,
                               double plot_px, double px_per_char) {
  // Each label needs log10(x) + width / (pixels per decade) <= log10(hi), and the pixels per
  // decade shrink as hi grows: a fixed-point iteration, which converges while the labels are
  // narrower than the plot.
  constexpr double kGapPx = 12;
  const double limit = std::log10(min_hi) + 10 * std::max(1.0, std::log10(min_hi / lo));
  double log_hi = std::log10(min_hi);
  for (int iteration = 0; iteration < 50; ++iteration) {
    const double px_per_decade = plot_px / (log_hi - std::log10(lo));
    double need = std::log10(min_hi);
    for (const AxisLabel& l : labels) {
      need = std::max(need, std::log10(l.x_s) + (l.chars * px_per_char + kGapPx) / px_per_decade);
    }
    if (need <= log_hi + 1e-9) break;
    log_hi = std::min(need, limit);
    if (log_hi == limit) break;
  }
  return std::pow(10.0, log_hi);
}

}  // namespace lb::charts
