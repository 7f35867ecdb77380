// Writes one run into a results file that may hold many (docs/hdf5-schema.md). Rows and
// attributes are staged in memory and written by flush(), a transaction: the file is copied,
// the copy extended and then renamed over the original, under an exclusive lock on
// `<file>.lock`. A process killed at any moment leaves the last flushed state; concurrent
// writers wait for each other; a failed write (disk full) leaves the file as it was.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "record/records.h"

namespace lb {

class Recorder {
 public:
  using Value = std::variant<std::int64_t, double, std::string>;

  // Nothing is written until the first flush(). Throws std::invalid_argument when `path`'s folder
  // does not exist.
  Recorder(std::string path, std::string run_id, int world_size);

  const std::string& run_id() const { return run_id_; }
  const std::string& path() const { return path_; }

  void set(const std::string& name, Value value);
  // Exact overloads: without them a double would convert to int (a standard conversion) rather
  // than to Value (a user-defined one).
  void set(const std::string& name, int value) { set(name, Value(std::int64_t(value))); }
  void set(const std::string& name, double value) { set(name, Value(value)); }
  void set(const std::string& name, const std::string& value) { set(name, Value(value)); }
  void set(const std::string& name, const char* value) { set(name, Value(std::string(value))); }

  // rank_total_s: every rank's total step time, world_size entries.
  void add_step(const StepRecord& row, const std::vector<double>& rank_total_s);
  void add_epoch(const EpochRecord& row);
  void add_evaluation(const EvalRecord& row);

  // Writes everything staged since the last successful flush. Throws std::runtime_error naming the
  // file on failure; the staged data stay for the next attempt.
  void flush();

  std::int64_t steps_written() const { return steps_written_; }

 private:
  void write_into(const std::string& file_path);

  std::string path_, run_id_;
  int world_size_;
  std::map<std::string, Value> attrs_;
  std::vector<std::string> dirty_attrs_;
  std::vector<StepRecord> steps_;
  std::vector<double> rank_times_;  // row-major [steps_.size(), world_size_]
  std::vector<EpochRecord> epochs_;
  std::vector<EvalRecord> evals_;
  std::int64_t steps_written_ = 0, epochs_written_ = 0;
  bool created_ = false;
};

// "<UTC yyyymmddTHHMMSSZ>-<host>-<pid>[-j<SLURM_JOB_ID>]"
std::string make_run_id();

// The schema version of an existing results file; 0 if it has none. Throws if unreadable.
int results_schema_version(const std::string& path);

// Before a run: `path` is absent or a results file this harness may append to. Throws
// std::invalid_argument naming --output otherwise (not a results file, newer schema).
void check_results_file(const std::string& path);

}  // namespace lb
