#include "charts/escape.h"

#include <cctype>

namespace lb::charts {
namespace {

bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }

}  // namespace

std::string html_escape(const std::string& raw) {
  std::string out;
  out.reserve(raw.size() + raw.size() / 8);
  for (unsigned char c : raw) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '\n': case '\t': out += static_cast<char>(c); break;
      default: out += is_control(c) ? ' ' : static_cast<char>(c);
    }
  }
  return out;
}

std::string plotly_text(const std::string& raw) {
  const std::string escaped = html_escape(raw);
  std::string out;
  out.reserve(escaped.size());
  for (char c : escaped) {
    if (c == '\n') out += "<br>";
    else if (c == '\t') out += ' ';
    else out += c;
  }
  return out;
}

std::string script_json(const nlohmann::json& value) {
  const std::string ascii = value.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(ascii.size() + ascii.size() / 16);
  // In JSON these characters can only occur inside strings, where \uXXXX means the same thing.
  for (char c : ascii) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

std::string inline_script(std::string_view js) {
  static constexpr std::string_view kEnd = "</script";
  std::string out;
  out.reserve(js.size());
  for (std::size_t i = 0; i < js.size(); ++i) {
    bool is_end = js[i] == '<' && i + kEnd.size() <= js.size();
    for (std::size_t k = 1; is_end && k < kEnd.size(); ++k) {
      is_end = std::tolower(static_cast<unsigned char>(js[i + k])) == kEnd[k];
    }
    out += js[i];
    if (is_end) out += '\\';
  }
  return out;
}

std::string gnuplot_string(const std::string& raw) {
  std::string out = "'";
  for (unsigned char c : raw) {
    if (c == '\'') out += "''";
    else out += is_control(c) ? ' ' : static_cast<char>(c);
  }
  return out + "'";
}

std::string gnuplot_lines(const std::vector<std::string>& lines, bool tick_label) {
  // Single-quoted pieces joined by a double-quoted "\n" (the only escape needed): gnuplot runs
  // `backquoted` text inside double quotes as a shell command, so data never goes there.
  // A tic label is also a format: '%' is written '%%' to print as itself.
  if (lines.empty()) return "''";
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string line;
    for (char c : lines[i]) line += c == '%' && tick_label ? std::string("%%") : std::string(1, c);
    out += (i > 0 ? ".\"\\n\"." : "") + gnuplot_string(line);
  }
  return out;
}

std::string gnuplot_comment(const std::string& raw) {
  std::string out = "# ";
  for (unsigned char c : raw) out += is_control(c) ? ' ' : static_cast<char>(c);
  return out;
}

std::string gnuplot_data_field(const std::string& raw) {
  std::string out = "\"";
  for (unsigned char c : raw) {
    if (c == '"') out += '\'';
    else out += is_control(c) ? ' ' : static_cast<char>(c);
  }
  return out + "\"";
}

}  // namespace lb::charts
