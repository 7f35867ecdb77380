#include "harness/energy/counter_text.h"

#include <cctype>
#include <limits>
#include <sstream>
#include <vector>

namespace lb::energy {
namespace {

std::vector<std::string> words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> w;
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

bool to_u64(const std::string& s, std::uint64_t* out) {
  if (s.empty() || s.size() > 20) return false;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    const std::uint64_t d = std::uint64_t(c - '0');
    if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return false;
    v = v * 10 + d;
  }
  *out = v;
  return true;
}

std::string quoted(const std::string& text) {
  std::string t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  if (t.size() > 60) t = t.substr(0, 60) + "...";
  return "'" + t + "'";
}

ParsedValue malformed(const std::string& text, const std::string& expected) {
  ParsedValue p;
  p.error = "malformed content " + quoted(text) + " (expected '" + expected + "')";
  return p;
}

}  // namespace

ParsedValue parse_unsigned(const std::string& text) {
  const auto w = words(text);
  ParsedValue p;
  if (w.size() != 1 || !to_u64(w[0], &p.value)) return malformed(text, "<integer>");
  p.ok = true;
  return p;
}

ParsedValue parse_with_unit(const std::string& text, const std::string& unit) {
  const auto w = words(text);
  const std::string expected = "<integer> " + unit;
  ParsedValue p;
  const bool with_timestamp = w.size() == 4 && w[3] == "us";
  if (!(w.size() == 2 || with_timestamp) || !to_u64(w[0], &p.value) || w[1] != unit) return malformed(text, expected);
  std::uint64_t ts = 0;
  if (with_timestamp && !to_u64(w[2], &ts)) return malformed(text, expected + " [<timestamp> us]");
  p.ok = true;
  return p;
}

}  // namespace lb::energy
