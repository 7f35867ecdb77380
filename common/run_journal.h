// A run's journal: the append-only file a running harness writes its records to, one JSON object
// per line, so that a flush costs what it adds and a process killed at any moment loses at most
// the line being written. When the run ends the journal is folded into the results file
// (common/results_file.h) and removed; a journal left behind by a killed process is folded by the
// next harness that writes to the same results file, and read as it is by analyze meanwhile.
//
// Line 1: {"journal": "lumibench run", "schema_version": 2, "run_id": ..., "world_size": N,
//          "host": "nid005123", "pid": 4242}   (host and pid: the writer; absent in older journals)
// Then any of: {"attrs": {...}}, {"step": {...}, "rank_total_s": [...]}, {"epoch": {...}},
// {"evaluation": {...}}, {"allreduce_sweep": {...}}, {"energy": {...}}, and after every append
// (the header's too) {"flush": {"unix_s": 1733300000.25}}, the wall clock of that flush. Later
// "attrs" lines override earlier ones field by field. Non-finite floats are written as null and
// read as NaN.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
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

// Who wrote a journal and when it flushed (from its header and its flush lines).
struct JournalWriterInfo {
  std::string host;                  // empty in journals of older harnesses
  std::int64_t pid = 0;              // 0: not recorded
  std::vector<double> flush_unix_s;  // wall clock of every flush, in order
};

// What reading a journal found besides the records.
struct JournalReadResult {
  JournalWriterInfo writer;
  RunData run;
  bool truncated_tail = false;   // the last line was cut short (killed mid-write); it was ignored
  std::vector<std::string> problems;  // lines that could not be used, by line number
};

// A journal larger than this is not read (a journal holds one run; 4 GiB is far past any run's).
inline constexpr std::uint64_t kMaxJournalBytes = std::uint64_t(4) << 30;

// Reads a journal one whole line at a time, exactly as read_journal does (read_journal is this
// parser over the whole file), for a reader that follows a journal while it grows and reads only
// what was appended since it last looked (analyze --watch).
class JournalLineParser {
 public:
  explicit JournalLineParser(std::string path);  // the file's name, for messages

  // One whole line, without its '\n'. The first line must be the header: throws
  // std::runtime_error naming the file when it is not. A later line that cannot be used is named
  // in result().problems and ignored.
  void add(std::string_view line);
  bool has_header() const { return header_; }
  const JournalReadResult& result() const { return result_; }
  JournalReadResult take() { return std::move(result_); }

 private:
  std::string path_;
  JournalReadResult result_;
  std::size_t line_no_ = 0;
  bool header_ = false;
};

// Throws std::runtime_error when `path` cannot be read, is not a regular file, is larger than
// kMaxJournalBytes or is not a journal (bad header). Nothing is read from a FIFO or a device.
JournalReadResult read_journal(const std::string& path);

// The folder that holds the journals of runs writing to `results_path`: "<results_path>.journals".
std::string journal_dir(const std::string& results_path);
// Journals in that folder, in name order (empty when there is none).
std::vector<std::string> journals_of(const std::string& results_path);
// This machine's host name, as journal headers record it.
std::string this_host();

// When a writer on another host counts as gone: silent for this many times the longest gap
// between its flushes (the run's own cadence, validation passes included), and at least
// kMinSilenceS; a journal with no flush after its header, after kSilenceBeforeCadenceS.
inline constexpr double kSilentFlushGaps = 5;
inline constexpr double kMinSilenceS = 120;
inline constexpr double kSilenceBeforeCadenceS = 3600;

// Whether the process writing a journal is gone, and why (one line).
struct WriterState {
  bool gone = false;
  std::string reason;
};

// On the writer's host: gone when its lock can be taken (the writer holds it for its whole life),
// or, where the file system has no locks, when its pid is not alive. Written on another host:
// gone when silent (last flush, or the file's modification time) for longer than the run's
// cadence allows (above). A journal without host (older harnesses): the lock alone.
WriterState journal_writer_state(const std::string& journal_path, const JournalReadResult& read, double now_unix_s);

// journal_writer_state(...).gone for the journal at `journal_path` now (the lock alone when the
// journal cannot be read).
bool journal_is_orphaned(const std::string& journal_path);

}  // namespace lb
