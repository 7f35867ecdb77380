// The parts every gnuplot script shares: the restyling header, the PNG-then-PDF output, the log
// time axis ticks.
#pragma once

#include <string>
#include <vector>

#include "charts/style.h"
#include "charts/time_axis.h"

namespace lb::charts {

// Comment block and style variables (font, size, colours) a user edits to restyle, then the
// PNG terminal and output. `height` in px: style::kHeight, or more for a chart whose rows need it
// (every position below is kept in px from the top, so a taller chart keeps its title and key).
std::string gnuplot_prologue(const std::string& stem, const std::string& what, int height = style::kHeight);

// After the plot command: the same plot again as PDF.
std::string gnuplot_epilogue(const std::string& stem, int height = style::kHeight);

// `set xtics (...)` (or ytics with axis "y") for a log time range, with `set logscale`; with
// `plot_px`, only the ticks whose labels do not overlap on an axis that long (fit_ticks).
std::string gnuplot_log_time_axis(const char* axis, const LogRange& range, double plot_px = 0);

// The title (raw) centred at the top, the subtitle (raw) below it in the muted colour.
std::string gnuplot_titles(const std::string& title, const std::string& subtitle, int height = style::kHeight);

// The key for `entries` entries in two or three rows between the subtitle and the plot area,
// which then gets the whole width; the bottom margin leaves room for the axis title and a
// one-line footnote.
std::string gnuplot_key_above(int entries, int height = style::kHeight);

// Px from the top of the chart where the plot area starts under gnuplot_key_above(entries), and
// px of the bottom margin it sets: what a chart has left for its rows.
double gnuplot_key_above_top_px(int entries);
inline constexpr double kGnuplotBottomPx = 96;

// The row labels of a bar chart as `set label` commands (ids first_id, first_id + 1, ...), right
// of nothing but left of the plot area, each centred on its row. Not `set ytics`: gnuplot reads a
// tick label as a format and cuts one holding a '%' at about 45 characters.
std::string gnuplot_row_labels(const std::vector<std::vector<std::string>>& lines, int first_id);
// `unset label` for those ids (a multiplot panel that must not draw them again).
std::string gnuplot_unset_row_labels(std::size_t rows, int first_id);

// A screen coordinate `px` from the top of a chart `height` px high.
std::string screen_from_top(double px, int height);

// A full-precision decimal for scripts and data files ("%.10g").
std::string gp_number(double v);

}  // namespace lb::charts
