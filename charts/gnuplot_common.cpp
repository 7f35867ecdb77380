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

std::string gnuplot_prologue(const std::string& stem, const std::string& what) {
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
      "efficiency_color = " + gnuplot_string(style::kEfficiency) + "\n\n"
      // noenhanced: labels from data must print as written (no ^ _ @ { } markup).
      "set terminal pngcairo size " + std::to_string(style::kWidth) + "," + std::to_string(style::kHeight) +
      " noenhanced font font.','.fontsize background rgb 'white'\n"
      "set output '" + stem + ".png'\n"
      "set encoding utf8\n"
      "set border 3 lc rgb muted\n"
      "set tics nomirror textcolor rgb ink\n"
      "set grid back lc rgb grid_color lw 1\n"
      "set key textcolor rgb ink\n\n";
  return s;
}

std::string gnuplot_epilogue(const std::string& stem) {
  return "\n# The same chart as PDF (vector, for print and slides).\n"
         "set terminal pdfcairo size " + gp_number(style::kPdfWidthIn) + "in," +
         gp_number(style::kPdfHeightIn) + "in noenhanced font font.','.fontsize\n"
         "set output '" + stem + ".pdf'\n"
         "replot\n"
         "unset output\n";
}

std::string gnuplot_log_time_axis(const char* axis, const LogRange& range) {
  std::string tics;
  for (const auto& [seconds, label] : time_ticks(range)) {
    tics += (tics.empty() ? "" : ", ") + gnuplot_string(label) + " " + gp_number(seconds);
  }
  return std::string("set logscale ") + axis + "\n" + "set " + axis + "range [" + gp_number(range.lo) +
         ":" + gp_number(range.hi) + "]\n" + "set " + axis + "tics (" + tics + ")\n" +
         "set m" + axis + "tics default\n";
}

std::string gnuplot_key_above(int entries) {
  const int rows = entries <= 4 ? 2 : 3;
  const double row = 0.034;  // of the screen height, at the key's font size
  // Vertical with a row limit: gnuplot then adds columns, which a horizontal key does not do
  // reliably at a fixed position.
  return "set key at screen 0.5, screen 0.865 center top vertical maxrows " + std::to_string(rows) +
         " width 2 samplen 2.5 Left reverse\n"
         "set tmargin at screen " + gp_number(0.865 - rows * row - 0.015) + "\n"
         "set bmargin at screen 0.16\n";
}

std::string gnuplot_titles(const std::string& title, const std::string& subtitle) {
  // Labels at fixed screen positions rather than `set title`, so the subtitle cannot collide with
  // the title whatever the font; the plot area starts below both.
  std::string s = "set label 101 " + gnuplot_string(title) +
                  " at screen 0.5, screen 0.955 center font font.','.titlesize textcolor rgb ink\n";
  if (!subtitle.empty()) {
    s += "set label 102 " + gnuplot_string(subtitle) + " at screen 0.5, screen 0.905 center textcolor rgb muted\n";
  }
  return s + "set tmargin at screen 0.86\n";
}

}  // namespace lb::charts
