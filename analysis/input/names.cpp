#include "analysis/input/names.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <regex>

namespace lb::analysis {

std::string to_lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string trim(const std::string& text) {
  size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  return text.substr(b, e - b);
}

std::string normalize_model_name(const std::string& name) {
  std::string out;
  for (char c : to_lower(trim(name))) {
    const bool separator = c == '-' || c == '/' || c == ' ' || c == '_' || c == '.';
    if (separator) {
      if (!out.empty() && out.back() != '_') out += '_';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  // "vit_b16" and "vitb_16" are common shorthands of torchvision's "vit_b_16".
  static const std::regex vit(R"(^vit_?([bhl])_?(\d+)$)");
  std::smatch m;
  if (std::regex_match(out, m, vit)) out = "vit_" + m[1].str() + "_" + m[2].str();
  return out;
}

std::string display_model_name(const std::string& normalized) {
  static const std::regex vit(R"(^vit_([bhl])_(\d+)$)");
  std::smatch m;
  if (std::regex_match(normalized, m, vit)) {
    return "ViT-" + std::string(1, static_cast<char>(std::toupper(m[1].str()[0]))) + "/" + m[2].str();
  }
  return normalized;
}

std::optional<std::string> normalize_device_kind(const std::string& device) {
  const std::string d = to_lower(trim(device));
  if (d == "cpu") return std::string("cpu");
  if (d == "cuda" || d == "rocm" || d == "hip" || d == "gpu") return std::string("gpu");
  return std::nullopt;
}

std::string file_stem(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const size_t dot = name.find_last_of('.');
  if (dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  return name;
}

std::string format_number(double value) {
  // Shortest text that reads back exactly; fixed notation unless scientific is shorter.
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

std::string normalize_precision(const std::string& precision) {
  const std::string p = to_lower(trim(precision));
  if (p == "float32" || p == "fp32" || p == "32" || p == "single") return "fp32";
  if (p == "bfloat16" || p == "bf16") return "bf16";
  if (p == "float16" || p == "fp16" || p == "half" || p == "16") return "fp16";
  return p;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string counted(int64_t n, const std::string& noun) { return std::to_string(n) + " " + noun + (n == 1 ? "" : "s"); }

std::string subset_percent(double fraction) { return format_number(std::round(fraction * 10000.0) / 100.0) + "%"; }

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

std::string strip_control_characters(const std::string& text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += keep_newlines ? '\n' : ' ';
    } else if (c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7f) {
      continue;
    } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      ++i;  // U+0080..U+009F, the C1 controls (CSI among them)
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

}  // namespace lb::analysis
