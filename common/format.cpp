#include "common/format.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace lb {

std::string format_significant(double value, int digits) {
  if (!std::isfinite(value)) return std::isnan(value) ? "n/a" : (value > 0 ? "inf" : "-inf");
  if (value == 0) return "0";
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  char buf[64];
  if (magnitude < -6 || magnitude >= 15) {
    std::snprintf(buf, sizeof buf, "%.*g", digits, value);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.*f", std::max(0, digits - 1 - magnitude), value);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s;
}

std::string format_fixed(double value, int decimals) {
  char buf[400];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

double round_significant(double value, int digits) {
  if (!std::isfinite(value) || value == 0) return value;
  const double scale = std::pow(10.0, digits - 1 - std::floor(std::log10(std::fabs(value))));
  return std::round(value * scale) / scale;
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds)) return format_significant(seconds, 3);
  struct Unit { double from_s; double size_s; const char* name; };
  // A unit is used from 1 of it upward, except that hours run to 2 days: "36 h" reads better
  // than "1.5 d" for a training job.
  static const Unit units[] = {
      {172800, 86400, "d"}, {3600, 3600, "h"}, {60, 60, "min"}, {1, 1, "s"}, {1e-3, 1e-3, "ms"}};
  for (const Unit& u : units) {
    if (std::fabs(seconds) >= u.from_s) return format_significant(seconds / u.size_s, 3) + " " + u.name;
  }
  return format_significant(seconds * 1e3, 3) + " ms";
}

std::string format_speedup(double speedup) {
  if (!std::isfinite(speedup)) return "n/a";
  if (speedup < 100) return format_significant(speedup, 3) + "\u00d7";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", std::round(speedup));
  std::string digits = buf, grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped + "\u00d7";
}

std::string speedup_label(double speedup, bool is_baseline) {
  if (is_baseline) return "baseline";
  if (speedup < 1) return format_speedup(speedup) + " (slower)";
  return format_speedup(speedup) + " faster";
}

std::string format_energy(double joules) {
  if (!std::isfinite(joules)) return format_significant(joules, 3);
  const double a = std::fabs(joules);
  if (a < 3600) return format_significant(joules, 3) + " J";
  if (a < 3.6e6) return format_significant(joules / 3600, 3) + " Wh";
  if (a < 3.6e9) return format_significant(joules / 3.6e6, 3) + " kWh";
  return format_significant(joules / 3.6e9, 3) + " MWh";
}

std::string format_co2(double grams) {
  if (!std::isfinite(grams)) return format_significant(grams, 3);
  const double a = std::fabs(grams);
  if (a < 1000) return format_significant(grams, 3) + " g";
  if (a < 1e6) return format_significant(grams / 1000, 3) + " kg";
  return format_significant(grams / 1e6, 3) + " t";
}

std::string format_count(double value) {
  if (!std::isfinite(value) || std::fabs(value) < 1000) return format_significant(value, 3);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", std::round(std::fabs(value)));
  std::string digits = buf, grouped = value < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  return grouped;
}

std::string format_bytes(double bytes) {
  const double gib = 1024.0 * 1024.0 * 1024.0;
  if (std::isfinite(bytes) && std::fabs(bytes) < gib) return format_significant(bytes / (1024.0 * 1024.0), 3) + " MiB";
  return format_significant(bytes / gib, 3) + " GiB";
}

std::string format_percent(double fraction, int decimals) {
  const double p = fraction * 100;
  if (decimals >= 0) return format_percent_value(p, decimals);
  if (std::isfinite(p) && std::fabs(p) < 10) return format_percent_value(p, 1);
  return format_significant(std::round(p), 3) + "%";
}

std::string format_percent_value(double percent, int decimals) { return format_fixed(percent, decimals) + "%"; }

std::string format_power(double watts) {
  if (std::isfinite(watts) && std::fabs(watts) >= 1000) return format_significant(watts / 1000, 3) + " kW";
  return format_significant(watts, 3) + " W";
}

std::string format_flops(double flops_per_s) {
  static const char* const units[] = {"FLOP/s", "kFLOP/s", "MFLOP/s", "GFLOP/s", "TFLOP/s", "PFLOP/s"};
  int u = 0;
  while (std::fabs(flops_per_s) >= 1000 && u < 5) {
    flops_per_s /= 1000;
    ++u;
  }
  return format_significant(flops_per_s, 3) + " " + units[u];
}

std::string format_progress(double percent) {
  // Rounded down: a run at 99.7% has not finished and must not read "100%".
  if (percent >= 1 || percent <= 0) return format_significant(std::floor(percent), 3) + "%";
  return format_significant(percent, 2) + "%";
}

namespace {

bool continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Byte offset after the first `chars` code points of `text`.
std::size_t byte_offset(const std::string& text, std::size_t chars) {
  std::size_t i = 0;
  for (std::size_t n = 0; i < text.size(); ++i) {
    if (!continuation_byte(text[i]) && n++ == chars) break;
  }
  return i;
}

}  // namespace

std::size_t display_chars(const std::string& text) {
  std::size_t n = 0;
  for (char c : text) n += !continuation_byte(c);
  return n;
}

std::vector<std::string> wrap_words(const std::string& text, std::size_t max_chars) {
  std::vector<std::string> lines;
  std::string line, word;
  const auto flush_word = [&] {
    while (display_chars(word) > max_chars) {  // a word longer than a line is split
      if (!line.empty()) lines.push_back(std::move(line)), line.clear();
      const std::size_t cut = byte_offset(word, max_chars);
      lines.push_back(word.substr(0, cut));
      word.erase(0, cut);
    }
    if (word.empty()) return;
    if (!line.empty() && display_chars(line) + 1 + display_chars(word) > max_chars) {
      lines.push_back(std::move(line));
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    word.clear();
  };
  for (char c : text) {
    if (c == ' ' || c == '\n') flush_word();
    else word += c;
  }
  flush_word();
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

std::string shorten(const std::string& text, std::size_t max_chars) {
  if (max_chars == 0 || display_chars(text) <= max_chars) return text;
  return text.substr(0, byte_offset(text, max_chars - 1)) + "\u2026";
}

std::string utc_now(const char* format) {
  const std::time_t t = std::time(nullptr);
  std::tm tm = {};
  gmtime_r(&t, &tm);
  char buf[64];
  return std::strftime(buf, sizeof buf, format, &tm) ? std::string(buf) : std::string();
}

}  // namespace lb
