// Numbers as the reports, the charts and the harness print them: durations in the unit a reader
// thinks in, speedups with a multiplication sign, energies, power, percentages. One place, so all
// say the same: one formatter per kind, and no private copies beside it (summary.md, the chart
// labels, the terminal and the harness's log all call these).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace lb {

// `digits` significant digits, trailing zeros dropped: (0.012345, 3) -> "0.0123", (120, 3) -> "120",
// (4494, 3) -> "4494" (never "4.49e+03"); exponent notation only outside 1e-6..1e15 ("1e+300").
std::string format_significant(double value, int digits);

// Exactly `decimals` decimals: (3.14159, 2) -> "3.14", (97.0, 1) -> "97.0".
std::string format_fixed(double value, int decimals);

// Value rounded to `digits` significant digits (for compact JSON; 0 and non-finite unchanged).
double round_significant(double value, int digits);

// "850 ms", "12.3 s", "4.5 min", "2.15 h", "3.4 d" (3 significant digits).
std::string format_duration(double seconds);

// The one speedup style of every view (summary.md, chart labels, the terminal): 3 significant
// digits below 100, whole numbers with thousands separators from 100 up, and a multiplication
// sign: "1,234×", "12.3×", "1×", "0.45×"; "n/a" when not finite.
std::string format_speedup(double speedup);

// The bar label: "baseline" for the baseline bar, "12.3× faster", "0.45× (slower)".
std::string speedup_label(double speedup, bool is_baseline);

// Energy in joules as a reader says it: "850 J", "12.3 Wh", "4.56 kWh", "1.23 MWh".
std::string format_energy(double joules);

// Mass of CO2e in grams: "850 g", "12.3 kg", "4.56 t".
std::string format_co2(double grams);

// A count of billing units or similar: "0.0123", "12.3", "1,234".
std::string format_count(double value);

// Bytes in GiB (MiB below 1 GiB): "512 MiB", "12.3 GiB".
std::string format_bytes(double bytes);

// Fraction 0..1 -> "87%" (one decimal below 10%); with `decimals` >= 0 exactly that many:
// (0.8734, 0) -> "87%", (0.8734, 1) -> "87.3%".
std::string format_percent(double fraction, int decimals = -1);

// A figure already in percent, such as an accuracy: (87.34) -> "87.3%", (87.34, 0) -> "87%".
std::string format_percent_value(double percent, int decimals = 1);

// Power: "850 W", "12.3 kW" (3 significant digits).
std::string format_power(double watts);

// A rate of floating-point operations, 3 significant digits: "812 GFLOP/s", "250 TFLOP/s".
std::string format_flops(double flops_per_s);

// Progress in percent 0..100, rounded down -> "54%", "0.42%", "0.0031%" (2 significant digits
// below 1%).
std::string format_progress(double percent);

// Characters as a reader counts them (UTF-8 code points), for sizing labels.
std::size_t display_chars(const std::string& text);

// Lines of at most `max_chars` characters, broken at spaces where possible (a longer word is
// split). Used for legend entries, which Plotly does not wrap.
std::vector<std::string> wrap_words(const std::string& text, std::size_t max_chars);

// `text` cut to `max_chars` characters with a trailing "…" when it is longer.
std::string shorten(const std::string& text, std::size_t max_chars);

// The current UTC time through strftime's format; by default ISO 8601 ("2026-11-24T07:00:00Z").
std::string utc_now(const char* format = "%Y-%m-%dT%H:%M:%SZ");

}  // namespace lb
