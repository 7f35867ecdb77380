// Rows of a bar chart whose labels are never cut: each label is wrapped at spaces into lines that
// fit a left margin of at most a third of the width, and the chart grows taller than
// style::kHeight when its rows need the room (many configurations, long labels, or a note under
// a speedup).
#pragma once

#include <string>
#include <vector>

#include "charts/chart_data.h"

namespace lb::charts {

// How text measures in one renderer (px; generous averages, as style.h's).
struct RowMetrics {
  double char_px;      // average advance of a tick-label character
  double line_px;      // height of one line of tick label
  double pad_px;       // between the longest line and the figure's left edge, and the tick gap
  double min_left_px;  // the narrowest left margin
  double max_left_px;  // the widest: past it, labels wrap
};
// Wider than style.h's averages: a wrapped line must never reach the figure's edge, and capitals,
// '&' and 'W' run wider than the average (measured on the seed's W&B labels).
inline constexpr RowMetrics kGnuplotRowMetrics{8.8, 17.0, 40.0, 100.0, 380.0};
inline constexpr RowMetrics kHtmlRowMetrics{9.2, 19.5, 24.0, 140.0, 380.0};

struct RowLayout {
  std::vector<std::vector<std::string>> lines;  // per row: its label's lines
  std::vector<std::vector<std::string>> notes;  // per row: its note's lines (a column right of the plot); may be empty
  std::size_t max_lines = 1;                    // of a label or a note
  double left_px = 0;   // the left margin the longest line needs
  double line_px = 0;
  bool any_note() const;
};

// The column right of the plot area where notes go (why a bar is not in the headline), px, and
// the characters of a line in it at the note's smaller font.
inline constexpr double kNoteColumnPx = 300;
inline constexpr std::size_t kNoteChars = 40;

// Adds each row's note, wrapped into lines of kNoteChars, to `rows` (empty notes take no room).
void add_notes(RowLayout& rows, const std::vector<std::string>& notes);

// Wraps each label into lines of at most (max_left_px - pad_px) / char_px characters; a '\n' in a
// label starts a new line (a note under the name).
RowLayout row_layout(const std::vector<std::string>& labels, const RowMetrics& m);
RowLayout bar_rows(const std::vector<Bar>& bars, const RowMetrics& m);

// An energy row's label: the name, and for a configuration the headline rules out a second
// paragraph with why (the four panels leave no room for it after the bars).
std::string energy_row_label(const EnergyBar& b);

// style::kHeight, or taller: enough that every row holds its label's and its note's lines (at
// least two when `two_line_rows`: two bars in a row), with `top_px` and `bottom_px` kept for the
// titles, key and axis.
int chart_height(const RowLayout& rows, double top_px, double bottom_px, bool two_line_rows);

// The rows' label lines joined for Plotly (escaped, <br> between lines).
std::string plotly_lines(const std::vector<std::string>& lines);

}  // namespace lb::charts
