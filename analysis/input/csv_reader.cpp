#include "analysis/input/csv_reader.h"

#include <algorithm>
#include <string_view>

namespace lb::analysis {

CsvParseResult parse_csv(const std::string& input) {
  CsvParseResult result;
  auto fail = [&](const std::string& error) {
    result.error = error;
    return std::move(result);
  };
  std::string_view text(input);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  int line = 1;
  size_t i = 0;
  // Leading comment lines (only before the header, where no data cell can start with '#').
  while (i < text.size() && (text[i] == '#' || text[i] == '\n' || text[i] == '\r')) {
    if (text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
    }
    if (i < text.size() && text[i] == '\r') ++i;
    if (i < text.size() && text[i] == '\n') {
      ++i;
      ++line;
    }
  }

  std::vector<std::string> row;
  std::string cell;
  bool quoted = false, cell_was_quoted = false;
  int row_line = line;
  auto end_row = [&]() {
    row.push_back(std::move(cell));
    cell.clear();
    cell_was_quoted = false;
    const bool blank = std::all_of(row.begin(), row.end(), [](const std::string& c) { return c.empty(); });
    if (!blank) {
      if (result.table.header.empty()) {
        result.table.header = std::move(row);
      } else {
        result.table.rows.push_back(std::move(row));
        result.table.row_lines.push_back(row_line);
      }
    }
    row.clear();
  };

  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    switch (c) {
      case '"':
        if (!cell.empty() || cell_was_quoted) {
          return fail("line " + std::to_string(line) + ": quote inside an unquoted cell");
        }
        quoted = cell_was_quoted = true;
        break;
      case ',':
        row.push_back(std::move(cell));
        cell.clear();
        cell_was_quoted = false;
        break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') break;  // CRLF: the LF ends the row
        [[fallthrough]];
      case '\n':
        end_row();
        ++line;
        row_line = line;
        break;
      default:
        if (cell_was_quoted) return fail("line " + std::to_string(line) + ": text after a closing quote");
        cell += c;
    }
  }
  if (quoted) return fail("line " + std::to_string(row_line) + ": unterminated quoted cell");
  if (!cell.empty() || !row.empty() || cell_was_quoted) end_row();
  if (result.table.header.empty()) return fail("no header row");
  result.ok = true;
  return result;
}

std::string csv_cell(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace lb::analysis
