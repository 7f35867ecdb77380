// The parts every gnuplot script shares: the restyling header, the PNG-then-PDF output, the log
// time axis ticks.
#pragma once

#include <string>

#include "charts/time_axis.h"

namespace lb::charts {

// Comment block and style variables (font, size, colours) a user edits to restyle, then the
// PNG terminal and output.
std::string gnuplot_prologue(const std::string& stem, const std::string& what);

// After the plot command: the same plot again as PDF.
std::string gnuplot_epilogue(const std::string& stem);

// `set xtics (...)` (or ytics with axis "y") for a log time range, with `set logscale`.
std::string gnuplot_log_time_axis(const char* axis, const LogRange& range);

// The title (raw) centred at the top, the subtitle (raw) below it in the muted colour.
std::string gnuplot_titles(const std::string& title, const std::string& subtitle);

// The key for `entries` entries in two or three rows between the subtitle and the plot area,
// which then gets the whole width; the bottom margin leaves room for the axis title and a
// one-line footnote.
std::string gnuplot_key_above(int entries);

// A full-precision decimal for scripts and data files ("%.10g").
std::string gp_number(double v);

}  // namespace lb::charts
