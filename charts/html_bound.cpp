// lumi_bound_attribution.html: where each configuration's steady step time goes, stacked.
#include <algorithm>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/html_charts.h"
#include "charts/html_common.h"
#include "charts/row_layout.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

using nlohmann::json;

std::string bound_hover(const BoundBar& b) {
  std::string h = "<b>" + plotly_text(b.label) + "</b> \u00b7 " + plotly_text(b.bound) +
                  "<br>data wait " + format_percent(b.data_wait) + "<br>compute " + format_percent(b.compute) +
                  "<br>exposed communication " + format_percent(b.comm) + "<br>other " + format_percent(b.other);
  if (!b.details.empty()) h += "<br>" + plotly_text(b.details);
  return h;
}

json part_trace(const ChartData& data, const char* name, const char* color, double BoundBar::*share) {
  json x = json::array(), y = json::array(), hover = json::array();
  for (std::size_t i = 0; i < data.bounds.size(); ++i) {
    x.push_back(round_significant(data.bounds[i].*share * 100, 6));
    y.push_back(static_cast<int>(i));
    hover.push_back(bound_hover(data.bounds[i]));
  }
  return {{"type", "bar"}, {"orientation", "h"}, {"name", name}, {"x", x}, {"y", y},
          {"marker", {{"color", color}, {"line", {{"color", "#ffffff"}, {"width", 1}}}}},
          {"hovertext", hover}, {"hoverinfo", "text"}, {"width", 0.62}};
}

}  // namespace

HtmlChart bound_html(const ChartData& data) {
  json ticks = json::array(), labels = json::array(), bx = json::array(), by = json::array(), btext = json::array();
  std::vector<std::string> names;
  for (const BoundBar& b : data.bounds) names.push_back(b.label);
  // Labels whole: wrapped, and the chart as tall as its rows need.
  const RowLayout rows = row_layout(names, kHtmlRowMetrics);
  for (std::size_t i = 0; i < data.bounds.size(); ++i) {
    const BoundBar& b = data.bounds[i];
    ticks.push_back(static_cast<int>(i));
    labels.push_back(plotly_lines(rows.lines[i]));
    bx.push_back(102);
    by.push_back(static_cast<int>(i));
    btext.push_back(plotly_text(b.bound));
  }
  json traces = json::array({part_trace(data, "data wait", style::kDataWait, &BoundBar::data_wait),
                             part_trace(data, "compute", style::kCompute, &BoundBar::compute),
                             part_trace(data, "exposed communication", style::kComm, &BoundBar::comm),
                             part_trace(data, "other", style::kOther, &BoundBar::other)});
  // The bound label after each bar, inside the plot area (the axis runs on to 140%).
  traces.push_back({{"type", "scatter"}, {"mode", "text"}, {"name", "bound"}, {"showlegend", false},
                    {"x", bx}, {"y", by}, {"text", btext}, {"textposition", "middle right"},
                    {"textfont", {{"size", 14}, {"color", style::kInk}}}, {"cliponaxis", false},
                    {"hoverinfo", "skip"}});

  const int left = static_cast<int>(rows.left_px);
  constexpr int kRight = 40;
  constexpr int kBottom = 120;
  const int height = chart_height(rows, kTopMarginStill, kBottom, false);
  json layout = base_layout("Where the step time goes: " + data.cluster_name + " vs laptop", data.job_description,
                            kTopMarginStill, left, kRight, height);
  layout["barmode"] = "stack";
  layout["xaxis"] = {{"title", {{"text", "share of the steady step time (measured)"}}}, {"range", {0, 140}},
                     {"autorange", false}, {"tickvals", {0, 20, 40, 60, 80, 100}},
                     {"ticktext", {"0%", "20%", "40%", "60%", "80%", "100%"}}, {"gridcolor", style::kGrid},
                     {"zeroline", false}};
  layout["yaxis"] = {{"tickmode", "array"}, {"tickvals", ticks}, {"ticktext", labels},
                     {"range", {static_cast<double>(data.bounds.size()) - 0.5, -0.5}}, {"autorange", false},
                     {"showgrid", false}, {"zeroline", false}};
  // The legend under the axis title, as in the bar chart, so the bars get the width.
  const double plot_height = height - kTopMarginStill - kBottom;
  layout["margin"]["b"] = kBottom;
  // In the order of the parts along the bar (Plotly reverses stacked bars' legend by default).
  layout["legend"] = {{"orientation", "h"}, {"x", 0}, {"xanchor", "left"}, {"y", -62 / plot_height},
                      {"yanchor", "top"}, {"font", {{"size", 13}}}, {"bgcolor", "rgba(255,255,255,0)"},
                      {"traceorder", "normal"}};

  HtmlChart chart;
  chart.page_title = data.cluster_name + " vs laptop: where the step time goes";
  chart.figure = {{"data", traces}, {"layout", layout}};
  chart.notes = common_notes(data,
      "How to read: each bar is one configuration's steady step time (measured, warm-up excluded) split "
      "into waiting for data, computing (forward, backward, optimizer), exposed communication (waiting "
      "for the gradient allreduce after the backward pass) and the rest. The label after it names the "
      "bound: data wait or exposed communication taking at least 20% of the step names it, otherwise "
      "the configuration is compute-bound.");
  return chart;
}

}  // namespace lb::charts
