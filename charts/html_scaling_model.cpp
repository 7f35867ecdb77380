// lumi_scaling_model.html: the scaling model's predicted parallel efficiency against ranks
// (modelled), with the measured configurations.
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

std::string point_name(const ScalingModelPoint& p) {
  std::string n = std::to_string(p.ranks) + (p.ranks == 1 ? " rank" : " ranks");
  if (p.nodes > 0) n += ", " + std::to_string(p.nodes) + (p.nodes == 1 ? " node" : " nodes");
  return n;
}

}  // namespace

HtmlChart scaling_model_html(const ChartData& data) {
  json ticks = json::array(), ideal_x = json::array(), ideal_y = json::array();
  json mx = json::array(), my = json::array(), mhover = json::array();
  json px = json::array(), py = json::array(), phover = json::array(), ptext = json::array();
  int min_ranks = data.model.front().ranks, max_ranks = min_ranks;
  for (const ScalingModelPoint& p : data.model) {
    ticks.push_back(p.ranks);
    ideal_x.push_back(p.ranks);
    ideal_y.push_back(100);
    min_ranks = std::min(min_ranks, p.ranks);
    max_ranks = std::max(max_ranks, p.ranks);
    mx.push_back(p.ranks);
    my.push_back(round_significant(p.predicted_efficiency * 100, 6));
    mhover.push_back("<b>" + plotly_text(p.label) + "</b><br>" + point_name(p) + "<br>modelled: step " +
                     format_duration(p.predicted_step_s) + ", efficiency " + format_percent(p.predicted_efficiency) +
                     (p.measured ? "<br>measured: step " + format_duration(p.measured_step_s) + ", efficiency " +
                                       format_percent(p.measured_efficiency)
                                 : std::string("<br>not run")));
    if (!p.measured) continue;
    px.push_back(p.ranks);
    py.push_back(round_significant(p.measured_efficiency * 100, 6));
    ptext.push_back(format_percent(p.measured_efficiency));
    phover.push_back("<b>" + plotly_text(p.label) + "</b><br>" + point_name(p) + "<br>measured: step " +
                     format_duration(p.measured_step_s) + ", efficiency " + format_percent(p.measured_efficiency) +
                     "<br>modelled: step " + format_duration(p.predicted_step_s) + ", efficiency " +
                     format_percent(p.predicted_efficiency));
  }
  json traces = json::array();
  traces.push_back({{"type", "scatter"}, {"mode", "lines"}, {"name", "ideal (100%)"}, {"x", ideal_x}, {"y", ideal_y},
                    {"line", {{"color", style::kIdeal}, {"width", 2}, {"dash", "dash"}}}, {"hoverinfo", "skip"}});
  traces.push_back({{"type", "scatter"}, {"mode", "lines+markers"}, {"name", legend_lines("modelled (alpha-beta fit, no overlap)", 22)},
                    {"x", mx}, {"y", my},
                    {"line", {{"color", style::kModelled}, {"width", 2.5},
                              {"dash", style::plotly_dash(Provenance::Modelled)}}},
                    {"marker", {{"size", 11}, {"symbol", "diamond-open"}, {"color", style::kModelled},
                                {"line", {{"width", 2}, {"color", style::kModelled}}}}},
                    {"hovertext", mhover}, {"hoverinfo", "text"}});
  traces.push_back({{"type", "scatter"}, {"mode", "markers+text"}, {"name", style::provenance_legend(Provenance::Measured)},
                    {"x", px}, {"y", py}, {"text", ptext}, {"textposition", "bottom center"},
                    {"textfont", {{"size", 13}, {"color", style::kCluster}}},
                    {"marker", {{"size", 14}, {"symbol", "circle"}, {"color", style::kCluster}}},
                    {"hovertext", phover}, {"hoverinfo", "text"}});

  constexpr int kLeft = 80, kRight = 290;
  json layout = base_layout(data.cluster_name + " scaling model: predicted against measured", data.job_description,
                            kTopMarginStill, kLeft, kRight);
  layout["xaxis"] = {{"title", {{"text", "ranks (log scale)"}}}, {"type", "log"}, {"tickmode", "array"},
                     {"tickvals", ticks},
                     {"range", {std::log10(std::max(0.5, min_ranks / 1.4)), std::log10(max_ranks * 1.4)}},
                     {"autorange", false}, {"gridcolor", style::kGrid}, {"zeroline", false}};
  layout["yaxis"] = {{"title", {{"text", "parallel efficiency (%)"}}}, {"range", {0, 115}}, {"autorange", false},
                     {"tickvals", {0, 25, 50, 75, 100}}, {"ticktext", {"0%", "25%", "50%", "75%", "100%"}},
                     {"gridcolor", style::kGrid}, {"zeroline", false}};
  layout["legend"]["x"] = 1.03;

  HtmlChart chart;
  chart.page_title = data.cluster_name + " scaling model";
  chart.figure = {{"data", traces}, {"layout", layout}};
  chart.notes = common_notes(data,
      "How to read: the dash-dotted line with open diamonds is the scaling model's prediction (modelled, "
      "not run): the one-rank step time plus a ring allreduce of the gradients, from an alpha-beta fit "
      "of the measured allreduce sweep, with no overlap of communication and computation. Filled "
      "circles are measured configurations. Efficiency = one-rank step time / step time at N ranks "
      "(fixed batch per rank). A measured point above the line shows overlap at work; below it, a cost "
      "the model lacks.");
  if (!data.model_description.empty()) chart.notes.insert(chart.notes.begin() + 1, "Model: " + data.model_description);
  return chart;
}

}  // namespace lb::charts
