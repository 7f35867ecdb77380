// lumi_energy_cost.html: time, energy, carbon and cost per configuration in four panels;
// lumi_memory.html: peak host and device memory per configuration.
#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>
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

std::string value_text(int panel, double v, const std::string& unit) {
  switch (panel) {
    case 0: return format_duration(v);
    case 1: return format_energy(v);
    case 2: return format_co2(v) + " CO2e";
    default: return format_count(v) + " " + unit;
  }
}

std::string energy_hover(const ChartData& data, const EnergyBar& b) {
  std::string h = "<b>" + plotly_text(b.label) + "</b>";
  static const char* const names[] = {"time", "energy", "CO2e", "cost"};
  for (int p = 0; p < 4; ++p) {
    const EnergyBar::Figure f = b.figure(p);
    h += "<br>" + std::string(names[p]) + ": ";
    if (!f.present) {
      h += p == 3 ? "not billed" : "none";
      continue;
    }
    h += plotly_text(value_text(p, f.value, data.billing_unit));
    if (f.hi > f.lo) {
      h += " (95%: " + plotly_text(value_text(p, f.lo, data.billing_unit)) + " \u2013 " +
           plotly_text(value_text(p, f.hi, data.billing_unit)) + ")";
    }
    h += " \u00b7 " + std::string(to_string(f.kind));
  }
  const std::string note = style::standing_note(b.standing, b.mark);
  if (!note.empty()) h += "<br><b>" + plotly_text(note) + "</b>";
  if (!b.details.empty()) h += "<br>" + plotly_text(b.details);
  return h;
}

std::string axis_name(int panel) { return panel == 0 ? "x" : "x" + std::to_string(panel + 1); }

}  // namespace

HtmlChart energy_cost_html(const ChartData& data) {
  const std::string unit = data.billing_unit;
  const std::string panel_titles[] = {"time", "energy", "CO2e", unit};
  json ticks = json::array(), labels = json::array();
  std::vector<std::string> row_labels;
  for (const EnergyBar& b : data.energy) row_labels.push_back(energy_row_label(b));
  // Narrower than the bar chart's: four panels share the width.
  RowMetrics metrics = kHtmlRowMetrics;
  metrics.max_left_px = 330;
  const RowLayout rows = row_layout(row_labels, metrics);
  for (std::size_t i = 0; i < data.energy.size(); ++i) {
    ticks.push_back(static_cast<int>(i));
    labels.push_back(plotly_lines(rows.lines[i]));
  }
  const int left = static_cast<int>(rows.left_px);
  // The legend under the panels, one entry a line, in a bottom margin as tall as it needs: a
  // (group, kind) of each panel, pale and unknown placement included, can be a dozen entries.
  std::vector<std::string> names;
  for (int p = 0; p < 4; ++p) {
    for (const EnergyBar& b : data.energy) {
      const EnergyBar::Figure f = b.figure(p);
      if (!f.present) continue;
      const std::string name = group_name(data, b.is_cluster, b.placement_unknown) + " \u00b7 " +
                               style::provenance_legend(f.kind) +
                               (b.standing == Standing::Excluded ? " \u00b7 not in the headline" : "");
      if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    }
  }
  constexpr double kLegendTopPx = 62;
  // One entry a line, 19 px apart.
  const std::size_t legend_rows = names.size();
  constexpr int kRight = 30, kTop = 125;
  const int kBottom = std::max(135, static_cast<int>(kLegendTopPx + 19.0 * static_cast<double>(legend_rows) + 12));
  const int height = chart_height(rows, kTop, kBottom, false);
  json layout = base_layout("Time, energy, CO2e and cost: " + data.cluster_name + " vs laptop", data.job_description,
                            kTop, left, kRight, height);
  layout["margin"]["b"] = kBottom;
  layout["barmode"] = "overlay";
  layout["yaxis"] = {{"tickmode", "array"}, {"tickvals", ticks}, {"ticktext", labels},
                     {"range", {static_cast<double>(data.energy.size()) - 0.5, -0.5}}, {"autorange", false},
                     {"showgrid", false}, {"zeroline", false}};
  const double gap = 0.05, width = (1 - 3 * gap) / 4;

  json traces = json::array();
  std::vector<std::string> in_legend;
  json annotations = json::array();
  for (int p = 0; p < 4; ++p) {
    double lo = 0, hi = 0;
    for (const EnergyBar& b : data.energy) {
      const EnergyBar::Figure f = b.figure(p);
      if (!f.present) continue;
      const double f_lo = f.hi > f.lo ? f.lo : f.value, f_hi = f.hi > f.lo ? f.hi : f.value;
      lo = lo == 0 ? f_lo : std::min(lo, f_lo);
      hi = std::max(hi, f_hi);
    }
    if (lo <= 0) lo = hi = 1;
    const LogRange range = padded_log_range(lo, hi, 3, 1.5);
    json axis;
    if (p == 0) {
      axis = log_time_axis(range, "time (log)");
      std::vector<std::pair<double, std::string>> t;
      for (std::size_t i = 0; i < axis["tickvals"].size(); ++i) {
        t.emplace_back(axis["tickvals"][i].get<double>(), axis["ticktext"][i].get<std::string>());
      }
      t = fit_ticks(t, range, width * (style::kWidth - left - kRight), style::kHtmlCharPx * 13 / 15);
      axis["tickvals"] = json::array();
      axis["ticktext"] = json::array();
      for (const auto& [v, s] : t) {
        axis["tickvals"].push_back(v);
        axis["ticktext"].push_back(s);
      }
    } else {
      const Quantity q = p == 1 ? Quantity::Energy : p == 2 ? Quantity::Co2 : Quantity::Count;
      json values = json::array(), texts = json::array();
      for (const auto& [v, s] : fit_ticks(quantity_ticks(range, q), range, width * (style::kWidth - left - kRight),
                                          style::kHtmlCharPx * 13 / 15)) {
        values.push_back(v);
        texts.push_back(s);
      }
      axis = {{"type", "log"}, {"range", {std::log10(range.lo), std::log10(range.hi)}}, {"autorange", false},
              {"tickmode", "array"}, {"tickvals", values}, {"ticktext", texts},
              {"title", {{"text", plotly_text(panel_titles[p] + " (log)")}}}, {"gridcolor", style::kGrid},
              {"linecolor", style::kMuted}, {"zeroline", false}};
    }
    axis["domain"] = {p * (width + gap), p * (width + gap) + width};
    axis["anchor"] = "y";
    layout[p == 0 ? "xaxis" : "xaxis" + std::to_string(p + 1)] = axis;

    // One trace per (group, kind, pale) in this panel; the legend names each combination once.
    std::vector<std::tuple<int, Provenance, bool>> combos;
    const auto group_of = [](const EnergyBar& b) { return b.placement_unknown ? 2 : b.is_cluster ? 1 : 0; };
    for (const EnergyBar& b : data.energy) {
      const EnergyBar::Figure f = b.figure(p);
      const std::tuple<int, Provenance, bool> combo{group_of(b), f.kind, b.standing == Standing::Excluded};
      if (f.present && std::find(combos.begin(), combos.end(), combo) == combos.end()) combos.push_back(combo);
    }
    for (const auto& [group, kind, pale] : combos) {
      json x = json::array(), y = json::array(), hover = json::array(), plus = json::array(), minus = json::array();
      for (std::size_t i = 0; i < data.energy.size(); ++i) {
        const EnergyBar& b = data.energy[i];
        const EnergyBar::Figure f = b.figure(p);
        if (!f.present || group_of(b) != group || f.kind != kind || (b.standing == Standing::Excluded) != pale) continue;
        x.push_back(f.value);
        y.push_back(static_cast<int>(i));
        hover.push_back(energy_hover(data, b));
        const bool interval = f.hi > f.lo;
        plus.push_back(interval ? f.hi - f.value : 0.0);
        minus.push_back(interval ? f.value - f.lo : 0.0);
      }
      const std::string name = group_name(data, group == 1, group == 2) + " \u00b7 " + style::provenance_legend(kind) +
                               (pale ? " \u00b7 not in the headline" : "");
      const bool show = std::find(in_legend.begin(), in_legend.end(), name) == in_legend.end();
      if (show) in_legend.push_back(name);
      const std::string color = style::group_color(group == 1, group == 2);
      traces.push_back({{"type", "bar"}, {"orientation", "h"}, {"name", plotly_text(name)}, {"legendgroup", plotly_text(name)},
                        {"showlegend", show}, {"x", x}, {"y", y}, {"xaxis", axis_name(p)}, {"yaxis", "y"},
                        {"marker", colored_bar_marker(pale ? style::muted_color(color) : color, kind)}, {"hovertext", hover},
                        {"hoverinfo", "text"},
                        {"error_x", {{"type", "data"}, {"symmetric", false}, {"array", plus}, {"arrayminus", minus},
                                     {"color", "#444444"}, {"thickness", 1.5}, {"width", 4}}},
                        {"width", 0.62}});
    }
    // Rows without this figure say so.
    json mx = json::array(), my = json::array(), mt = json::array();
    for (std::size_t i = 0; i < data.energy.size(); ++i) {
      if (data.energy[i].figure(p).present) continue;
      mx.push_back(range.lo * 1.3);
      my.push_back(static_cast<int>(i));
      const EnergyBar& b = data.energy[i];
      mt.push_back(p == 3 ? (b.placement_unknown ? "site unknown" : "not billed") : "none");
    }
    if (!mx.empty()) {
      traces.push_back({{"type", "scatter"}, {"mode", "text"}, {"name", "no figure"}, {"showlegend", false},
                        {"x", mx}, {"y", my}, {"text", mt}, {"xaxis", axis_name(p)}, {"yaxis", "y"},
                        {"textposition", "middle right"}, {"textfont", {{"size", 12}, {"color", style::kMuted}}},
                        {"hoverinfo", "skip"}});
    }
  }
  layout["annotations"] = annotations;
  const double plot_height = height - kTop - kBottom;
  layout["legend"] = {{"orientation", "v"}, {"x", 0}, {"xanchor", "left"}, {"y", -kLegendTopPx / plot_height},
                      {"yanchor", "top"}, {"font", {{"size", 13}}}, {"bgcolor", "rgba(255,255,255,0)"},
                      {"traceorder", "normal"}, {"tracegroupgap", 0}};

  HtmlChart chart;
  chart.page_title = data.cluster_name + " vs laptop: time, energy, CO2e and cost";
  chart.figure = {{"data", traces}, {"layout", layout}};
  chart.notes = common_notes(data,
      "How to read: each row is one configuration doing the whole job; the four panels give its time, its "
      "energy, the CO2e of that energy at its site's grid intensity, and its cost in the cluster's billing "
      "units (the laptop is not billed), each on a log scale with the 95% interval of the time carried over. "
      "Solid bars are measured, hatched extrapolated, outlined imported; cross-hatched bars with a pink "
      "outline are modelled from a stated power, not measured. Pale rows are not in the headline (why: under "
      "the name); grey rows ran where the data do not say, and are neither billed nor given a site's grid.");
  if (!data.energy_footnote.empty()) chart.notes.insert(chart.notes.begin() + 1, data.energy_footnote);
  for (const std::string& a : data.energy_assumptions) chart.notes.push_back("Assumption: " + a);
  return chart;
}

HtmlChart memory_html(const ChartData& data) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  json ticks = json::array(), labels = json::array();
  json hx = json::array(), hy = json::array(), ht = json::array(), hh = json::array();
  json dx = json::array(), dy = json::array(), dt = json::array(), dh = json::array();
  double top = 0;
  std::vector<AxisLabel> room;
  for (std::size_t i = 0; i < data.memory.size(); ++i) {
    const MemoryBar& m = data.memory[i];
    ticks.push_back(static_cast<int>(i));
    std::string hover = "<b>" + plotly_text(m.label) + "</b><br>host memory (peak RSS, largest rank): " +
                        (m.host_bytes > 0 ? format_bytes(m.host_bytes) : std::string("not recorded")) +
                        "<br>host memory, rank 0: " +
                        (m.host_rank0_bytes > 0 ? format_bytes(m.host_rank0_bytes) : std::string("not recorded")) +
                        "<br>device memory (largest rank): " +
                        (m.device_bytes > 0 ? format_bytes(m.device_bytes)
                                            : std::string(m.gpu ? "not recorded" : "none (CPU)"));
    if (!m.details.empty()) hover += "<br>" + plotly_text(m.details);
    const std::string host = m.host_bytes > 0 ? format_bytes(m.host_bytes) : "not recorded";
    const std::string device = m.device_bytes > 0 ? format_bytes(m.device_bytes) : (m.gpu ? "not recorded" : "none (CPU)");
    hx.push_back(m.host_bytes / kGiB);
    hy.push_back(static_cast<int>(i));
    ht.push_back(plotly_text(host));
    hh.push_back(hover);
    dx.push_back(m.device_bytes / kGiB);
    dy.push_back(static_cast<int>(i));
    dt.push_back(plotly_text(device));
    dh.push_back(hover);
    top = std::max({top, m.host_bytes / kGiB, m.device_bytes / kGiB});
    room.push_back({std::max(m.host_bytes, m.device_bytes) / kGiB, std::max(display_chars(host), display_chars(device))});
  }
  std::vector<std::string> names;
  for (const MemoryBar& m : data.memory) names.push_back(m.label);
  const RowLayout rows = row_layout(names, kHtmlRowMetrics);
  for (const auto& lines : rows.lines) labels.push_back(plotly_lines(lines));
  const int left = static_cast<int>(rows.left_px);
  constexpr int kRight = 40, kBottom = 120;
  // Two bars per row: at least two lines of room.
  const int height = chart_height(rows, kTopMarginStill, kBottom, true);
  double x_max = top > 0 ? top : 1;
  const double plot_px = style::kWidth - left - kRight;
  for (const AxisLabel& l : room) x_max = std::max(x_max, l.x_s + (l.chars * style::kHtmlCharPx * 13 / 15 + 16) * x_max / plot_px);
  x_max *= 1.05;
  auto trace = [&](const char* name, const char* color, json x, json y, json text, json hover) {
    return json{{"type", "bar"}, {"orientation", "h"}, {"name", name}, {"x", std::move(x)}, {"y", std::move(y)},
                {"text", std::move(text)}, {"textposition", "outside"}, {"cliponaxis", false},
                {"textfont", {{"size", 13}, {"color", style::kInk}}},
                {"marker", {{"color", color}, {"line", {{"color", color}, {"width", 1}}}}},
                {"hovertext", std::move(hover)}, {"hoverinfo", "text"}};
  };
  json traces = json::array({trace("host memory (peak RSS)", style::kHostMemory, hx, hy, ht, hh),
                             trace("device memory (GPU)", style::kDeviceMemory, dx, dy, dt, dh)});
  json layout = base_layout("Peak memory: " + data.cluster_name + " vs laptop", data.job_description, kTopMarginStill,
                            left, kRight, height);
  layout["barmode"] = "group";
  layout["bargap"] = 0.3;
  layout["xaxis"] = {{"title", {{"text", "peak memory, GiB (measured; largest rank)"}}}, {"range", {0, x_max}},
                     {"autorange", false}, {"gridcolor", style::kGrid}, {"zeroline", false}, {"rangemode", "tozero"}};
  layout["yaxis"] = {{"tickmode", "array"}, {"tickvals", ticks}, {"ticktext", labels},
                     {"range", {static_cast<double>(data.memory.size()) - 0.5, -0.5}}, {"autorange", false},
                     {"showgrid", false}, {"zeroline", false}};
  layout["margin"]["b"] = kBottom;
  const double plot_height = height - kTopMarginStill - kBottom;
  layout["legend"] = {{"orientation", "h"}, {"x", 0}, {"xanchor", "left"}, {"y", -62 / plot_height},
                      {"yanchor", "top"}, {"font", {{"size", 13}}}, {"bgcolor", "rgba(255,255,255,0)"},
                      {"traceorder", "normal"}};

  HtmlChart chart;
  chart.page_title = data.cluster_name + " vs laptop: peak memory";
  chart.figure = {{"data", traces}, {"layout", layout}};
  chart.notes = common_notes(data,
      "How to read: for each configuration, the largest peak resident memory of any of its processes (host) "
      "and the largest peak GPU memory LibTorch allocated on any rank (device), over its runs; measured by "
      "the harness. A CPU run has no device memory.");
  return chart;
}

}  // namespace lb::charts
