// lumi_vs_laptop_animated.html: the comparison bars, appearing one configuration per frame.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/html_charts.h"
#include "charts/html_common.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

using nlohmann::json;

// One trace per (group, provenance) present, in order of first appearance, so that the legend
// names exactly the kinds of bars on screen: "LUMI · imported", "Laptop · extrapolated".
struct Series {
  bool is_cluster;
  Provenance kind;
  std::vector<std::size_t> bars;
};

std::vector<Series> series_of(const std::vector<Bar>& bars) {
  std::vector<Series> out;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    auto it = std::find_if(out.begin(), out.end(), [&](const Series& s) {
      return s.is_cluster == bars[i].is_cluster && s.kind == bars[i].kind;
    });
    if (it == out.end()) it = out.insert(out.end(), Series{bars[i].is_cluster, bars[i].kind, {}});
    it->bars.push_back(i);
  }
  return out;
}

// The trace of a series holding the bars with index < shown.
json series_trace(const ChartData& data, const Series& s, std::size_t shown) {
  json x = json::array(), y = json::array(), hover = json::array();
  json err_plus = json::array(), err_minus = json::array();
  for (std::size_t i : s.bars) {
    if (i >= shown) continue;
    const Bar& b = data.bars[i];
    x.push_back(b.time_s);
    y.push_back(static_cast<int>(i));
    hover.push_back(bar_hover(b, is_baseline(data, b)));
    const bool interval = b.hi_s > b.lo_s;
    err_plus.push_back(interval ? b.hi_s - b.time_s : 0.0);
    err_minus.push_back(interval ? b.time_s - b.lo_s : 0.0);
  }
  return {{"type", "bar"},
          {"orientation", "h"},
          {"name", plotly_text(group_name(data, s.is_cluster) + " \u00b7 " + style::provenance_legend(s.kind))},
          {"x", x},
          {"y", y},
          {"marker", bar_marker(s.is_cluster, s.kind)},
          {"hovertext", hover},
          {"hoverinfo", "text"},
          {"error_x", {{"type", "data"}, {"symmetric", false}, {"array", err_plus},
                       {"arrayminus", err_minus}, {"color", "#444444"}, {"thickness", 1.5},
                       {"width", 5}}},
          {"width", 0.62}};
}

// Where a bar's speedup label starts: just right of its whisker.
double speedup_label_x(const Bar& b) { return std::max(b.time_s, b.hi_s) * 1.15; }

// The speedup labels of the first `shown` bars.
json speedup_labels(const ChartData& data, std::size_t shown) {
  json x = json::array(), y = json::array(), text = json::array();
  for (std::size_t i = 0; i < shown; ++i) {
    const Bar& b = data.bars[i];
    x.push_back(speedup_label_x(b));
    y.push_back(static_cast<int>(i));
    text.push_back(plotly_text(speedup_label(b.speedup, is_baseline(data, b))));
  }
  return {{"type", "scatter"}, {"mode", "text"}, {"name", "speedup"}, {"showlegend", false},
          {"x", x}, {"y", y}, {"text", text}, {"textposition", "middle right"},
          {"textfont", {{"size", 14}, {"color", style::kInk}}}, {"cliponaxis", false},
          {"hoverinfo", "skip"}};
}

std::string frame_caption(const ChartData& data, std::size_t shown) {
  const Bar& b = data.bars[shown - 1];
  return std::to_string(shown) + " of " + std::to_string(data.bars.size()) + " \u00b7 " + b.label +
         ": " + format_duration(b.time_s) + " (" + to_string(b.kind) + "), " +
         speedup_label(b.speedup, is_baseline(data, b));
}

}  // namespace

HtmlChart animated_comparison_html(const ChartData& data) {
  const std::vector<Series> series = series_of(data.bars);
  double lo = data.bars.front().time_s, hi = lo;
  for (const Bar& b : data.bars) {
    lo = std::min({lo, b.time_s, b.lo_s > 0 ? b.lo_s : b.time_s});
    hi = std::max({hi, b.time_s, b.hi_s});
  }

  // Margins are fixed (see base_layout), so the left one is sized for the longest label, and the
  // axis is long enough for each speedup label to end inside the plot area.
  json ticks = json::array(), labels = json::array();
  std::size_t longest = 0;
  std::vector<AxisLabel> speedups;
  for (std::size_t i = 0; i < data.bars.size(); ++i) {
    const Bar& b = data.bars[i];
    ticks.push_back(static_cast<int>(i));
    labels.push_back(plotly_text(b.label));
    longest = std::max(longest, display_chars(b.label));
    speedups.push_back({speedup_label_x(b), display_chars(speedup_label(b.speedup, is_baseline(data, b)))});
  }
  const int left = std::clamp(static_cast<int>(style::kHtmlCharPx * longest) + 24, 140, 380);
  constexpr int kRight = 40;  // the legend goes under the axis title, so the bars get the width
  LogRange range = padded_log_range(lo, hi, 3, 3);
  range.hi = log_axis_end_for_labels(range.lo, range.hi, speedups, style::kWidth - left - kRight,
                                     style::kHtmlCharPx * 14 / style::kHtmlFontPx);
  json layout = base_layout("Training time: " + data.cluster_name + " vs laptop", data.job_description,
                            kTopMarginAnimated, left, kRight);
  layout["xaxis"] = log_time_axis(range, "time for the whole job (log scale)");
  layout["yaxis"] = {{"tickmode", "array"}, {"tickvals", ticks}, {"ticktext", labels},
                     {"range", {static_cast<double>(data.bars.size()) - 0.5, -0.5}},
                     {"autorange", false}, {"showgrid", false},
                     {"zeroline", false}};
  layout["barmode"] = "overlay";
  // Room under the axis title for a legend of up to two rows (legend y is in plot heights).
  constexpr int kBottom = 135;
  const double plot_height = style::kHeight - kTopMarginAnimated - kBottom;
  layout["margin"]["b"] = kBottom;
  layout["legend"] = {{"orientation", "h"}, {"x", 0}, {"xanchor", "left"}, {"y", -62 / plot_height},
                      {"yanchor", "top"}, {"font", {{"size", 13}}}, {"bgcolor", "rgba(255,255,255,0)"}};
  layout["updatemenus"] = animation_controls(kBuildUpFrameMs);

  const auto caption = [&](std::size_t shown) {
    return json::array({paper_annotation(plotly_text(frame_caption(data, shown)), 0, 1.02, "left", "bottom")});
  };
  const auto traces_at = [&](std::size_t shown) {
    json traces = json::array();
    for (const Series& s : series) traces.push_back(series_trace(data, s, shown));
    traces.push_back(speedup_labels(data, shown));
    return traces;
  };
  json frames = json::array();
  for (std::size_t shown = 1; shown <= data.bars.size(); ++shown) {
    frames.push_back({{"name", std::to_string(shown)}, {"data", traces_at(shown)},
                      {"layout", {{"annotations", caption(shown)}}}});
  }
  // Before Play the page shows the finished chart, so it reads without any interaction.
  layout["annotations"] = caption(data.bars.size());

  HtmlChart chart;
  chart.page_title = data.cluster_name + " vs laptop: training time (animated)";
  chart.figure = {{"data", traces_at(data.bars.size())}, {"layout", layout}, {"frames", frames}};
  chart.notes = common_notes(data,
      "How to read: each bar is the time one configuration needs for the whole job (log scale, "
      "shorter is faster); the label after it is its speedup over the baseline, the whisker its "
      "95% interval. Solid bars are measured, hatched bars extrapolated, outlined bars imported.");
  return chart;
}

}  // namespace lb::charts
