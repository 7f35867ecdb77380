// lumi_energy_cost.{gp,dat}: time, energy, carbon and cost per configuration, four panels;
// lumi_memory.{gp,dat}: peak host and device memory per configuration.
#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/gnuplot_charts.h"
#include "charts/gnuplot_common.h"
#include "charts/row_layout.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

int code(Provenance p) { return static_cast<int>(p); }

// Measured solid, extrapolated hatched, imported outlined (as in the comparison chart); modelled
// cross-hatched in the group colour with an outline in the modelled colour.
std::string bar_style(Provenance p, const std::string& color) {
  switch (p) {
    case Provenance::Measured: return "fs solid 1.0 border lc rgb " + color + " fc rgb " + color;
    case Provenance::Extrapolated: return "fs pattern 4 border lc rgb " + color + " fc rgb " + color;
    case Provenance::Imported: return "fs empty border lw 2.5 lc rgb " + color + " fc rgb " + color;
    case Provenance::Modelled: return "fs pattern 1 border lc rgb modelled_color fc rgb " + color + " lw 2";
    case Provenance::ImportedExtrapolated: return "fs pattern 4 border lw 2.5 lc rgb " + color + " fc rgb " + color;
  }
  return "fs solid 1.0 border lc rgb " + color + " fc rgb " + color;
}

struct Panel {
  std::string xlabel;
  int flag_col;  // 0: always present
  int value_col, lo_col, hi_col, kind_col;
  Quantity quantity;
  bool time = false;
  std::string missing;  // text for a row without this figure
  LogRange range;
  std::vector<std::pair<double, std::string>> ticks;
};

}  // namespace

GnuplotChart energy_cost_gnuplot(const ChartData& data, const std::string& stem) {
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one row per configuration, in display order (top to bottom), for the whole job.\n"
      << "# kinds: 0 measured, 1 extrapolated, 2 imported, 3 modelled, 4 imported and extrapolated; has_*: 0 when\n"
      << "# the figure does not exist (then its columns are 0); energy in J, co2e in g, cost in "
      << gnuplot_comment(data.billing_unit).substr(2)
      << "; lo/hi: 95% interval (equal to the value when there is none). group: 1 cluster, 0 laptop, 2 placement\n"
      << "# unknown (pale: 10 + group, a configuration not in the headline; why: `mark`).\n"
      << "# row time_s time_lo time_hi time_kind has_energy energy_j energy_lo energy_hi energy_kind has_co2 co2e_g "
         "co2e_lo co2e_hi has_cost cost cost_lo cost_hi cost_kind group label mark\n";
  const auto group_of = [](const EnergyBar& b) {
    return (b.standing == Standing::Excluded ? 10 : 0) + (b.placement_unknown ? 2 : b.is_cluster ? 1 : 0);
  };
  for (std::size_t i = 0; i < data.energy.size(); ++i) {
    const EnergyBar& b = data.energy[i];
    auto num = [](bool present, double v) { return gp_number(present ? v : 0.0); };
    dat << i << ' ' << gp_number(b.time_s) << ' ' << gp_number(b.time_lo_s) << ' ' << gp_number(b.time_hi_s) << ' '
        << code(b.time_kind) << ' ' << (b.has_energy ? 1 : 0) << ' ' << num(b.has_energy, b.energy_j) << ' '
        << num(b.has_energy, b.energy_lo_j) << ' ' << num(b.has_energy, b.energy_hi_j) << ' ' << code(b.energy_kind)
        << ' ' << (b.has_co2 ? 1 : 0) << ' ' << num(b.has_co2, b.co2_g) << ' ' << num(b.has_co2, b.co2_lo_g) << ' '
        << num(b.has_co2, b.co2_hi_g) << ' ' << (b.has_cost ? 1 : 0) << ' ' << num(b.has_cost, b.cost) << ' '
        << num(b.has_cost, b.cost_lo) << ' ' << num(b.has_cost, b.cost_hi) << ' ' << code(b.cost_kind) << ' '
        << group_of(b) << ' ' << gnuplot_data_field(b.label) << ' ' << gnuplot_data_field(b.mark) << '\n';
  }
  // Labels whole, wrapped, with why a configuration is not in the headline under its name.
  std::vector<std::string> row_labels;
  for (const EnergyBar& b : data.energy) row_labels.push_back(energy_row_label(b));
  RowMetrics metrics = kGnuplotRowMetrics;
  metrics.max_left_px = 330;
  const RowLayout rows = row_layout(row_labels, metrics);

  std::vector<Panel> panels = {
      {"time (log)", 0, 2, 3, 4, 5, Quantity::Count, true, "", {}, {}},
      {"energy (log)", 6, 7, 8, 9, 10, Quantity::Energy, false, "none", {}, {}},
      {"CO2e (log)", 11, 12, 13, 14, 10, Quantity::Co2, false, "none", {}, {}},
      {data.billing_unit + " (log)", 15, 16, 17, 18, 19, Quantity::Count, false, "not billed", {}, {}},
  };
  // Legend: every (group, kind) drawn in any panel, and whether any whisker is.
  std::vector<std::pair<int, Provenance>> combos;
  bool any_interval = false;
  for (std::size_t p = 0; p < panels.size(); ++p) {
    double lo = 0, hi = 0;
    for (const EnergyBar& b : data.energy) {
      const EnergyBar::Figure f = b.figure(static_cast<int>(p));
      if (!f.present) continue;
      const double f_lo = f.hi > f.lo ? f.lo : f.value, f_hi = f.hi > f.lo ? f.hi : f.value;
      lo = lo == 0 ? f_lo : std::min(lo, f_lo);
      hi = std::max(hi, f_hi);
      any_interval = any_interval || f.hi > f.lo;
      const std::pair<int, Provenance> combo{group_of(b), f.kind};
      if (std::find(combos.begin(), combos.end(), combo) == combos.end()) combos.push_back(combo);
    }
    if (lo <= 0) lo = hi = 1;  // no figure in this panel: an empty axis
    panels[p].range = padded_log_range(lo, hi, 3, 1.5);
  }

  const double left = rows.left_px / style::kWidth;
  const double right = 0.975, gap = 0.035;
  const double width = (right - left - 3 * gap) / 4;
  for (Panel& panel : panels) {
    panel.ticks = fit_ticks(panel.time ? time_ticks(panel.range) : quantity_ticks(panel.range, panel.quantity),
                            panel.range, width * style::kWidth, style::kGnuplotCharPx * 10 / 12);
  }
  const int entries = static_cast<int>(combos.size()) + (any_interval ? 1 : 0);
  // The panels' top and bottom (below): 156 px and 120 px at the standard height.
  constexpr double kPanelTopPx = 156, kPanelBottomPx = 120;
  const int height = chart_height(rows, kPanelTopPx, kPanelBottomPx, false);
  const std::string file = gnuplot_string(stem + ".dat");
  const auto color_of = [](int group) {
    const std::string base = style::group_color(group % 10 == 1, group % 10 == 2);
    return group >= 10 ? gnuplot_string(style::muted_color(base))
                       : std::string(group % 10 == 2 ? "unknown_color" : group % 10 == 1 ? "cluster_color" : "laptop_color");
  };

  std::ostringstream gp;
  gp << gnuplot_prologue(stem, "Time, energy, carbon and cost per configuration: " + data.cluster_name + " vs laptop",
                         height)
     << "modelled_color = " << gnuplot_string(style::kModelled) << "\n"
     << gnuplot_titles("Time, energy, CO2e and cost: " + data.cluster_name + " vs laptop", data.job_description, height)
     << "set label 103 " << gnuplot_string(shorten(data.energy_footnote, 160)) << " at screen 0.01, screen "
     << gp_number(18.0 / height) << " left textcolor rgb muted font font.','.(fontsize-3)\n"
     << "set label 104 'solid: measured   hatched: extrapolated   outlined: imported   cross-hatched, pink outline: "
        "modelled   whiskers: 95% interval' at screen 0.01, screen "
     << gp_number(39.0 / height) << " left textcolor rgb muted font font.','.(fontsize-3)\n"
     << "set label 105 'pale: not in the headline (why: under the name)   grey: placement unknown (not billed, no "
        "site grid)' at screen 0.01, screen "
     << gp_number(58.0 / height) << " left textcolor rgb muted font font.','.(fontsize-3)\n"
     << "bar = 0.31  # half the bar height, in rows\n"
     << "set style fill solid 1.0 border\n"
     << "set grid noytics\n"
     << "set yrange [" << data.energy.size() << "-0.5:-0.5]\n"
     << "unset ytics\n"
     << "set logscale x\n"
     << "set mxtics default\n\n"
     << "# The four panels are drawn twice: once for the PNG, once for the PDF.\n"
     << "do for [pass = 1:2] {\n"
     << "  if (pass == 2) {\n"
     << "    set terminal pdfcairo size " << gp_number(style::kPdfWidthIn) << "in," << gp_number(height / 72.0)
     << "in noenhanced font font.','.fontsize\n"
     << "    set output '" << stem << ".pdf'\n"
     << "  }\n"
     << "  set multiplot\n";
  for (std::size_t p = 0; p < panels.size(); ++p) {
    const Panel& panel = panels[p];
    const double l = left + p * (width + gap);
    std::string tics;
    for (const auto& [v, label] : panel.ticks) tics += (tics.empty() ? "" : ", ") + gnuplot_string(label) + " " + gp_number(v);
    gp << "  # Panel " << p + 1 << ": " << panel.xlabel << "\n";
    // The row labels beside the first panel only (set in each pass: the PDF pass starts over).
    if (p == 0) {
      gp << "  " << gnuplot_key_above(entries, height) << gnuplot_row_labels(rows.lines, 300);
    } else if (p == 1) {
      gp << "  unset key\n" << gnuplot_unset_row_labels(rows.lines.size(), 300);
    }
    gp << "  set lmargin at screen " << gp_number(l) << "\n"
       << "  set rmargin at screen " << gp_number(l + width) << "\n"
       << "  set tmargin at " << screen_from_top(kPanelTopPx, height) << "\n"
       << "  set bmargin at screen " << gp_number(kPanelBottomPx / height) << "\n"
       << "  set xrange [" << gp_number(panel.range.lo) << ":" << gp_number(panel.range.hi) << "]\n"
       << "  set xtics (" << tics << ") font font.','.(fontsize-2)\n"
       << "  set xlabel " << gnuplot_string(panel.xlabel) << " textcolor rgb ink\n"
       << "  xmin = " << gp_number(panel.range.lo) << "\n"
       << "  plot \\\n";
    const std::string flag = panel.flag_col > 0 ? "$" + std::to_string(panel.flag_col) + " == 1 && " : "";
    const std::string v = "$" + std::to_string(panel.value_col), lo = "$" + std::to_string(panel.lo_col),
                      hi = "$" + std::to_string(panel.hi_col), kind = "$" + std::to_string(panel.kind_col);
    for (const auto& [group, k] : combos) {
      gp << "    " << file << " using ((" << flag << "$20 == " << group << " && " << kind << " == " << code(k)
         << ") ? xmin : NaN):1:(xmin):(" << v << "):($1-bar):($1+bar)"
         << " with boxxyerror " << bar_style(k, color_of(group)) << " notitle, \\\n";
    }
    gp << "    " << file << " using ((" << flag << hi << " > " << lo << ") ? " << v << " : NaN):1:" << lo.substr(1) << ":"
       << hi.substr(1) << " with xerrorbars pt 0 lw 1.5 lc rgb '#444444' notitle";
    // Rows without this figure say so (only when there is one: gnuplot 5.4 crashes on a labels
    // plot whose every row is skipped).
    bool any_missing = false;
    for (const EnergyBar& b : data.energy) any_missing = any_missing || !b.figure(static_cast<int>(p)).present;
    if (!panel.missing.empty() && any_missing) {
      // Cost of a configuration whose placement is unknown: not "not billed" (a laptop's), unknown.
      gp << ", \\\n    " << file << " using (xmin*1.3):(($" << panel.flag_col << " == 1) ? NaN : $1):"
         << (p == 3 ? "(stringcolumn(20) eq '2' || stringcolumn(20) eq '12' ? 'site unknown' : " +
                          gnuplot_string(panel.missing) + ")"
                    : "(" + gnuplot_string(panel.missing) + ")")
         << " with labels left textcolor rgb muted notitle";
    }
    if (p == 0) {
      for (const auto& [group, k] : combos) {
        if (group >= 10) continue;  // pale rows: named by the footnote, not once per kind
        gp << ", \\\n    keyentry with boxes " << bar_style(k, color_of(group)) << " title "
           << gnuplot_string(style::group_label(data.cluster_name, group == 1, group == 2) + " \u00b7 " +
                             style::provenance_legend(k));
      }
      if (any_interval) gp << ", \\\n    keyentry with xerrorbars pt 0 lw 1.5 lc rgb '#444444' title '95% interval'";
    }
    gp << "\n";
  }
  gp << "  unset multiplot\n"
     << "}\n"
     << "unset output\n";
  return {gp.str(), dat.str()};
}

GnuplotChart memory_gnuplot(const ChartData& data, const std::string& stem) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one row per configuration, in display order (top to bottom). Measured peaks in GiB,\n"
      << "# 0 = not recorded: host = peak resident memory of the largest rank (rank 0's when only that is\n"
      << "# recorded), host_rank0 = rank 0's, device = peak GPU memory allocated, largest rank (0 on CPU).\n"
      << "# row host_gib host_rank0_gib device_gib group label host_label device_label\n";
  double top = 0;
  std::vector<AxisLabel> labels;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < data.memory.size(); ++i) {
    const MemoryBar& m = data.memory[i];
    const std::string host = m.host_bytes > 0 ? format_bytes(m.host_bytes) : "not recorded";
    const std::string device = m.device_bytes > 0 ? format_bytes(m.device_bytes) : (m.gpu ? "not recorded" : "none (CPU)");
    dat << i << ' ' << gp_number(m.host_bytes / kGiB) << ' ' << gp_number(m.host_rank0_bytes / kGiB) << ' '
        << gp_number(m.device_bytes / kGiB) << ' ' << (m.is_cluster ? 1 : 0) << ' ' << gnuplot_data_field(m.label) << ' '
        << gnuplot_data_field(host) << ' ' << gnuplot_data_field(device) << '\n';
    names.push_back(m.label);
    top = std::max({top, m.host_bytes / kGiB, m.device_bytes / kGiB});
    labels.push_back({std::max(m.host_bytes, m.device_bytes) / kGiB, std::max(display_chars(host), display_chars(device))});
  }
  // Labels whole: wrapped, and the chart as tall as its rows (two bars each) need.
  const RowLayout rows = row_layout(names, kGnuplotRowMetrics);
  const int height = chart_height(rows, gnuplot_key_above_top_px(2), kGnuplotBottomPx, true);
  const double left_px = rows.left_px;
  const double plot_px = 0.97 * style::kWidth - left_px;
  // Linear axis with room after the longest bar for its label.
  double x_max = top > 0 ? top : 1;
  for (const AxisLabel& l : labels) {
    const double need = l.x_s + (l.chars * style::kGnuplotCharPx + 16) * x_max / plot_px;
    x_max = std::max(x_max, need);
  }
  x_max *= 1.05;
  const std::string file = gnuplot_string(stem + ".dat");
  std::ostringstream gp;
  gp << gnuplot_prologue(stem, "Peak memory per configuration: " + data.cluster_name + " vs laptop", height)
     << "host_color = " << gnuplot_string(style::kHostMemory) << "\n"
     << "device_color = " << gnuplot_string(style::kDeviceMemory) << "\n"
     << gnuplot_titles("Peak memory: " + data.cluster_name + " vs laptop", data.job_description, height)
     << "set xrange [0:" << gp_number(x_max) << "]\n"
     << "set xlabel 'peak memory, GiB (measured; largest rank)' textcolor rgb ink\n"
     << "set yrange [" << data.memory.size() << "-0.5:-0.5]\n"
     << "unset ytics\n"
     << gnuplot_row_labels(rows.lines, 300)
     << "set lmargin at screen " << gp_number(left_px / style::kWidth) << "\n"
     << "set rmargin at screen 0.97\n"
     << "set grid noytics\n"
     << gnuplot_key_above(2, height)
     << "set label 103 'host: peak resident set of the process (largest rank); device: peak GPU memory allocated by "
        "LibTorch (largest rank)' at screen 0.01, screen " << gp_number(18.0 / height)
     << " left textcolor rgb muted font font.','.(fontsize-2)\n"
     << "bar = 0.17  # half the height of each of the two bars, in rows\n\n"
     << "plot \\\n"
     << "  " << file << " using (($2 > 0) ? $2/2 : NaN):($1-bar):(0):2:($1-2*bar):($1) with boxxyerror "
        "fs solid 1.0 border lc rgb host_color fc rgb host_color title 'host memory (peak RSS)', \\\n"
     << "  " << file << " using (($4 > 0) ? $4/2 : NaN):($1+bar):(0):4:($1):($1+2*bar) with boxxyerror "
        "fs solid 1.0 border lc rgb device_color fc rgb device_color title 'device memory (GPU)', \\\n"
     << "  " << file << " using ($2 + " << gp_number(x_max * 0.01) << "):($1-bar):7 with labels left textcolor rgb ink notitle, \\\n"
     << "  " << file << " using ($4 + " << gp_number(x_max * 0.01) << "):($1+bar):8 with labels left textcolor rgb muted notitle\n"
     << gnuplot_epilogue(stem, height);
  return {gp.str(), dat.str()};
}

}  // namespace lb::charts
