// lumi_scaling_efficiency_animated.html: strong scaling, speedup against the ideal on the primary
// axis and parallel efficiency on the secondary, one configuration appearing per frame.
#include <algorithm>
#include <cmath>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/html_charts.h"
#include "charts/html_common.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

using nlohmann::json;

int units_of(const ChartData& data, const ScalingPoint& p) {
  return data.scaling_unit == "GPUs" ? p.gpus : p.nodes;
}

std::string point_hover(const ChartData& data, const ScalingPoint& p) {
  return "<b>" + plotly_text(p.label) + "</b><br>" + std::to_string(units_of(data, p)) + " " +
         plotly_text(data.scaling_unit) + ", " + format_duration(p.time_s) + " (" + to_string(p.kind) +
         ")<br>speedup " + format_speedup(p.speedup) + " of ideal " + format_speedup(p.ideal) +
         "<br>efficiency " + format_percent(p.efficiency) +
         (p.mark.empty() ? std::string() : "<br><b>\u26a0 " + plotly_text(p.mark) + "</b>");
}

// The speedup line through the first `shown` points.
json speedup_line(const ChartData& data, std::size_t shown) {
  json x = json::array(), y = json::array();
  for (std::size_t i = 0; i < shown; ++i) {
    x.push_back(units_of(data, data.scaling[i]));
    y.push_back(data.scaling[i].speedup);
  }
  return {{"type", "scatter"}, {"mode", "lines"}, {"name", "speedup"}, {"x", x}, {"y", y},
          {"line", {{"color", style::kCluster}, {"width", 3}}}, {"hoverinfo", "skip"}};
}

// Markers of the points of one provenance among the first `shown`: filled when measured, open
// otherwise, so the legend says which kind each point is.
json speedup_markers(const ChartData& data, Provenance kind, std::size_t shown) {
  json x = json::array(), y = json::array(), hover = json::array();
  for (std::size_t i = 0; i < shown; ++i) {
    const ScalingPoint& p = data.scaling[i];
    if (p.kind != kind) continue;
    x.push_back(units_of(data, p));
    y.push_back(p.speedup);
    hover.push_back(point_hover(data, p));
  }
  return {{"type", "scatter"}, {"mode", "markers"}, {"name", style::provenance_legend(kind)},
          {"x", x}, {"y", y},
          {"marker", {{"size", 14}, {"color", kind == Provenance::Measured ? style::kCluster : "#ffffff"},
                      {"symbol", "circle"}, {"line", {{"width", 3}, {"color", style::kCluster}}}}},
          {"hovertext", hover}, {"hoverinfo", "text"}};
}

json efficiency_trace(const ChartData& data, std::size_t shown) {
  json x = json::array(), y = json::array(), text = json::array(), hover = json::array();
  for (std::size_t i = 0; i < shown; ++i) {
    const ScalingPoint& p = data.scaling[i];
    x.push_back(units_of(data, p));
    y.push_back(round_significant(p.efficiency * 100, 6));
    // A point the text does not vouch for (below the quality bar...) says why under its figure.
    text.push_back(format_percent(p.efficiency) + (p.mark.empty() ? std::string() : "<br>\u26a0 " + plotly_text(p.mark)));
    hover.push_back(point_hover(data, p));
  }
  return {{"type", "scatter"}, {"mode", "lines+markers+text"}, {"name", "efficiency (right axis)"},
          {"x", x}, {"y", y}, {"yaxis", "y2"}, {"text", text}, {"textposition", "bottom center"},
          {"textfont", {{"size", 13}, {"color", style::kEfficiency}}},
          {"line", {{"color", style::kEfficiency}, {"width", 2}, {"dash", "dot"}}},
          {"marker", {{"size", 9}, {"color", style::kEfficiency}, {"symbol", "diamond"}}},
          {"hovertext", hover}, {"hoverinfo", "text"}};
}

json ideal_trace(const ChartData& data) {
  json x = json::array(), y = json::array();
  for (const ScalingPoint& p : data.scaling) {
    x.push_back(units_of(data, p));
    y.push_back(p.ideal);
  }
  return {{"type", "scatter"}, {"mode", "lines"}, {"name", "ideal (linear) speedup"}, {"x", x},
          {"y", y}, {"line", {{"color", style::kIdeal}, {"width", 2}, {"dash", "dash"}}},
          {"hoverinfo", "skip"}};
}

}  // namespace

HtmlChart scaling_efficiency_html(const ChartData& data) {
  constexpr int kLeft = 80, kRight = 320;
  std::vector<Provenance> kinds;
  for (const ScalingPoint& p : data.scaling) {
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) kinds.push_back(p.kind);
  }
  double top = 1, bottom = 1;
  int min_units = 0, max_units = 1;
  json ticks = json::array();
  for (const ScalingPoint& p : data.scaling) {
    top = std::max({top, p.speedup, p.ideal});
    bottom = std::min({bottom, p.speedup, p.ideal});
    min_units = min_units == 0 ? units_of(data, p) : std::min(min_units, units_of(data, p));
    max_units = std::max(max_units, units_of(data, p));
    ticks.push_back(units_of(data, p));
  }
  // Log-log, as in the static chart: doublings sit evenly apart, ideal scaling is the diagonal.
  json speedup_ticks = json::array();
  for (double v = 1.0 / 64; v <= top * 1.3; v *= 2) {
    if (v >= bottom / 1.5) speedup_ticks.push_back(v);
  }
  const auto traces_at = [&](std::size_t shown) {
    json traces = json::array({ideal_trace(data), speedup_line(data, shown)});
    for (Provenance k : kinds) traces.push_back(speedup_markers(data, k, shown));
    traces.push_back(efficiency_trace(data, shown));
    return traces;
  };
  const auto caption = [&](std::size_t shown) {
    const ScalingPoint& p = data.scaling[shown - 1];
    const std::string text = shorten(p.label, 40) + ": speedup " + format_speedup(p.speedup) + " of " +
                             format_speedup(p.ideal) + " ideal, efficiency " + format_percent(p.efficiency) +
                             (p.mark.empty() ? std::string() : " \u00b7 " + p.mark);
    // One line over the plot area, shortened to its width (the tooltip has it whole).
    const auto chars = static_cast<std::size_t>((style::kWidth - kLeft - kRight - 8) / style::kHtmlCharPx);
    return json::array({paper_annotation(plotly_text(shorten(text, chars)), 0, 1.02, "left", "bottom")});
  };

  json layout = base_layout(data.cluster_name + " strong scaling: speedup and efficiency",
                            data.job_description, kTopMarginAnimated, kLeft, kRight);
  layout["xaxis"] = {{"title", {{"text", plotly_text(data.scaling_unit) + " (log scale)"}}}, {"type", "log"},
                     {"tickmode", "array"}, {"tickvals", ticks},
                     {"range", {std::log10(min_units / 1.3), std::log10(max_units * 1.3)}},
                     {"autorange", false}, {"gridcolor", style::kGrid}, {"zeroline", false}};
  layout["yaxis"] = {{"title", {{"text", "speedup over the smallest (log scale)"}}}, {"type", "log"},
                     {"tickmode", "array"}, {"tickvals", speedup_ticks},
                     {"range", {std::log10(bottom / 1.5), std::log10(top * 1.3)}}, {"autorange", false},
                     {"gridcolor", style::kGrid}, {"zeroline", false}};
  layout["yaxis2"] = {{"title", {{"text", "parallel efficiency (%)"}, {"font", {{"color", style::kEfficiency}}}}},
                      {"overlaying", "y"}, {"side", "right"}, {"range", {0, 115}}, {"autorange", false},
                      {"tickvals", {0, 25, 50, 75, 100}}, {"ticktext", {"0%", "25%", "50%", "75%", "100%"}}, {"showgrid", false},
                      {"tickfont", {{"color", style::kEfficiency}}}, {"zeroline", false}};
  // The legend starts 80 px right of the plot area, clear of the efficiency axis and its title.
  layout["legend"]["x"] = 1 + 80.0 / (style::kWidth - kLeft - kRight);
  layout["updatemenus"] = animation_controls(kBuildUpFrameMs);
  json frames = json::array();
  for (std::size_t shown = 1; shown <= data.scaling.size(); ++shown) {
    frames.push_back({{"name", std::to_string(shown)}, {"data", traces_at(shown)},
                      {"layout", {{"annotations", caption(shown)}}}});
  }
  layout["annotations"] = caption(data.scaling.size());

  HtmlChart chart;
  chart.page_title = data.cluster_name + " strong scaling (animated)";
  chart.figure = {{"data", traces_at(data.scaling.size())}, {"layout", layout}, {"frames", frames}};
  chart.notes = common_notes(data,
      "How to read: the blue line is the speedup over the smallest " + data.cluster_name +
      " configuration, the grey dashed line what perfect scaling would give; the green line (right "
      "axis) is their ratio, the parallel efficiency. Filled markers are measured, open ones "
      "extrapolated or imported.");
  return chart;
}

}  // namespace lb::charts
