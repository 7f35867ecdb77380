// lumi_vs_laptop_comparison.{gp,dat}: time per configuration as horizontal bars on a log axis.
#include <algorithm>
#include <sstream>
#include <tuple>
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

constexpr int kRowLabelIds = 300;  // `set label` ids of the row labels (the notes use 200 + row)
int group_code(const Bar& b) { return b.placement_unknown ? 2 : b.is_cluster ? 1 : 0; }
int standing_code(Standing s) { return static_cast<int>(s); }

// Measured bars are solid, extrapolated ones hatched, imported ones outlined; imported and
// extrapolated ones hatched with the imported outline.
std::string fill_for(Provenance p) {
  switch (p) {
    case Provenance::Measured: return "fs solid 1.0 border";
    case Provenance::Extrapolated: return "fs pattern 4 border";
    case Provenance::Imported: return "fs empty border lw 2.5";
    case Provenance::Modelled: return "fs pattern 2 border";
    case Provenance::ImportedExtrapolated: return "fs pattern 4 border lw 2.5";
  }
  return "fs solid 1.0 border";
}

// "40 of 4,211 configurations shown" out of a sample note.
std::string sample_count(const std::string& note) { return note.substr(0, note.find(':')); }

std::string group_var(int group) { return group == 2 ? "unknown_color" : group == 1 ? "cluster_color" : "laptop_color"; }

}  // namespace

GnuplotChart comparison_gnuplot(const ChartData& data, const std::string& stem) {
  std::ostringstream dat;
  dat << "# " << stem << ".dat: one row per configuration, in display order (top to bottom).\n"
      << "# provenance: 0 measured, 1 extrapolated, 2 imported, 4 imported and extrapolated (rescaled);\n"
      << "# group: 1 cluster, 0 laptop, 2 placement unknown; standing: 0 in the headline, 1 the headline's bar,\n"
      << "# 2 the baseline, 3 not in the headline (drawn pale, the reason in `mark`).\n"
      << "# lo_s/hi_s: 95% interval (equal to time_s when there is none).\n"
      << "# row time_s lo_s hi_s speedup provenance group label speedup_label mark standing\n";
  double lo = data.bars.front().time_s, hi = lo;
  bool any_interval = false, any_mark = false, any_excluded = false, any_headline = false;
  // (group, provenance, pale) in order of appearance.
  std::vector<std::tuple<int, Provenance, bool>> combos;
  for (std::size_t i = 0; i < data.bars.size(); ++i) {
    const Bar& b = data.bars[i];
    const bool interval = b.hi_s > b.lo_s;
    const double b_lo = interval ? b.lo_s : b.time_s, b_hi = interval ? b.hi_s : b.time_s;
    any_interval = any_interval || interval;
    lo = std::min(lo, b_lo);
    hi = std::max(hi, b_hi);
    const bool pale = b.standing == Standing::Excluded;
    any_excluded = any_excluded || pale;
    any_headline = any_headline || b.standing == Standing::Headline;
    const std::tuple<int, Provenance, bool> combo{group_code(b), b.kind, pale};
    if (std::find(combos.begin(), combos.end(), combo) == combos.end()) combos.push_back(combo);
    const bool baseline = !data.baseline_label.empty() && b.label == data.baseline_label;
    const std::string note = style::standing_note(b.standing, b.mark);
    any_mark = any_mark || !note.empty();
    dat << i << ' ' << gp_number(b.time_s) << ' ' << gp_number(b_lo) << ' ' << gp_number(b_hi) << ' '
        << gp_number(b.speedup) << ' ' << code(b.kind) << ' ' << group_code(b) << ' '
        << gnuplot_data_field(b.label) << ' ' << gnuplot_data_field(speedup_label(b.speedup, baseline)) << ' '
        << gnuplot_data_field(note) << ' ' << standing_code(b.standing) << '\n';
  }
  // Every label whole: wrapped into lines; each standing note in a column right of the plot; the
  // chart as tall as its rows need (row_layout.h).
  RowLayout rows = bar_rows(data.bars, kGnuplotRowMetrics);
  std::vector<std::string> notes;
  std::vector<AxisLabel> speedups;
  for (const Bar& b : data.bars) {
    const bool baseline = !data.baseline_label.empty() && b.label == data.baseline_label;
    speedups.push_back({std::max(b.time_s, b.hi_s) * 1.15, display_chars(speedup_label(b.speedup, baseline))});
    notes.push_back(style::standing_note(b.standing, b.mark));
  }
  add_notes(rows, notes);
  // The key names the (group, kind) of the bars in full colour; pale bars, the headline's outline
  // and grey are named on a footnote line (a key of six entries runs off the canvas).
  const int entries = static_cast<int>(combos.size()) + (any_interval ? 1 : 0);
  const double top_px = gnuplot_key_above_top_px(entries);
  const int height = chart_height(rows, top_px, kGnuplotBottomPx, false);
  const double left_px = rows.left_px;
  const double right_px = any_mark ? style::kWidth - kNoteColumnPx - 10 : 0.97 * style::kWidth;
  LogRange range = padded_log_range(lo, hi, 3, 3);
  range.hi = log_axis_end_for_labels(range.lo, range.hi, speedups, right_px - left_px, style::kGnuplotCharPx);
  const std::string file = gnuplot_string(stem + ".dat");

  std::ostringstream gp;
  gp << gnuplot_prologue(stem, "Training time per configuration: " + data.cluster_name + " vs laptop", height)
     << gnuplot_titles("Training time: " + data.cluster_name + " vs laptop",
                       data.job_description + (data.sample_note.empty() ? std::string() : " \u00b7 " + sample_count(data.sample_note)),
                       height)
     << gnuplot_log_time_axis("x", range, right_px - left_px)
     << "set xlabel 'time for the whole job (log scale)' textcolor rgb ink\n"
     << "set yrange [" << data.bars.size() << "-0.5:-0.5]\n"
     << "unset ytics\n"
     << gnuplot_row_labels(rows.lines, kRowLabelIds)
     << "set lmargin at screen " << gp_number(left_px / style::kWidth) << "\n"
     << "set rmargin at screen " << gp_number(right_px / style::kWidth) << "\n"
     << "set grid noytics\n"
     << gnuplot_key_above(entries, height)
     << "set style fill solid 1.0 border\n"
     << "set label 103 'solid: measured   hatched: extrapolated (thick outline: imported, rescaled)   outlined: "
        "imported   whiskers: 95% interval' at screen 0.01, screen " << gp_number(30.0 / height)
     << " left textcolor rgb muted font font.','.(fontsize-2)\n";
  // Why a bar is not in the headline (or that it is the headline's), beside its row right of the
  // plot, in the muted colour.
  for (std::size_t i = 0; i < rows.notes.size(); ++i) {
    if (rows.notes[i].empty()) continue;
    // Centred on the row: a label's first line sits at its position, so raise it half the others.
    gp << "set label " << 200 + i << " " << gnuplot_lines(rows.notes[i], false) << " at graph 1.02, first " << i
       << " offset 0," << gp_number(0.5 * static_cast<double>(rows.notes[i].size() - 1)) << " left front textcolor rgb " << (data.bars[i].standing == Standing::Headline ? "ink" : "muted")
       << " font font.','.(fontsize-2)\n";
  }
  bool any_unknown = false;
  for (const Bar& b : data.bars) any_unknown = any_unknown || b.placement_unknown;
  std::string marks;
  if (any_excluded) marks += "pale: not in the headline (why: right of the plot)   ";
  if (any_headline) marks += "outlined in ink: the headline   ";
  if (any_unknown) marks += "grey: placement unknown (device or node and GPU counts not stated)";
  if (!marks.empty()) {
    gp << "set label 104 " << gnuplot_string(marks) << " at screen 0.01, screen " << gp_number(12.0 / height)
       << " left textcolor rgb muted font font.','.(fontsize-2)\n";
  }
  gp << "xmin = " << gp_number(range.lo) << "\n"
     << "bar = 0.31  # half the bar height, in rows\n\n"
     << "plot \\\n";
  // A row outside a spec's (group, provenance, pale) gets x = NaN, which skips the box.
  for (const auto& [group, kind, pale] : combos) {
    const std::string color = pale ? gnuplot_string(style::muted_color(style::group_color(group == 1, group == 2)))
                                   : group_var(group);
    gp << "  " << file << " using (($7 == " << group << " && $6 == " << code(kind) << " && ($11 == 3) == "
       << (pale ? 1 : 0) << ") ? xmin : NaN):1:(xmin):2:($1-bar):($1+bar) with boxxyerror " << fill_for(kind)
       << " lc rgb " << color << " fc rgb " << color << " ";
    if (pale) {
      gp << "notitle, \\\n";
    } else {
      gp << "title " << gnuplot_string(style::group_label(data.cluster_name, group == 1, group == 2) + " \u00b7 " +
                                       style::provenance_legend(kind)) << ", \\\n";
    }
  }
  if (any_headline) {
    gp << "  " << file << " using (($11 == 1) ? xmin : NaN):1:(xmin):2:($1-bar-0.06):($1+bar+0.06) with boxxyerror "
          "fs empty border lw " << gp_number(style::kHeadlineOutlinePx) << " lc rgb ink notitle, \\\n";
  }
  gp << "  " << file << " using 2:(($4 > $3) ? $1 : NaN):3:4 with xerrorbars pt 0 lw 1.5 lc rgb '#444444' "
     << (any_interval ? "title '95% interval'" : "notitle") << ", \\\n";
  // Speedup labels: those the headline rules out in the muted colour (a plot per group of rows
  // that exists: gnuplot 5.4 crashes on a labels plot whose every row is skipped).
  bool any_in = false;
  for (const Bar& b : data.bars) any_in = any_in || b.standing != Standing::Excluded;
  std::vector<std::string> label_plots;
  if (any_in) {
    label_plots.push_back(file + " using ($4*1.15):(($11 == 3) ? NaN : $1):9 with labels left textcolor rgb ink notitle");
  }
  if (any_excluded) {
    label_plots.push_back(file + " using ($4*1.15):(($11 == 3) ? $1 : NaN):9 with labels left textcolor rgb muted notitle");
  }
  for (std::size_t k = 0; k < label_plots.size(); ++k) {
    gp << "  " << label_plots[k] << (k + 1 < label_plots.size() ? ", \\\n" : "\n");
  }
  gp << gnuplot_epilogue(stem, height);
  return {gp.str(), dat.str()};
}

}  // namespace lb::charts
