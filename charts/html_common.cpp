#include "charts/html_common.h"

#include <cmath>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/style.h"

namespace lb::charts {

using nlohmann::json;

std::string group_name(const ChartData& data, bool is_cluster, bool placement_unknown) {
  return style::group_label(data.cluster_name, is_cluster, placement_unknown);
}

json log_time_axis(const LogRange& range, const std::string& title) {
  json values = json::array(), labels = json::array();
  for (const auto& [seconds, label] : time_ticks(range)) {
    values.push_back(seconds);
    labels.push_back(label);
  }
  return {{"type", "log"},
          {"range", {std::log10(range.lo), std::log10(range.hi)}},
          {"autorange", false},
          {"tickmode", "array"},
          {"tickvals", values},
          {"ticktext", labels},
          {"title", {{"text", plotly_text(title)}}},
          {"gridcolor", style::kGrid},
          {"linecolor", style::kMuted},
          {"zeroline", false}};
}

bool is_baseline(const ChartData& data, const Bar& bar) {
  return !data.baseline_label.empty() && bar.label == data.baseline_label;
}

std::string bar_hover(const Bar& bar, bool baseline) {
  std::string h = "<b>" + plotly_text(bar.label) + "</b><br>time: " + format_duration(bar.time_s);
  if (bar.hi_s > bar.lo_s) {
    h += " (95%: " + format_duration(bar.lo_s) + " \u2013 " + format_duration(bar.hi_s) + ")";
  }
  h += "<br>" + std::string(to_string(bar.kind));
  h += "<br>speedup: " + (baseline ? std::string("baseline") : format_speedup(bar.speedup));
  if (!baseline && bar.speedup_hi > bar.speedup_lo) {
    h += " (95%: " + format_speedup(bar.speedup_lo) + " \u2013 " + format_speedup(bar.speedup_hi) + ")";
  }
  const std::string note = style::standing_note(bar.standing, bar.mark);
  if (!note.empty()) h += "<br><b>" + plotly_text(note) + "</b>";
  if (bar.placement_unknown) h += "<br>placement unknown: device or node and GPU counts not stated";
  if (!bar.details.empty()) h += "<br>" + plotly_text(bar.details);
  for (const std::string& w : bar.warnings) h += "<br>\u26a0 " + plotly_text(w);
  return h;
}

std::string legend_lines(const std::string& raw, std::size_t max_chars) {
  std::string out;
  for (const std::string& line : wrap_words(raw, max_chars)) out += (out.empty() ? "" : "<br>") + plotly_text(line);
  return out;
}

std::vector<std::string> common_notes(const ChartData& data, const std::string& how_to_read) {
  std::vector<std::string> notes = {how_to_read};
  if (!data.job_description.empty()) notes.push_back("Job: " + data.job_description);
  notes.push_back("Measured = timed in a run; extrapolated = scaled from a shorter or smaller run "
                  "(with its 95% interval); imported = taken from reference data, not run here; imported, "
                  "extrapolated = another source's figure that it extrapolated or that analyze rescaled to this "
                  "job's epochs.");
  if (!data.sample_note.empty()) notes.push_back("Shown: " + data.sample_note);
  for (const std::string& w : data.warnings) notes.push_back("Warning: " + w);
  return notes;
}

nlohmann::json colored_bar_marker(const std::string& color, Provenance kind) {
  using nlohmann::json;
  switch (kind) {
    case Provenance::Measured:
      return {{"color", color}, {"line", {{"color", color}, {"width", 1}}}};
    case Provenance::Extrapolated:
      return {{"color", color},
              {"line", {{"color", color}, {"width", 1.5}}},
              {"pattern", {{"shape", "/"}, {"fgcolor", color}, {"bgcolor", "#ffffff"},
                           {"fillmode", "replace"}, {"size", 9}, {"solidity", 0.35}}}};
    case Provenance::Imported:
      return {{"color", "rgba(255,255,255,0)"}, {"line", {{"color", color}, {"width", 2.5}}}};
    case Provenance::Modelled:
      return {{"color", color},
              {"line", {{"color", style::kModelled}, {"width", 2.5}}},
              {"pattern", {{"shape", "x"}, {"fgcolor", color}, {"bgcolor", "#ffffff"},
                           {"fillmode", "replace"}, {"size", 8}, {"solidity", 0.3}}}};
    case Provenance::ImportedExtrapolated:
      // Hatched as extrapolated, with the imported outline.
      return {{"color", color},
              {"line", {{"color", color}, {"width", 2.5}}},
              {"pattern", {{"shape", "/"}, {"fgcolor", color}, {"bgcolor", "#ffffff"},
                           {"fillmode", "replace"}, {"size", 9}, {"solidity", 0.35}}}};
  }
  return {};
}

nlohmann::json bar_marker(bool is_cluster, Provenance kind) {
  return colored_bar_marker(style::group_color(is_cluster), kind);
}

}  // namespace lb::charts
