// lumi_vs_laptop_animated.html: the comparison bars, appearing one configuration per frame.
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/html_charts.h"
#include "charts/html_common.h"
#include "charts/row_layout.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

using nlohmann::json;

// From the plot area's bottom edge to the legend's top: the tick labels and the axis title.
constexpr double kLegendTopPx = 62;

// One trace per (group, provenance, pale) present, in order of first appearance, so that the
// legend names exactly the kinds of bars on screen: "LUMI · imported", "Laptop · extrapolated",
// "LUMI · imported, not in the headline".
struct Series {
  bool is_cluster;
  bool placement_unknown;
  Provenance kind;
  bool pale;
  std::vector<std::size_t> bars;
};

std::vector<Series> series_of(const std::vector<Bar>& bars) {
  std::vector<Series> out;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    const bool pale = b.standing == Standing::Excluded;
    auto it = std::find_if(out.begin(), out.end(), [&](const Series& s) {
      return s.is_cluster == b.is_cluster && s.placement_unknown == b.placement_unknown && s.kind == b.kind &&
             s.pale == pale;
    });
    if (it == out.end()) it = out.insert(out.end(), Series{b.is_cluster, b.placement_unknown, b.kind, pale, {}});
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
  const std::string group_color = style::group_color(s.is_cluster, s.placement_unknown);
  const std::string color = s.pale ? style::muted_color(group_color) : group_color;
  const std::string name = group_name(data, s.is_cluster, s.placement_unknown) + " \u00b7 " +
                           style::provenance_legend(s.kind) + (s.pale ? " \u00b7 not in the headline" : "");
  return {{"type", "bar"},
          {"orientation", "h"},
          {"name", plotly_text(name)},
          {"x", x},
          {"y", y},
          {"marker", colored_bar_marker(color, s.kind)},
          {"hovertext", hover},
          {"hoverinfo", "text"},
          {"error_x", {{"type", "data"}, {"symmetric", false}, {"array", err_plus},
                       {"arrayminus", err_minus}, {"color", "#444444"}, {"thickness", 1.5},
                       {"width", 5}}},
          {"width", 0.62}};
}

// The headline's bar, outlined in ink over its own (a trace of its own, so the legend says so).
json headline_trace(const ChartData& data, std::size_t shown) {
  json x = json::array(), y = json::array();
  for (std::size_t i = 0; i < shown; ++i) {
    if (data.bars[i].standing != Standing::Headline) continue;
    x.push_back(data.bars[i].time_s);
    y.push_back(static_cast<int>(i));
  }
  return {{"type", "bar"}, {"orientation", "h"}, {"name", "outlined in ink: the headline"}, {"x", x}, {"y", y},
          {"marker", {{"color", "rgba(255,255,255,0)"},
                      {"line", {{"color", style::kInk}, {"width", style::kHeadlineOutlinePx}}}}},
          {"hoverinfo", "skip"}, {"width", 0.74}};
}

// Where a bar's speedup label starts: just right of its whisker.
double speedup_label_x(const Bar& b) { return std::max(b.time_s, b.hi_s) * 1.15; }

// The speedup labels of the first `shown` bars: those the headline rules out in the muted colour.
json speedup_labels(const ChartData& data, std::size_t shown) {
  json x = json::array(), y = json::array(), text = json::array(), colors = json::array();
  for (std::size_t i = 0; i < shown; ++i) {
    const Bar& b = data.bars[i];
    x.push_back(speedup_label_x(b));
    y.push_back(static_cast<int>(i));
    text.push_back(plotly_text(speedup_label(b.speedup, is_baseline(data, b))));
    colors.push_back(b.standing == Standing::Excluded ? style::kMuted : style::kInk);
  }
  return {{"type", "scatter"}, {"mode", "text"}, {"name", "speedup"}, {"showlegend", false},
          {"x", x}, {"y", y}, {"text", text}, {"textposition", "middle right"},
          {"textfont", {{"size", 14}, {"color", colors}}}, {"cliponaxis", false},
          {"hoverinfo", "skip"}};
}

// The standing notes of the first `shown` bars (why not in the headline; the headline's own), in
// the column right of the plot area, level with their rows. One entry per row whatever `shown` is,
// rows not shown yet (or without a note) invisible: Plotly merges a frame's annotations into the
// figure's by index, so every frame must list the same annotations in the same places, or a
// caption lands on a note's slot and the finished chart's notes stay on screen.
json note_annotations(const ChartData& data, const RowLayout& rows, std::size_t shown) {
  json out = json::array();
  for (std::size_t i = 0; i < data.bars.size(); ++i) {
    const std::vector<std::string> note = i < rows.notes.size() ? rows.notes[i] : std::vector<std::string>();
    json a = {{"text", plotly_lines(note)}, {"xref", "paper"}, {"yref", "y"}, {"x", 1.01},
              {"y", static_cast<int>(i)}, {"xanchor", "left"}, {"yanchor", "middle"}, {"showarrow", false},
              {"align", "left"}, {"visible", i < shown && !note.empty()},
              {"font", {{"size", 12}, {"color", data.bars[i].standing == Standing::Headline ? style::kInk : style::kMuted}}}};
    out.push_back(std::move(a));
  }
  return out;
}

std::string frame_caption(const ChartData& data, std::size_t shown) {
  const Bar& b = data.bars[shown - 1];
  // One line over the plot: the label shortened (the axis shows it whole), the standing said.
  std::string text = std::to_string(shown) + " of " + std::to_string(data.bars.size()) + " \u00b7 " +
                     shorten(b.label, 40) + ": " + format_duration(b.time_s) + " (" + to_string(b.kind) + "), " +
                     speedup_label(b.speedup, is_baseline(data, b));
  if (b.standing == Standing::Excluded) text += " \u00b7 not in the headline";
  if (b.standing == Standing::Headline) text += " \u00b7 the headline";
  return text;
}

}  // namespace

HtmlChart animated_comparison_html(const ChartData& data) {
  const std::vector<Series> series = series_of(data.bars);
  double lo = data.bars.front().time_s, hi = lo;
  bool any_headline = false;
  for (const Bar& b : data.bars) {
    lo = std::min({lo, b.time_s, b.lo_s > 0 ? b.lo_s : b.time_s});
    hi = std::max({hi, b.time_s, b.hi_s});
    any_headline = any_headline || b.standing == Standing::Headline;
  }

  // Margins are fixed (see base_layout): the left one holds the longest line of the wrapped
  // labels, the chart is as tall as its rows need, and the axis is long enough for each speedup
  // label (and the note under it) to end inside the plot area.
  RowLayout rows = bar_rows(data.bars, kHtmlRowMetrics);
  json ticks = json::array(), labels = json::array();
  std::vector<AxisLabel> speedups;
  std::vector<std::string> notes;
  for (std::size_t i = 0; i < data.bars.size(); ++i) {
    const Bar& b = data.bars[i];
    ticks.push_back(static_cast<int>(i));
    labels.push_back(plotly_lines(rows.lines[i]));
    speedups.push_back({speedup_label_x(b), display_chars(speedup_label(b.speedup, is_baseline(data, b)))});
    notes.push_back(style::standing_note(b.standing, b.mark));
  }
  add_notes(rows, notes);
  const int left = static_cast<int>(rows.left_px);
  // The legend goes under the axis title, so the bars get the width; the notes a column of their own.
  const int kRight = rows.any_note() ? static_cast<int>(kNoteColumnPx) + 10 : 40;
  // The legend under the axis title, one entry a line (a row of entries would run off the
  // figure's right edge), and the bottom margin as tall as it needs.
  const std::size_t entries = series.size() + (any_headline ? 1 : 0);
  const int kBottom = static_cast<int>(kLegendTopPx + legend_px(std::vector<std::size_t>(entries, 1), 19, 2) + 8);
  const int height = chart_height(rows, kTopMarginAnimated, kBottom, false);
  const double plot_height = height - kTopMarginAnimated - kBottom;
  const double plot_width = style::kWidth - left - kRight;
  LogRange range = padded_log_range(lo, hi, 3, 3);
  range.hi = log_axis_end_for_labels(range.lo, range.hi, speedups, style::kWidth - left - kRight,
                                     style::kHtmlCharPx * 14 / style::kHtmlFontPx);
  json layout = base_layout("Training time: " + data.cluster_name + " vs laptop", data.job_description,
                            kTopMarginAnimated, left, kRight, height);
  layout["xaxis"] = log_time_axis(range, "time for the whole job (log scale)");
  layout["yaxis"] = {{"tickmode", "array"}, {"tickvals", ticks}, {"ticktext", labels},
                     {"range", {static_cast<double>(data.bars.size()) - 0.5, -0.5}},
                     {"autorange", false}, {"showgrid", false},
                     {"zeroline", false}};
  layout["barmode"] = "overlay";
  layout["margin"]["b"] = kBottom;
  layout["legend"] = {{"orientation", "v"}, {"x", 0}, {"xanchor", "left"}, {"y", -kLegendTopPx / plot_height},
                      {"yanchor", "top"}, {"font", {{"size", 13}}}, {"bgcolor", "rgba(255,255,255,0)"},
                      {"tracegroupgap", 0}};
  layout["updatemenus"] = animation_controls(kBuildUpFrameMs, controls_paper_y(plot_height));

  // The caption starts at the figure's left edge and is shortened to its width.
  const auto caption_chars = static_cast<std::size_t>((style::kWidth - 16) / style::kHtmlCharPx);
  const auto caption = [&](std::size_t shown) {
    // The caption first, then one note per row: the same slots in every frame.
    json annotations = json::array({paper_annotation(plotly_text(shorten(frame_caption(data, shown), caption_chars)),
                                                     figure_paper_x(8, left, plot_width), caption_paper_y(plot_height),
                                                     "left", "bottom")});
    for (auto& a : note_annotations(data, rows, shown)) annotations.push_back(std::move(a));
    return annotations;
  };
  const auto traces_at = [&](std::size_t shown) {
    json traces = json::array();
    for (const Series& s : series) traces.push_back(series_trace(data, s, shown));
    if (any_headline) traces.push_back(headline_trace(data, shown));
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
      "95% interval. Solid bars are measured, hatched bars extrapolated, outlined bars imported (hatched with a "
      "thick outline: imported and extrapolated, or rescaled to this job's epochs). Pale bars are not in the "
      "headline (other work, below the quality bar, or placement unknown), with the reason after the bar; the "
      "headline's bar is outlined in ink; grey bars ran where the data do not say.");
  return chart;
}

}  // namespace lb::charts
