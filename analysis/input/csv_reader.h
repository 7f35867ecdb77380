// RFC 4180 CSV as W&B exports it: quoted cells may hold commas, doubled quotes and newlines.
#pragma once

#include <string>
#include <vector>

namespace lb::analysis {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::vector<int> row_lines;  // 1-based line on which each row starts, for messages
};

struct CsvParseResult {
  bool ok = false;
  std::string error;  // "line 7: unterminated quoted cell"
  CsvTable table;
};

// Lines starting with '#' before the header are comments (the reference file's provenance note).
// A UTF-8 byte-order mark and CRLF line ends are accepted. Blank lines are skipped.
CsvParseResult parse_csv(const std::string& text);

// Writes one cell, quoted when it holds a comma, quote, CR or LF (quotes doubled).
std::string csv_cell(const std::string& value);

}  // namespace lb::analysis
