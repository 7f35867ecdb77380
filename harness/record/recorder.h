// Records one run (rank 0). The step loop only queues records (no I/O); a writer thread appends
// them to the run's journal (common/run_journal.h) when asked to flush, making them durable with
// fdatasync, so a flush costs what it adds and the step loop never waits for the disk. finish()
// folds the journal into the results file once (common/results_file.h) and removes it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "common/run_journal.h"

namespace lb {

class Recorder {
 public:
  // Creates the journal `<path>.journals/<run_id>.jsonl` (and its folder) and starts the writer
  // thread. Throws std::invalid_argument when `path`'s folder does not exist, std::runtime_error
  // when the journal cannot be created.
  Recorder(std::string path, std::string run_id, int world_size);
  ~Recorder();  // stops the writer (what is queued is written); does not fold
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  const std::string& run_id() const { return run_id_; }
  const std::string& path() const { return path_; }
  const std::string& journal_path() const { return journal_path_; }

  // Thread-safe; none of these touch the disk.
  void set(const schema::RunAttributes& attrs);  // merged into what was set before
  void add_step(const schema::StepRecord& row, std::vector<double> rank_total_s);
  void add_epoch(const schema::EpochRecord& row);
  void add_evaluation(const schema::EvaluationRecord& row);
  void add_allreduce_sweep(const schema::AllreduceSweepRecord& row);
  void add_energy(const schema::EnergyRecord& row);

  // Asks the writer thread to write what is queued; returns at once.
  void request_flush();
  // Writes what is queued and waits until it is durable. Throws the writer's error.
  void flush();
  // flush(), then folds the journal into the results file and removes it. Throws
  // std::runtime_error naming the file when the fold fails; the journal then stays, complete,
  // and is folded by the next harness writing to that file (and read by analyze meanwhile).
  void finish();

  // The first write error the writer thread met (disk full, quota), if any. Once set, records are
  // still queued but no longer written.
  std::optional<std::string> error() const;

  std::int64_t steps_written() const;
  // Seconds the writer thread has spent writing (its own time, not the step loop's).
  double writer_seconds() const;

 private:
  void writer_loop();
  void write_pending(std::unique_lock<std::mutex>& lock);

  std::string path_, run_id_, journal_path_;
  int world_size_;
  std::unique_ptr<JournalWriter> journal_;

  mutable std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  schema::RunAttributes attrs_;
  bool attrs_dirty_ = false;
  struct StepEntry {
    schema::StepRecord row;
    std::vector<double> rank_total_s;
  };
  using Entry = std::variant<StepEntry, schema::EpochRecord, schema::EvaluationRecord,
                             schema::AllreduceSweepRecord, schema::EnergyRecord>;
  std::vector<Entry> pending_;  // queued by the step loop, serialised by the writer thread
  std::uint64_t requested_ = 0, written_ = 0;  // flush generations
  bool stopping_ = false, finished_ = false;
  std::mutex finish_mu_;  // finish() may race between the step loop and the stop watchdog
  std::optional<std::string> error_;
  std::int64_t steps_queued_ = 0, steps_written_ = 0;
  double writer_seconds_ = 0;
  std::thread writer_;
};

// "<UTC yyyymmddTHHMMSSZ>-<host>-<pid>[-j<SLURM_JOB_ID>][-r<repeat_index>]"
std::string make_run_id(int repeat_index = -1);

// Before a run: `path` is absent or a results file this harness may add to. Throws
// std::invalid_argument naming --output otherwise (not a results file, newer schema).
void check_results_file(const std::string& path);

}  // namespace lb
