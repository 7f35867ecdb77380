#include "harness/energy/reading_codec.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace lb::energy {
namespace {

const char* const kHeader = "lb-energy-reading 1";

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\t') out += "\\t";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char n = s[++i];
    out += n == 't' ? '\t' : n == 'n' ? '\n' : n;
  }
  return out;
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> f;
  std::size_t start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    f.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return f;
    start = tab + 1;
  }
}

std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

bool to_double(const std::string& s, double* out) {
  if (s.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(s.c_str(), &end);
  return end == s.c_str() + s.size();
}

}  // namespace

std::string encode_reading(const Reading& r) {
  std::string out = std::string(kHeader) + "\n" + escape(r.node) + "\t" + number(r.seconds) + "\n";
  for (const auto& f : r.figures) {
    out += escape(f.source) + "\t" + escape(f.domain) + "\t" + escape(f.unit) + "\t" + kind_name(f.kind) + "\t" +
           (f.available ? "1" : "0") + "\t" + number(f.joules) + "\t" + escape(f.reason) + "\n";
  }
  return out;
}

DecodedReading decode_reading(const std::string& bytes) {
  DecodedReading d;
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < bytes.size();) {
    const auto nl = bytes.find('\n', start);
    lines.push_back(bytes.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  if (lines.size() < 2 || lines[0] != kHeader) {
    d.error = "not an encoded energy reading (header '" + std::string(kHeader) + "' missing)";
    return d;
  }
  const auto head = fields(lines[1]);
  if (head.size() != 2 || !to_double(head[1], &d.reading.seconds)) {
    d.error = "malformed reading line 2";
    return d;
  }
  d.reading.node = unescape(head[0]);
  for (std::size_t i = 2; i < lines.size(); ++i) {
    const auto f = fields(lines[i]);
    EnergyFigure e;
    if (f.size() != 7 || (f[3] != "counter" && f[3] != "integrated_power") || (f[4] != "0" && f[4] != "1") ||
        !to_double(f[5], &e.joules)) {
      d.error = "malformed reading line " + std::to_string(i + 1);
      return d;
    }
    e.source = unescape(f[0]);
    e.domain = unescape(f[1]);
    e.unit = unescape(f[2]);
    e.kind = f[3] == "counter" ? Kind::counter : Kind::integrated_power;
    e.available = f[4] == "1";
    e.reason = unescape(f[6]);
    d.reading.figures.push_back(e);
  }
  d.ok = true;
  return d;
}

}  // namespace lb::energy
