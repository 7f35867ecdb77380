// lumi_bound_attribution.{gp,dat}: where each configuration's steady step time goes.
#include <algorithm>
#include <sstream>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/gnuplot_charts.h"
#include "charts/gnuplot_common.h"
#include "charts/row_layout.h"
#include "charts/style.h"

namespace lb::charts {

GnuplotChart bound_gnuplot(const ChartData& data, const std::string& stem) {
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one row per configuration, in display order (top to bottom).\n"
      << "# Shares of the steady step time (warm-up excluded), 0..1: data wait, compute (forward + backward +\n"
      << "# optimizer), exposed communication, other. group: 1 cluster, 0 laptop.\n"
      << "# row data_wait compute comm other group label bound\n";
  std::vector<std::string> names;
  for (std::size_t i = 0; i < data.bounds.size(); ++i) {
    const BoundBar& b = data.bounds[i];
    dat << i << ' ' << gp_number(b.data_wait) << ' ' << gp_number(b.compute) << ' ' << gp_number(b.comm) << ' '
        << gp_number(b.other) << ' ' << (b.is_cluster ? 1 : 0) << ' ' << gnuplot_data_field(b.label) << ' '
        << gnuplot_data_field(b.bound) << '\n';
    names.push_back(b.label);
  }
  // Labels whole: wrapped, and the chart as tall as its rows need.
  const RowLayout rows = row_layout(names, kGnuplotRowMetrics);
  const int height = chart_height(rows, gnuplot_key_above_top_px(4), kGnuplotBottomPx, false);
  const double left_px = rows.left_px;
  const std::string file = gnuplot_string(stem + ".dat");

  std::ostringstream gp;
  gp << gnuplot_prologue(stem, "Where the step time goes: " + data.cluster_name + " vs laptop", height)
     << "data_wait_color = " << gnuplot_string(style::kDataWait) << "\n"
     << "compute_color = " << gnuplot_string(style::kCompute) << "\n"
     << "comm_color = " << gnuplot_string(style::kComm) << "\n"
     << "other_color = " << gnuplot_string(style::kOther) << "\n"
     << gnuplot_titles("Where the step time goes: " + data.cluster_name + " vs laptop", data.job_description, height)
     // The bars fill 0..100% of the step; the bound label follows at 102%.
     << "set xrange [0:140]\n"
     << "set xtics ('0%%' 0, '20%%' 20, '40%%' 40, '60%%' 60, '80%%' 80, '100%%' 100)\n"
     << "set xlabel 'share of the steady step time (measured)' textcolor rgb ink\n"
     << "set yrange [" << data.bounds.size() << "-0.5:-0.5]\n"
     << "unset ytics\n"
     << gnuplot_row_labels(rows.lines, 300)
     << "set lmargin at screen " << gp_number(left_px / style::kWidth) << "\n"
     << "set rmargin at screen 0.97\n"
     << "set grid noytics\n"
     << gnuplot_key_above(4, height)
     << "set label 103 'bound: data wait or exposed communication >= 20% of the step names it, else compute-bound' "
        "at screen 0.01, screen " << gp_number(18.0 / height) << " left textcolor rgb muted font font.','.(fontsize-2)\n"
     << "bar = 0.31  # half the bar height, in rows\n\n"
     << "plot \\\n";
  struct Part {
    const char* name;
    const char* color;
    const char* from;  // expression of the segment's start (fraction)
    const char* to;
  };
  const Part parts[] = {{"data wait", "data_wait_color", "0", "$2"},
                        {"compute", "compute_color", "$2", "($2+$3)"},
                        {"exposed communication", "comm_color", "($2+$3)", "($2+$3+$4)"},
                        {"other", "other_color", "($2+$3+$4)", "($2+$3+$4+$5)"}};
  for (const Part& p : parts) {
    // A segment of zero width is skipped (x = NaN) rather than drawn as a line.
    gp << "  " << file << " using ((" << p.to << " > " << p.from << ") ? 50*(" << p.from << "+" << p.to
       << ") : NaN):1:(100*" << p.from << "):(100*" << p.to << "):($1-bar):($1+bar)"
       << " with boxxyerror fs solid 1.0 border lc rgb '#ffffff' fc rgb " << p.color << " title "
       << gnuplot_string(p.name) << ", \\\n";
  }
  gp << "  " << file << " using (102):1:8 with labels left textcolor rgb ink notitle\n" << gnuplot_epilogue(stem, height);
  return {gp.str(), dat.str()};
}

}  // namespace lb::charts
