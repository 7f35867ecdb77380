// Every string that comes from data (run names, hosts, notes, warnings) passes through one of
// these before it reaches a chart file, so that `<img src=x onerror=alert(1)>` stays text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace lb::charts {

// For HTML element content and attribute values: & < > " ' become character references.
// Control characters other than newline and tab become spaces.
std::string html_escape(const std::string& raw);

// For Plotly strings (trace names, tick labels, hover text, annotations): Plotly reads a subset
// of HTML, so the text is HTML-escaped (numeric references for quotes, which Plotly decodes) and
// newlines become <br>.
std::string plotly_text(const std::string& raw);

// JSON for a <script> element: ASCII only (U+2028/2029 escaped), and < > & written as \u003c
// \u003e \u0026 so that no `</script>` or `<!--` can end the element. Invalid UTF-8 becomes U+FFFD.
std::string script_json(const nlohmann::json& value);

// JavaScript source for an inline <script> element: every "</script" (any case) becomes
// "<\/script", which means the same inside a JavaScript string or regular expression but cannot
// end the element.
std::string inline_script(std::string_view js);

// A gnuplot single-quoted string literal: ' doubled, line breaks and control characters spaced.
std::string gnuplot_string(const std::string& raw);

// A gnuplot text of several lines: a tick label (`set ytics (<label> <pos>, ...)`, '%' doubled
// because a tick label is also a format) or a `set label` text: each line a single-quoted
// string (as gnuplot_string), joined with "\n": data never sits inside double quotes, where
// gnuplot would run `backquoted` text as a command.
std::string gnuplot_lines(const std::vector<std::string>& lines, bool tick_label = true);

// A comment line for a gnuplot script or data file ("# " + text): a line break in data would
// otherwise end the comment and start a command.
std::string gnuplot_comment(const std::string& raw);

// A double-quoted field of a gnuplot data file: gnuplot has no escape inside such a field, so a
// double quote becomes a single one; line breaks and control characters become spaces.
std::string gnuplot_data_field(const std::string& raw);

}  // namespace lb::charts
