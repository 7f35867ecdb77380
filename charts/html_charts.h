// The Plotly figures of the HTML charts, built from ChartData. Each returns the page (figure plus
// notes); write_all renders and writes them. Every data string in them is escaped.
#pragma once

#include "charts/chart_data.h"
#include "charts/html_page.h"

namespace lb::charts {

// Time per configuration on a log axis, bars appearing one configuration per frame.
// Requires bars (validated by write_all).
HtmlChart animated_comparison_html(const ChartData& data);

// Training progress 0-100% against a log clock: kRaceFrames frames at kRaceFps.
HtmlChart progress_race_html(const ChartData& data);

// Accuracy against time (log) per curve; projected curves dashed; efficiency side panel.
HtmlChart accuracy_html(const ChartData& data);

// Speedup and ideal on the primary axis, efficiency % on the secondary, points appearing in turn.
HtmlChart scaling_efficiency_html(const ChartData& data);

// Share of the steady step time per configuration, stacked, with the bound label. Requires bounds.
HtmlChart bound_html(const ChartData& data);

// Parallel efficiency against ranks: modelled (dash-dotted, open diamonds) and measured (filled).
// Requires model.
HtmlChart scaling_model_html(const ChartData& data);

// Time, energy, carbon and cost per configuration: four log-axis panels sharing the rows, the
// provenance of each figure drawn as in the comparison (modelled: cross-hatched, modelled-colour
// outline). Requires energy.
HtmlChart energy_cost_html(const ChartData& data);

// Peak host and device memory per configuration (GiB). Requires memory.
HtmlChart memory_html(const ChartData& data);

// Frame duration of the bar and scaling animations (ms).
inline constexpr double kBuildUpFrameMs = 900;

}  // namespace lb::charts
