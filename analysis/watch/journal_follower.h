// Follows one run journal (common/run_journal.h) while its harness appends to it. Each poll reads
// only the bytes appended since the last one, so following a 10,000-step journal costs what was
// added, not the journal's size. Only whole lines are parsed: a line still being written (no '\n'
// yet) is kept and parsed once it is complete. A journal removed (folded into the results file,
// or deleted) is reported as removed, with everything read from it kept; a file that replaces it
// under the same name (another inode), or one that shrank, is read again from its start.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "common/run_journal.h"

namespace lb::analysis::watch {

// A line longer than this is not one the harness wrote (its longest, a step line of the largest
// world a journal may declare, 2^20 ranks, is about 25 MiB); such a file is refused rather than
// buffered without end.
inline constexpr std::size_t kMaxJournalLineBytes = std::size_t(64) << 20;

class JournalFollower {
 public:
  enum class Change {
    None,       // nothing new (or only part of a line)
    Appended,   // whole lines were added
    Restarted,  // the file was replaced or truncated: read again from its start (the run's data too)
    Removed,    // the file is gone; what was read stays
    Failed,     // not readable as a journal (error()); retried only once the file is replaced
  };

  explicit JournalFollower(std::string path);

  // Reads what was appended since the last poll. Never throws for a bad file.
  Change poll();

  const std::string& path() const { return path_; }
  // Everything read so far: the run, its writer, the lines that could not be used.
  const JournalReadResult& journal() const { return parser_->result(); }
  bool has_header() const { return parser_->has_header(); }
  bool removed() const { return removed_; }
  bool failed() const { return !error_.empty(); }
  const std::string& error() const { return error_; }
  // Bytes of the file parsed (whole lines), and bytes after them waiting for their '\n'.
  std::uint64_t parsed_bytes() const { return offset_ - pending_.size(); }
  std::size_t pending_bytes() const { return pending_.size(); }
  // Times the file was read again from its start (replaced or truncated).
  std::uint64_t restarts() const { return restarts_; }

 private:
  void restart();

  std::string path_;
  std::optional<JournalLineParser> parser_;
  std::string pending_;       // bytes read after the last '\n'
  std::uint64_t offset_ = 0;  // bytes read from the file
  dev_t dev_ = 0;
  ino_t ino_ = 0;
  bool identified_ = false;
  bool removed_ = false;
  std::string error_;
  bool open_error_ = false;  // error_ says the file could not be opened: a later open clears it
  std::uint64_t restarts_ = 0;
};

}  // namespace lb::analysis::watch
