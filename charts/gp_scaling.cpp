// lumi_scaling_analysis.{gp,dat}: strong-scaling speedup against nodes or GPUs.
#include <algorithm>
#include <sstream>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/gnuplot_charts.h"
#include "charts/gnuplot_common.h"
#include "charts/style.h"

namespace lb::charts {

GnuplotChart scaling_gnuplot(const ChartData& data, const std::string& stem) {
  const bool gpus = data.scaling_unit == "GPUs";
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one row per cluster configuration, smallest first.\n"
      << "# speedup = t(smallest) / t; ideal = units / units(smallest); efficiency = speedup / ideal.\n"
      << "# provenance: 0 measured, 1 extrapolated, 2 imported, 4 imported and extrapolated; mark: why the text\n"
      << "# does not vouch for the point (below the quality bar, ...), empty when it does.\n"
      << "# " << (gpus ? "gpus" : "nodes") << " speedup ideal efficiency time_s provenance efficiency_label label mark\n";
  bool any_marked = false, any_plain = false;
  double top = 1, bottom = 1;
  int min_units = 0, max_units = 1;
  std::vector<Provenance> kinds;
  std::string tics;
  for (const ScalingPoint& p : data.scaling) {
    const int units = gpus ? p.gpus : p.nodes;
    dat << units << ' ' << gp_number(p.speedup) << ' ' << gp_number(p.ideal) << ' ' << gp_number(p.efficiency)
        << ' ' << gp_number(p.time_s) << ' ' << static_cast<int>(p.kind) << ' '
        << gnuplot_data_field(format_percent(p.efficiency)) << ' ' << gnuplot_data_field(p.label) << ' '
        << gnuplot_data_field(p.mark) << '\n';
    (p.mark.empty() ? any_plain : any_marked) = true;
    top = std::max({top, p.speedup, p.ideal});
    bottom = std::min({bottom, p.speedup, p.ideal});
    min_units = min_units == 0 ? units : std::min(min_units, units);
    max_units = std::max(max_units, units);
    if (std::find(kinds.begin(), kinds.end(), p.kind) == kinds.end()) kinds.push_back(p.kind);
    tics += (tics.empty() ? "" : ", ") + std::to_string(units);
  }
  const std::string file = gnuplot_string(stem + ".dat");

  std::ostringstream gp;
  gp << gnuplot_prologue(stem, data.cluster_name + " strong scaling: speedup against " + data.scaling_unit)
     << gnuplot_titles(data.cluster_name + " strong scaling", data.job_description)
     << "set xlabel " << gnuplot_string(data.scaling_unit + " (log scale)") << " textcolor rgb ink\n"
     << "set ylabel 'speedup over the smallest (log scale)' textcolor rgb ink\n"
     // Log-log (base 2): node counts that double sit evenly apart and ideal scaling is the
     // diagonal, so the gap to it reads the same at every size.
     << "set logscale xy 2\n"
     << "set xrange [" << gp_number(min_units / 1.3) << ":" << gp_number(max_units * 1.3) << "]\n"
     << "set yrange [" << gp_number(bottom / 1.5) << ":" << gp_number(top * 1.3) << "]\n"
     << "set xtics (" << tics << ")\n"
     << "set format y '%g'\n"
     << "set mxtics 1\n"
     << "set mytics 1\n"
     << gnuplot_key_above(2 + static_cast<int>(kinds.size()))
     << "set label 103 'labels: parallel efficiency = speedup / ideal' at screen 0.01, screen 0.03 left "
        "textcolor rgb muted font font.','.(fontsize-2)\n\n"
     << "plot \\\n"
     << "  " << file << " using 1:3 with lines dt 2 lw 2 lc rgb ideal_color title 'ideal (linear) speedup', \\\n"
     << "  " << file << " using 1:2 with lines lw 3 lc rgb cluster_color title 'speedup', \\\n";
  // Markers tell the provenance: filled = measured, open = extrapolated or imported.
  for (Provenance k : kinds) {
    gp << "  " << file << " using 1:(($6 == " << static_cast<int>(k) << ") ? $2 : NaN) with points pt "
       << (k == Provenance::Measured ? 7 : 6) << " ps 2 lw 2.5 lc rgb cluster_color title "
       << gnuplot_string(style::provenance_legend(k)) << ", \\\n";
  }
  // Efficiency labels; a point the text does not vouch for (below the quality bar...) carries why,
  // in the muted colour (a plot per kind of row that exists: gnuplot 5.4 crashes on a labels plot
  // whose every row is skipped).
  std::vector<std::string> labels;
  if (any_plain) {
    labels.push_back(file + " using 1:((strlen(strcol(9)) == 0) ? $2 : NaN):7 with labels offset 0, -1.5 "
                     "textcolor rgb efficiency_color notitle");
  }
  if (any_marked) {
    labels.push_back(file + " using 1:((strlen(strcol(9)) > 0) ? $2 : NaN):(strcol(7).' \u00b7 '.strcol(9)) with labels "
                     "offset 0, -1.5 textcolor rgb muted font font.','.(fontsize-2) notitle");
  }
  for (std::size_t k = 0; k < labels.size(); ++k) gp << "  " << labels[k] << (k + 1 < labels.size() ? ", \\\n" : "\n");
  gp << gnuplot_epilogue(stem);
  return {gp.str(), dat.str()};
}

}  // namespace lb::charts
