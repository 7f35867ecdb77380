// Pieces the HTML figures share: the log time axis, bar hover text, group names, page notes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "charts/chart_data.h"
#include "charts/time_axis.h"

namespace lb::charts {

// "LUMI" for cluster bars, "Laptop" for the others, "unknown placement" for neither (raw).
std::string group_name(const ChartData& data, bool is_cluster, bool placement_unknown = false);

// A Plotly log axis over `range` with readable time ticks.
// A bar's marker: the group colour, and the look of its kind (docs/charts.md, "Measured,
// extrapolated, imported, modelled"); the same in every HTML chart.
nlohmann::json bar_marker(bool is_cluster, Provenance kind);
// The same look in a given colour (a pale group colour for bars out of the headline).
nlohmann::json colored_bar_marker(const std::string& color, Provenance kind);

nlohmann::json log_time_axis(const LogRange& range, const std::string& title);

// The tooltip of a bar (escaped, <br>-separated): label, time with interval, provenance,
// speedup, where the headline puts it, details, warnings.
std::string bar_hover(const Bar& bar, bool is_baseline);

// True for the bar the speedups are relative to.
bool is_baseline(const ChartData& data, const Bar& bar);

// A legend entry (escaped): the raw name wrapped at spaces into lines of up to `max_chars`,
// joined with <br>, because Plotly does not wrap legend text and margins are fixed.
std::string legend_lines(const std::string& raw, std::size_t max_chars);

// Notes under every chart (raw): the job, the provenance legend, comparison-wide warnings.
std::vector<std::string> common_notes(const ChartData& data, const std::string& how_to_read);

}  // namespace lb::charts
