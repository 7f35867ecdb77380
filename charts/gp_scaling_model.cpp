// lumi_scaling_model.{gp,dat}: the scaling model's predicted parallel efficiency against ranks,
// with the measured configurations.
#include <algorithm>
#include <sstream>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/gnuplot_charts.h"
#include "charts/gnuplot_common.h"
#include "charts/style.h"

namespace lb::charts {

GnuplotChart scaling_model_gnuplot(const ChartData& data, const std::string& stem) {
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one row per rank count, smallest first.\n"
      << "# predicted_*: the scaling model (modelled: alpha-beta fit of the allreduce sweep, one-rank step time).\n"
      << "# measured: 1 when a configuration ran at this rank count (measured_* are then its figures).\n"
      << "# efficiency = one-rank step time / step time.\n"
      << "# ranks nodes predicted_step_s predicted_efficiency measured measured_step_s measured_efficiency "
         "efficiency_label label\n";
  int min_ranks = data.model.front().ranks, max_ranks = min_ranks;
  std::string tics;
  bool any_measured = false;
  for (const ScalingModelPoint& p : data.model) {
    dat << p.ranks << ' ' << p.nodes << ' ' << gp_number(p.predicted_step_s) << ' ' << gp_number(p.predicted_efficiency)
        << ' ' << (p.measured ? 1 : 0) << ' ' << gp_number(p.measured ? p.measured_step_s : 0) << ' '
        << gp_number(p.measured ? p.measured_efficiency : 0) << ' '
        << gnuplot_data_field(p.measured ? format_percent(p.measured_efficiency) : std::string("-")) << ' '
        << gnuplot_data_field(p.label) << '\n';
    min_ranks = std::min(min_ranks, p.ranks);
    max_ranks = std::max(max_ranks, p.ranks);
    any_measured = any_measured || p.measured;
    tics += (tics.empty() ? "" : ", ") + std::to_string(p.ranks);
  }
  const std::string file = gnuplot_string(stem + ".dat");

  std::ostringstream gp;
  gp << gnuplot_prologue(stem, data.cluster_name + " scaling model: predicted against measured efficiency")
     << "modelled_color = " << gnuplot_string(style::kModelled) << "\n"
     << gnuplot_titles(data.cluster_name + " scaling model: predicted against measured", data.job_description)
     << "set xlabel 'ranks (log scale)' textcolor rgb ink\n"
     << "set ylabel 'parallel efficiency (%)' textcolor rgb ink\n"
     << "set logscale x 2\n"
     << "set xrange [" << gp_number(std::max(0.5, min_ranks / 1.4)) << ":" << gp_number(max_ranks * 1.4) << "]\n"
     << "set xtics (" << tics << ")\n"
     << "set mxtics 1\n"
     << "set yrange [0:115]\n"
     << "set ytics ('0%%' 0, '25%%' 25, '50%%' 50, '75%%' 75, '100%%' 100)\n"
     << gnuplot_key_above(any_measured ? 3 : 2)
     << "set label 103 " << gnuplot_string(shorten("modelled: " + data.model_description, 150))
     << " at screen 0.01, screen 0.03 left textcolor rgb muted font font.','.(fontsize-3)\n\n"
     << "plot \\\n"
     << "  100 with lines dt 2 lw 2 lc rgb ideal_color title 'ideal (100%)', \\\n"
     // Modelled: dash-dotted line and open diamonds; measured: filled circles.
     << "  " << file << " using 1:($4*100) with linespoints dt " << style::gnuplot_dashtype(Provenance::Modelled)
     << " lw 2.5 pt 12 ps 1.8 lc rgb modelled_color title 'modelled (alpha-beta fit, no overlap)'"
     << (any_measured ? ", \\\n" : "\n");
  if (any_measured) {
    gp << "  " << file << " using 1:(($5 == 1) ? $7*100 : NaN) with points pt 7 ps 2 lc rgb cluster_color title "
       << gnuplot_string(style::provenance_legend(Provenance::Measured)) << ", \\\n"
       << "  " << file << " using 1:(($5 == 1) ? $7*100 : NaN):8 with labels offset 0, -1.5 textcolor rgb cluster_color notitle\n";
  }
  gp << gnuplot_epilogue(stem);
  return {gp.str(), dat.str()};
}

}  // namespace lb::charts
