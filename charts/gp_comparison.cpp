// lumi_vs_laptop_comparison.{gp,dat}: time per configuration as horizontal bars on a log axis.
#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/gnuplot_charts.h"
#include "charts/gnuplot_common.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

int code(Provenance p) { return static_cast<int>(p); }

// Measured bars are solid, extrapolated ones hatched, imported ones outlined.
std::string fill_for(Provenance p) {
  switch (p) {
    case Provenance::Measured: return "fs solid 1.0 border";
    case Provenance::Extrapolated: return "fs pattern 4 border";
    case Provenance::Imported: return "fs empty border lw 2.5";
    case Provenance::Modelled: return "fs pattern 2 border";
  }
  return "fs solid 1.0 border";
}

}  // namespace

GnuplotChart comparison_gnuplot(const ChartData& data, const std::string& stem) {
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one row per configuration, in display order (top to bottom).\n"
      << "# provenance: 0 measured, 1 extrapolated, 2 imported; group: 1 cluster, 0 laptop.\n"
      << "# lo_s/hi_s: 95% interval (equal to time_s when there is none).\n"
      << "# row time_s lo_s hi_s speedup provenance group label speedup_label\n";
  double lo = data.bars.front().time_s, hi = lo;
  bool any_interval = false;
  std::vector<std::pair<bool, Provenance>> combos;  // (group, provenance) in order of appearance
  for (std::size_t i = 0; i < data.bars.size(); ++i) {
    const Bar& b = data.bars[i];
    const bool interval = b.hi_s > b.lo_s;
    const double b_lo = interval ? b.lo_s : b.time_s, b_hi = interval ? b.hi_s : b.time_s;
    any_interval = any_interval || interval;
    lo = std::min(lo, b_lo);
    hi = std::max(hi, b_hi);
    const std::pair<bool, Provenance> combo{b.is_cluster, b.kind};
    if (std::find(combos.begin(), combos.end(), combo) == combos.end()) combos.push_back(combo);
    const bool baseline = !data.baseline_label.empty() && b.label == data.baseline_label;
    dat << i << ' ' << gp_number(b.time_s) << ' ' << gp_number(b_lo) << ' ' << gp_number(b_hi) << ' '
        << gp_number(b.speedup) << ' ' << code(b.kind) << ' ' << (b.is_cluster ? 1 : 0) << ' '
        << gnuplot_data_field(b.label) << ' ' << gnuplot_data_field(speedup_label(b.speedup, baseline))
        << '\n';
  }
  // Fixed margins: the left one sized for the longest configuration label, and the axis long
  // enough for each speedup label (drawn from 1.15 x the whisker's end) to end inside the plot.
  std::size_t longest = 0;
  std::vector<AxisLabel> speedups;
  for (const Bar& b : data.bars) {
    const bool baseline = !data.baseline_label.empty() && b.label == data.baseline_label;
    longest = std::max(longest, display_chars(b.label));
    speedups.push_back({std::max(b.time_s, b.hi_s) * 1.15, display_chars(speedup_label(b.speedup, baseline))});
  }
  const double left_px = std::clamp(style::kGnuplotCharPx * longest + 40, 100.0, 420.0);
  const double right_px = 0.97 * style::kWidth;
  LogRange range = padded_log_range(lo, hi, 3, 3);
  range.hi = log_axis_end_for_labels(range.lo, range.hi, speedups, right_px - left_px, style::kGnuplotCharPx);
  const std::string file = gnuplot_string(stem + ".dat");

  std::ostringstream gp;
  gp << gnuplot_prologue(stem, "Training time per configuration: " + data.cluster_name + " vs laptop")
     << gnuplot_titles("Training time: " + data.cluster_name + " vs laptop", data.job_description)
     << gnuplot_log_time_axis("x", range)
     << "set xlabel 'time for the whole job (log scale)' textcolor rgb ink\n"
     << "set yrange [" << data.bars.size() << "-0.5:-0.5]\n"
     << "set ytics scale 0\n"
     << "set lmargin at screen " << gp_number(left_px / style::kWidth) << "\n"
     << "set rmargin at screen " << gp_number(right_px / style::kWidth) << "\n"
     << "set grid noytics\n"
     << gnuplot_key_above(static_cast<int>(combos.size()) + (any_interval ? 1 : 0))
     << "set style fill solid 1.0 border\n"
     << "set label 103 'solid: measured   hatched: extrapolated   outlined: imported   whiskers: 95% interval' "
        "at screen 0.01, screen 0.03 left textcolor rgb muted font font.','.(fontsize-2)\n"
     << "xmin = " << gp_number(range.lo) << "\n"
     << "bar = 0.31  # half the bar height, in rows\n\n"
     << "plot \\\n";
  // A row outside a spec's (group, provenance) gets x = NaN, which skips the box but keeps its
  // y tick label valid; the first spec carries every configuration's label.
  bool first = true;
  for (const auto& [cluster, kind] : combos) {
    const std::string color = cluster ? "cluster_color" : "laptop_color";
    const std::string group = cluster ? data.cluster_name : "Laptop";
    gp << "  " << file << " using (($7 == " << (cluster ? 1 : 0) << " && $6 == " << code(kind)
       << ") ? xmin : NaN):1:(xmin):2:($1-bar):($1+bar)" << (first ? ":ytic(8)" : "")
       << " with boxxyerror " << fill_for(kind) << " lc rgb " << color << " fc rgb " << color
       << " title " << gnuplot_string(group + " \u00b7 " + style::provenance_legend(kind)) << ", \\\n";
    first = false;
  }
  gp << "  " << file << " using 2:(($4 > $3) ? $1 : NaN):3:4 with xerrorbars pt 0 lw 1.5 lc rgb '#444444' "
     << (any_interval ? "title '95% interval'" : "notitle") << ", \\\n"
     << "  " << file << " using ($4*1.15):1:9 with labels left textcolor rgb ink notitle\n"
     << gnuplot_epilogue(stem);
  return {gp.str(), dat.str()};
}

}  // namespace lb::charts
