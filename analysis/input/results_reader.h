// Reads lumibench results files (docs/hdf5-schema.md) into RunRecords.
#pragma once

#include <string>
#include <vector>

#include "analysis/input/run_record.h"
#include "common/results_schema.h"

namespace lb::analysis {

// The newest results schema this reader understands: the schema it is built from
// (common/results_schema.h); newer files are refused. Every attribute added since version 1 is
// optional here, so older files read as before.
constexpr int kSupportedSchemaVersion = schema::kVersion;

struct FileReadResult {
  bool ok = false;      // false: nothing was read; error says why, naming the file
  std::string error;    // one line
  std::vector<RunRecord> runs;
  std::vector<std::string> messages;  // runs skipped inside an otherwise readable file
};

// Never throws for bad input: unreadable, non-HDF5, foreign (no schema_version or no /runs) and
// newer-schema files come back with ok == false and a one-line error.
FileReadResult read_results_file(const std::string& path);

}  // namespace lb::analysis
