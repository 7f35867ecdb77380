// Log time axes with ticks a reader can say aloud ("10 min", "1 h", "1 d") instead of 10^3 s.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace lb::charts {

struct LogRange {
  double lo = 1, hi = 10;  // seconds, both > 0
};

// [min_s / pad, max_s * pad]; requires 0 < min_s <= max_s and pad >= 1.
LogRange padded_log_range(double min_s, double max_s, double pad_below, double pad_above);

// Ticks inside the range from a ladder of time units (1 s, 10 s, 1 min, 10 min, 1 h, 1 d, 10 d...);
// a finer ladder (1, 2, 5 of a unit, ticks at least a factor 2 apart) when the coarse one
// would give fewer than three.
std::vector<std::pair<double, std::string>> time_ticks(const LogRange& range);

// Other quantities on a log axis, with ticks in the units a reader uses: energy (joules, labelled
// J, Wh, kWh, MWh), CO2e (grams: g, kg, t) and counts (billing units).
enum class Quantity { Energy, Co2, Count };

// Ticks inside the range: powers of ten of the unit (1 Wh, 10 Wh, 100 Wh, 1 kWh...), with 2 and 5
// of them when that gives fewer than three.
std::vector<std::pair<double, std::string>> quantity_ticks(const LogRange& range, Quantity q);

// The ticks of a narrow log axis `plot_px` wide whose labels do not overlap: kept from the left
// while each label clears the previous one (`px_per_char` per character, 8 px apart).
std::vector<std::pair<double, std::string>> fit_ticks(const std::vector<std::pair<double, std::string>>& ticks,
                                                      const LogRange& range, double plot_px, double px_per_char);

// A text label drawn rightwards from x_s (seconds) on a log axis.
struct AxisLabel {
  double x_s;
  std::size_t chars;
};

// The upper end of a log axis from `lo` (at least `min_hi`) such that every label still ends
// inside a plot area `plot_px` wide, at `px_per_char` per character. Labels wider than the plot
// cannot fit; the axis then grows to about ten times its data range and stops.
double log_axis_end_for_labels(double lo, double min_hi, const std::vector<AxisLabel>& labels,
                               double plot_px, double px_per_char);

}  // namespace lb::charts
