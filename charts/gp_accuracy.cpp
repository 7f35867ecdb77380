// lumi_vs_laptop_accuracy_vs_time.{gp,dat}: accuracy per epoch against elapsed time (log).
#include <algorithm>
#include <sstream>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/gnuplot_charts.h"
#include "charts/gnuplot_common.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

// The key shares the right-hand column (about 290 px at 11 pt) with the efficiency panel: longer
// names are shortened there, keeping their provenance; the data file and the HTML have them whole.
constexpr std::size_t kKeyChars = 34;

}  // namespace

GnuplotChart accuracy_gnuplot(const ChartData& data, const std::string& stem) {
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one block per curve (gnuplot index 0, 1, ...), blocks separated by\n"
      << "# two blank lines. Projected curves: measured accuracy per epoch, extrapolated time.\n"
      << "# epoch time_s accuracy_percent\n";
  double lo = 0, hi = 0, top = 0;
  for (std::size_t i = 0; i < data.accuracy.size(); ++i) {
    const AccuracyCurve& c = data.accuracy[i];
    dat << (i ? "\n\n" : "") << "# index " << i << ": " << gnuplot_data_field(c.label) << ' '
        << (c.projected ? "projected" : to_string(c.kind)) << '\n';
    for (const CurvePoint& p : c.points) {
      dat << p.epoch << ' ' << gp_number(p.time_s) << ' ' << gp_number(p.accuracy_pct) << '\n';
      lo = lo == 0 ? p.time_s : std::min(lo, p.time_s);
      hi = std::max(hi, p.time_s);
      top = std::max(top, p.accuracy_pct);
    }
  }
  const std::string file = gnuplot_string(stem + ".dat");

  std::ostringstream gp;
  gp << gnuplot_prologue(stem, "Accuracy against training time: " + data.cluster_name + " vs laptop")
     << gnuplot_titles("Accuracy against training time: " + data.cluster_name + " vs laptop",
                       data.job_description)
     << gnuplot_log_time_axis("x", padded_log_range(lo, hi, 1.6, 1.6))
     << "set xlabel 'elapsed training time (log scale)' textcolor rgb ink\n"
     << "set ylabel 'validation top-1 accuracy (%)' textcolor rgb ink\n"
     << "set yrange [0:" << gp_number(std::min(100.0, std::max(10.0, std::max(top, data.target_accuracy) * 1.15))) << "]\n"
     << "set format y '%g%%'\n"
     // A right-hand column holds the key (top) and the efficiency panel (bottom).
     << "set tmargin at screen 0.84\n"
     << "set bmargin at screen 0.16\n"
     << "set lmargin at screen 0.09\n"
     << "set rmargin at screen 0.64\n"
     << "set key at screen 0.655, screen 0.84 left top Left reverse samplen 2.5 spacing 1.2 font font.','.(fontsize-1)\n";

  // The efficiency side panel, right of the plot, under the key.
  if (!data.efficiency_panel.empty()) {
    const double line = 0.045, bottom = 0.17;
    const double top_y = bottom + line * (data.efficiency_panel.size() + 1) + 0.02;
    gp << "set object 1 rectangle from screen 0.655, screen " << gp_number(bottom - 0.01) << " to screen 0.99, screen "
       << gp_number(top_y) << " fillcolor rgb '#f7f7f7' fillstyle solid 1.0 border lc rgb '#bbbbbb' behind\n"
       << "set label 110 'Efficiency' at screen 0.67, screen " << gp_number(top_y - 0.035)
       << " left font font.':Bold,'.fontsize textcolor rgb ink\n";
    int n = 0;
    for (const auto& [name, value] : data.efficiency_panel) {
      gp << "set label " << 111 + n << ' ' << gnuplot_string(name + ": " + value) << " at screen 0.67, screen "
         << gp_number(top_y - 0.035 - line * (n + 1)) << " left textcolor rgb ink font font.','.(fontsize-1)\n";
      ++n;
    }
  }
  // Settings such as labels must precede the plot command, so the plot specs are collected first.
  std::string specs, end_labels;
  int cluster_n = 0, laptop_n = 0, unknown_n = 0;
  for (std::size_t i = 0; i < data.accuracy.size(); ++i) {
    const AccuracyCurve& c = data.accuracy[i];
    const int nth = c.placement_unknown ? unknown_n++ : c.is_cluster ? cluster_n++ : laptop_n++;
    const std::string color = style::series_color(c.is_cluster, nth, c.placement_unknown);
    const Provenance look = c.projected ? Provenance::Extrapolated : c.kind;
    specs += "  " + file + " index " + std::to_string(i) + " using 2:3 with linespoints lw 2.5 dt " +
             std::to_string(style::gnuplot_dashtype(look)) + " pt " + (look == Provenance::Measured ? "7" : "6") +
             " ps 1 lc rgb " + gnuplot_string(color) + " title " + gnuplot_string(style::curve_legend(c, kKeyChars)) +
             (i + 1 < data.accuracy.size() ? ", \\\n" : "\n");
    if (c.projected && !c.points.empty()) {
      // The word "projected" at the end of the curve, in the curve's colour.
      const CurvePoint& last = c.points.back();
      end_labels += "set label " + std::to_string(200 + i) + " 'projected' at " + gp_number(last.time_s) +
                    ", " + gp_number(last.accuracy_pct) + " right offset -0.6, 0.9 textcolor rgb " +
                    gnuplot_string(color) + " font font.','.(fontsize-1)\n";
    }
  }
  if (data.target_accuracy > 0) {
    // The target (--target-accuracy): a dotted line across the plot, named in the key.
    gp << "set arrow 150 from graph 0, first " << gp_number(data.target_accuracy) << " to graph 1, first "
       << gp_number(data.target_accuracy) << " nohead dt 3 lw 2 lc rgb ink front\n";
    specs.pop_back();  // the last spec's newline: one more follows
    specs += ", \\\n  NaN with lines dt 3 lw 2 lc rgb ink title " +
             gnuplot_string("target " + format_significant(data.target_accuracy, 3) + "% (--target-accuracy)") + "\n";
  }
  gp << end_labels << "\nplot \\\n" << specs;
  gp << gnuplot_epilogue(stem);
  return {gp.str(), dat.str()};
}

}  // namespace lb::charts
