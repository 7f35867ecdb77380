// lumi_vs_laptop_accuracy_vs_time.html: validation accuracy against elapsed training time.
#include <algorithm>
#include <cmath>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/html_charts.h"
#include "charts/html_common.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

using nlohmann::json;

json curve_trace(const AccuracyCurve& c, const std::string& color) {
  json x = json::array(), y = json::array(), hover = json::array(), text = json::array();
  for (std::size_t i = 0; i < c.points.size(); ++i) {
    const CurvePoint& p = c.points[i];
    x.push_back(p.time_s);
    y.push_back(p.accuracy_pct);
    std::string h = "<b>" + plotly_text(style::curve_legend(c)) + "</b><br>epoch " + std::to_string(p.epoch) +
                    ": " + format_significant(p.accuracy_pct, 3) + "% after " + format_duration(p.time_s) +
                    "<br>" + (c.projected ? std::string("projected (measured accuracy, extrapolated time)")
                                          : std::string(to_string(c.kind)));
    if (!c.details.empty()) h += "<br>" + plotly_text(c.details);
    hover.push_back(h);
    // Projected curves carry their label at the last point as well as in the legend.
    text.push_back(c.projected && i + 1 == c.points.size() ? "projected" : "");
  }
  const Provenance style_kind = c.projected ? Provenance::Extrapolated : c.kind;
  return {{"type", "scatter"}, {"mode", "lines+markers+text"}, {"name", legend_lines(style::curve_legend(c), 30)},
          {"x", x}, {"y", y}, {"text", text}, {"textposition", "top left"},
          {"textfont", {{"size", 12}, {"color", color}}},
          {"line", {{"color", color}, {"width", 2.5}, {"dash", style::plotly_dash(style_kind)}}},
          {"marker", {{"color", color}, {"size", 7},
                      {"symbol", c.projected || c.kind != Provenance::Measured ? "circle-open" : "circle"}}},
          {"hovertext", hover}, {"hoverinfo", "text"}};
}

}  // namespace

HtmlChart accuracy_html(const ChartData& data) {
  double lo = 0, hi = 0, top = 0;
  for (const AccuracyCurve& c : data.accuracy) {
    for (const CurvePoint& p : c.points) {
      lo = lo == 0 ? p.time_s : std::min(lo, p.time_s);
      hi = std::max(hi, p.time_s);
      top = std::max(top, p.accuracy_pct);
    }
  }
  json traces = json::array();
  int cluster_n = 0, laptop_n = 0, unknown_n = 0;
  for (const AccuracyCurve& c : data.accuracy) {
    const int nth = c.placement_unknown ? unknown_n++ : c.is_cluster ? cluster_n++ : laptop_n++;
    traces.push_back(curve_trace(c, style::series_color(c.is_cluster, nth, c.placement_unknown)));
  }
  const LogRange range = padded_log_range(lo, hi, 1.6, 1.6);
  if (data.target_accuracy > 0) {
    // The target (--target-accuracy): a dotted line across the plot, named in the legend.
    const std::string name = "target " + format_significant(data.target_accuracy, 3) + "% (--target-accuracy)";
    traces.push_back({{"type", "scatter"}, {"mode", "lines"}, {"name", legend_lines(name, 30)},
                      {"x", {range.lo, range.hi}}, {"y", {data.target_accuracy, data.target_accuracy}},
                      {"line", {{"color", style::kInk}, {"width", 2}, {"dash", "dot"}}},
                      {"hovertext", {plotly_text(name), plotly_text(name)}}, {"hoverinfo", "text"}});
    top = std::max(top, data.target_accuracy);
  }

  // As tall as the legend and the efficiency panel under it need: every curve named in view.
  std::vector<std::size_t> entry_lines;
  for (const AccuracyCurve& c : data.accuracy) entry_lines.push_back(wrap_words(style::curve_legend(c), 30).size());
  if (data.target_accuracy > 0) entry_lines.push_back(2);
  const double panel_height =
      data.efficiency_panel.empty() ? 0.0 : 17.0 * static_cast<double>(data.efficiency_panel.size() + 1) + 2 * 6 + 2;
  const double legend_height = legend_px(entry_lines, 17, 6);
  const int height = std::max(style::kHeight, static_cast<int>(std::ceil(kTopMarginStill + kBottomMargin + legend_height +
                                                                          panel_height + 24)));
  json layout = base_layout("Accuracy against training time: " + data.cluster_name + " vs laptop",
                            data.job_description, kTopMarginStill, 80, 290, height);
  layout["xaxis"] = log_time_axis(range, "elapsed training time (log scale)");
  layout["yaxis"] = {{"title", {{"text", "validation top-1 accuracy (%)"}}},
                     {"range", {0, std::min(100.0, std::max(10.0, top * 1.15))}}, {"autorange", false},
                     {"ticksuffix", "%"}, {"gridcolor", style::kGrid}, {"zeroline", false}};
  if (!data.efficiency_panel.empty()) {
    std::string panel = "<b>Efficiency</b>";
    for (const auto& [name, value] : data.efficiency_panel) {
      panel += "<br>" + plotly_text(name) + ": <b>" + plotly_text(value) + "</b>";
    }
    json note = paper_annotation(panel, 1.03, 0, "left", "bottom");
    note["bordercolor"] = "#bbbbbb";
    note["borderpad"] = 6;
    note["bgcolor"] = "#f7f7f7";
    note["font"] = {{"size", 13}};
    layout["annotations"].push_back(note);
    // The legend above the panel never runs into it (the chart is tall enough for both; the
    // limit only guards an estimate that falls short): about 17 px per panel line.
    const double plot_height = height - kTopMarginStill - kBottomMargin;
    layout["legend"]["maxheight"] = std::max(60.0, plot_height - panel_height - 16);
  }

  HtmlChart chart;
  chart.page_title = data.cluster_name + " vs laptop: accuracy against time";
  chart.figure = {{"data", traces}, {"layout", layout}};
  chart.notes = common_notes(data,
      "How to read: each line is one run's validation accuracy after each epoch against the "
      "training time spent so far (log scale): further left at the same height is faster to the "
      "same accuracy. Dashed lines are projected: accuracy measured in one run, time extrapolated "
      "for another configuration.");
  return chart;
}

}  // namespace lb::charts
