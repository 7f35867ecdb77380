#include "charts/gnuplot_common.h"

#include <cstdio>

#include "charts/escape.h"
#include "charts/style.h"

namespace lb::charts {

std::string gp_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string gnuplot_row_labels(const std::vector<std::vector<std::string>>& lines, int first_id) {
  std::string out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    // A label's first line sits at its position: raise it by half the other lines to centre it.
    out += "set label " + std::to_string(first_id + static_cast<int>(i)) + " " + gnuplot_lines(lines[i], false) +
           " at graph 0, first " + std::to_string(i) + " right offset -0.8," +
           gp_number(0.5 * static_cast<double>(lines[i].empty() ? 0 : lines[i].size() - 1)) +
           " textcolor rgb ink front\n";
  }
  return out;
}

std::string gnuplot_unset_row_labels(std::size_t rows, int first_id) {
  std::string out;
  for (std::size_t i = 0; i < rows; ++i) out += "unset label " + std::to_string(first_id + static_cast<int>(i)) + "\n";
  return out;
}

std::string screen_from_top(double px, int height) { return "screen " + gp_number(1.0 - px / height); }

std::string gnuplot_prologue(const std::string& stem, const std::string& what, int height) {
  const std::string s = std::string() +
      gnuplot_comment(what) + "\n"
      "# Written by lumibench analyze. To restyle, edit this file and run in this directory:\n"
      "#   gnuplot " + stem + ".gp\n"
      "# It reads " + stem + ".dat and writes " + stem + ".png and " + stem + ".pdf.\n\n"
      "# --- style ---\n"
      "font = " + gnuplot_string(style::kFont) + "\n"
      "fontsize = " + std::to_string(style::kGnuplotFontPt) + "\n"
      "titlesize = " + std::to_string(style::kGnuplotTitlePt) + "\n"
      "ink = " + gnuplot_string(style::kInk) + "\n"
      "muted = " + gnuplot_string(style::kMuted) + "\n"
      "grid_color = " + gnuplot_string(style::kGrid) + "\n"
      "cluster_color = " + gnuplot_string(style::kCluster) + "\n"
      "laptop_color = " + gnuplot_string(style::kLaptop) + "\n"
      "ideal_color = " + gnuplot_string(style::kIdeal) + "\n"
      "efficiency_color = " + gnuplot_string(style::kEfficiency) + "\n"
      "unknown_color = " + gnuplot_string(style::kUnknownPlacement) + "\n\n"
      // noenhanced: labels from data must print as written (no ^ _ @ { } markup).
      "set terminal pngcairo size " + std::to_string(style::kWidth) + "," + std::to_string(height) +
      " noenhanced font font.','.fontsize background rgb 'white'\n"
      "set output '" + stem + ".png'\n"
      "set encoding utf8\n"
      "set border 3 lc rgb muted\n"
      "set tics nomirror textcolor rgb ink\n"
      "set grid back lc rgb grid_color lw 1\n"
      "set key textcolor rgb ink\n\n";
  return s;
}

std::string gnuplot_epilogue(const std::string& stem, int height) {
  return "\n# The same chart as PDF (vector, for print and slides).\n"
         "set terminal pdfcairo size " + gp_number(style::kPdfWidthIn) + "in," +
         gp_number(height / 72.0) + "in noenhanced font font.','.fontsize\n"
         "set output '" + stem + ".pdf'\n"
         "replot\n"
         "unset output\n";
}

std::string gnuplot_log_time_axis(const char* axis, const LogRange& range, double plot_px) {
  std::string tics;
  auto ticks = time_ticks(range);
  if (plot_px > 0) ticks = fit_ticks(ticks, range, plot_px, style::kGnuplotCharPx);
  for (const auto& [seconds, label] : ticks) {
    tics += (tics.empty() ? "" : ", ") + gnuplot_string(label) + " " + gp_number(seconds);
  }
  return std::string("set logscale ") + axis + "\n" + "set " + axis + "range [" + gp_number(range.lo) +
         ":" + gp_number(range.hi) + "]\n" + "set " + axis + "tics (" + tics + ")\n" +
         "set m" + axis + "tics default\n";
}

// Positions in px from the top (at the standard 600 px: the key at 0.865 of the height, a key row
// 0.034, the title at 0.955, the subtitle at 0.905, the plot below both at 0.86).
constexpr double kKeyTopPx = 81, kKeyRowPx = 20.4, kKeyGapPx = 9;
constexpr double kTitlePx = 27, kSubtitlePx = 57, kBelowTitlesPx = 84;

int key_rows(int entries) { return entries <= 4 ? 2 : 3; }

double gnuplot_key_above_top_px(int entries) { return kKeyTopPx + key_rows(entries) * kKeyRowPx + kKeyGapPx; }

std::string gnuplot_key_above(int entries, int height) {
  const int rows = key_rows(entries);
  // Vertical with a row limit: gnuplot then adds columns, which a horizontal key does not do
  // reliably at a fixed position.
  return "set key at screen 0.5, " + screen_from_top(kKeyTopPx, height) + " center top vertical maxrows " +
         std::to_string(rows) + " width 2 samplen 2.5 Left reverse\n"
         "set tmargin at " + screen_from_top(gnuplot_key_above_top_px(entries), height) + "\n"
         "set bmargin at screen " + gp_number(kGnuplotBottomPx / height) + "\n";
}

std::string gnuplot_titles(const std::string& title, const std::string& subtitle, int height) {
  // Labels at fixed screen positions rather than `set title`, so the subtitle cannot collide with
  // the title whatever the font; the plot area starts below both.
  std::string s = "set label 101 " + gnuplot_string(title) + " at screen 0.5, " + screen_from_top(kTitlePx, height) +
                  " center font font.','.titlesize textcolor rgb ink\n";
  if (!subtitle.empty()) {
    s += "set label 102 " + gnuplot_string(subtitle) + " at screen 0.5, " + screen_from_top(kSubtitlePx, height) +
         " center textcolor rgb muted\n";
  }
  return s + "set tmargin at " + screen_from_top(kBelowTitlesPx, height) + "\n";
}

}  // namespace lb::charts
