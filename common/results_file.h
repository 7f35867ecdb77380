// The results file (docs/hdf5-schema.md): runs are added to it whole, once each, by a transaction:
// under an exclusive lock on `<file>.lock` the file is copied, the run is written into the copy,
// and the copy is renamed over the original. A process killed at any moment leaves either the old
// or the new file, never a broken one; other runs are never modified.
#pragma once

#include <string>
#include <vector>

#include "common/h5.h"
#include "common/run_journal.h"

namespace lb {

// Adds `run` to the results file at `path` (created if absent). A run already in the file (same
// id, e.g. folded by another process first) is left as it is and reported by returning false.
// Throws std::runtime_error naming the file on failure; the file is then left as it was.
bool add_run_to_results_file(const std::string& path, const RunData& run);

// The schema version of an existing results file; 0 if it has none. Throws if unreadable.
int results_schema_version(const std::string& path);

// Reads one run back (the whole of it: attributes and every table), for tests and tools.
RunData read_run(const std::string& path, const std::string& run_id);
std::vector<std::string> run_ids(const std::string& path);

// The HDF5 compound type of a schema table (its row struct's layout); with `file_type`, only the
// fields that file type has. For writers of test fixtures, which must write what the schema says.
h5::Handle compound_type(const schema::TableInfo& table, hid_t file_type = -1);

// Folds every orphaned journal of `results_path` (its writer is gone: journal_writer_state in
// common/run_journal.h) into the results file, under the file's lock, and removes it. A run still
// `running` in its journal is recorded `crashed` (W&B's word for a run whose process died) with the
// steps it flushed and why its writer counts as gone. An orphaned journal without one whole line
// (its writer was killed before the header was written) holds nothing and is removed. Returns one
// line per journal handled (folded, removed, or why not); never throws for one bad journal.
std::vector<std::string> recover_orphaned_journals(const std::string& results_path);

}  // namespace lb
