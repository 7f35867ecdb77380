// A run's journal: the append-only file a running harness writes its records to, one JSON object
// per line, so that a flush costs what it adds and a process killed at any moment loses at most
// the line being written. When the run ends the journal is folded into the results file
// (common/results_file.h) and removed; a journal left behind by a killed process is folded by the
// next harness that writes to the same results file, and read as it is by analyze meanwhile.
//
// Line 1: {"journal": "lumibench run", "schema_version": 2, "run_id": ..., "world_size": N}
// Then any of: {"attrs": {...}}, {"step": {...}, "rank_total_s": [...]}, {"epoch": {...}},
// {"evaluation": {...}}, {"allreduce_sweep": {...}}, {"energy": {...}}. Later "attrs" lines
// override earlier ones field by field. Non-finite floats are written as null and read as NaN.
#pragma once

#include <string>
#include <vector>

#include "common/results_schema.h"

namespace lb {

// Everything recorded about one run, as the results file holds it.
struct RunData {
  std::string run_id;
  int world_size = 1;
  schema::RunAttributes attrs;
  std::vector<schema::StepRecord> steps;
  std::vector<double> rank_step_time_s;  // row-major [steps.size(), world_size]
  std::vector<schema::EpochRecord> epochs;
  std::vector<schema::EvaluationRecord> evaluations;
  std::vector<schema::AllreduceSweepRecord> allreduce_sweep;
  std::vector<schema::EnergyRecord> energy;
};

// Appends lines to a journal file it holds an exclusive lock on for its whole life: a journal whose
// lock can be taken belongs to a process that is gone. Not thread-safe (one writer thread).
class JournalWriter {
 public:
  // Creates `path` (its folder must exist) and writes the header line. Throws std::runtime_error
  // naming the file.
  JournalWriter(const std::string& path, const std::string& run_id, int world_size);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // Serialisations of one record each, without the newline.
  static std::string line(const schema::RunAttributes& attrs);
  static std::string line(const schema::StepRecord& row, const std::vector<double>& rank_total_s);
  static std::string line(const schema::EpochRecord& row);
  static std::string line(const schema::EvaluationRecord& row);
  static std::string line(const schema::AllreduceSweepRecord& row);
  static std::string line(const schema::EnergyRecord& row);

  // Writes `text` (whole lines, each ending in '\n') and makes it durable (fdatasync). Throws
  // std::runtime_error naming the file and the system's reason (ENOSPC, EDQUOT, EFBIG).
  void append(const std::string& text);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// What reading a journal found besides the records.
struct JournalReadResult {
  RunData run;
  bool truncated_tail = false;   // the last line was cut short (killed mid-write); it was ignored
  std::vector<std::string> problems;  // lines that could not be used, by line number
};

// Throws std::runtime_error when `path` cannot be read or is not a journal (bad header).
JournalReadResult read_journal(const std::string& path);

// The folder that holds the journals of runs writing to `results_path`: "<results_path>.journals".
std::string journal_dir(const std::string& results_path);
// Journals in that folder, in name order (empty when there is none).
std::vector<std::string> journals_of(const std::string& results_path);
// True when no process holds the journal's lock (its writer is gone).
bool journal_is_orphaned(const std::string& journal_path);

}  // namespace lb
