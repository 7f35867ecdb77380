// Imports run tables: W&B run-table CSV exports and the project's reference file (the same
// format plus a few extra columns). Column mapping: docs/analyze.md, "Imported tables".
#pragma once

#include <string>
#include <vector>

#include "analysis/input/run_record.h"

namespace lb::analysis {

enum class TableKind {
  WandbExport,  // source label "W&B <file stem>"
  Reference,    // source label from the `source` column, else "reference <file stem>"
};

struct TableImportResult {
  bool ok = false;
  std::string error;  // one line naming the file
  std::vector<RunRecord> runs;
  std::vector<std::string> messages;  // ignored columns, unreadable cells (file and line named)
};

// Every run comes back, whatever its State: failed/crashed runs stay visible; the comparison
// decides what enters speedups. Missing and empty cells become unknown settings.
TableImportResult import_run_table(const std::string& path, TableKind kind);
// The same from text already in memory (path is used in messages and as the run's source).
TableImportResult import_run_table_text(const std::string& text, const std::string& path, TableKind kind);

}  // namespace lb::analysis
