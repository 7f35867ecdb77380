#include "charts/row_layout.h"

#include <algorithm>
#include <cmath>

#include "charts/escape.h"
#include "charts/style.h"
#include "common/format.h"

namespace lb::charts {

RowLayout row_layout(const std::vector<std::string>& labels, const RowMetrics& m) {
  RowLayout r;
  r.line_px = m.line_px;
  const auto wrap = static_cast<std::size_t>(std::max(8.0, std::floor((m.max_left_px - m.pad_px) / m.char_px)));
  std::size_t longest = 0;
  for (const std::string& label : labels) {
    // A line break in a label starts a paragraph of its own (a note under the name).
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= label.size()) {
      const std::size_t end = std::min(label.find('\n', start), label.size());
      for (auto& line : wrap_words(label.substr(start, end - start), wrap)) lines.push_back(std::move(line));
      start = end + 1;
    }
    if (lines.empty()) lines.push_back("");
    for (const std::string& line : lines) longest = std::max(longest, display_chars(line));
    r.max_lines = std::max(r.max_lines, lines.size());
    r.lines.push_back(std::move(lines));
  }
  r.left_px = std::clamp(m.char_px * static_cast<double>(longest) + m.pad_px, m.min_left_px, m.max_left_px);
  return r;
}

RowLayout bar_rows(const std::vector<Bar>& bars, const RowMetrics& m) {
  std::vector<std::string> labels;
  for (const Bar& b : bars) labels.push_back(b.label);
  return row_layout(labels, m);
}

bool RowLayout::any_note() const {
  for (const auto& n : notes) {
    if (!n.empty()) return true;
  }
  return false;
}

void add_notes(RowLayout& rows, const std::vector<std::string>& notes) {
  rows.notes.clear();
  for (const std::string& note : notes) {
    rows.notes.push_back(note.empty() ? std::vector<std::string>{} : wrap_words(note, kNoteChars));
    rows.max_lines = std::max(rows.max_lines, rows.notes.back().size());
  }
}

std::string energy_row_label(const EnergyBar& b) {
  // Shortened: the comparison chart and summary.md give every reason; a row four panels wide has
  // room for the first.
  const std::string note = b.standing == Standing::Excluded ? style::standing_note(b.standing, b.mark) : "";
  return note.empty() ? b.label : b.label + "\n\u26a0 " + shorten(note, 64);
}

int chart_height(const RowLayout& rows, double top_px, double bottom_px, bool two_line_rows) {
  const double lines = static_cast<double>(std::max<std::size_t>(rows.max_lines, two_line_rows ? 2 : 1));
  const double row_px = lines * rows.line_px + 8;
  const double needed = row_px * static_cast<double>(rows.lines.size());
  const double available = style::kHeight - top_px - bottom_px;
  if (needed <= available) return style::kHeight;
  return static_cast<int>(std::ceil(top_px + bottom_px + needed));
}

std::string plotly_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += (out.empty() ? "" : "<br>") + plotly_text(line);
  return out;
}

}  // namespace lb::charts
