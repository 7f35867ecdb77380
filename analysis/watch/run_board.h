// The runs of one results file as the live page lists them, kept current by refresh(): every
// journal beside the file (`<file>.journals/*.jsonl`, each followed as it grows by a
// JournalFollower) and the newest runs already in the file. A run is shown from its journal while
// it has one and from the file once it is folded there (the harness folds, then removes the
// journal); a journal that appears later (the next run) joins the list. Its status is the one it
// recorded, except that a journal still `running` whose writer is gone (journal_writer_state,
// common/run_journal.h) is `crashed`, with the reason.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/watch/journal_follower.h"
#include "analysis/watch/run_digest.h"
#include "common/run_journal.h"

namespace lb::analysis::watch {

// Runs of the file listed besides those seen in a journal: the newest by run id (which starts with
// the run's UTC start time). Each listed run is read whole once.
inline constexpr std::size_t kNewestFileRuns = 20;

enum class RunSource {
  Journal,         // followed in its journal
  ResultsFile,     // read from the results file (folded)
  JournalRemoved,  // its journal was removed and the run is not in the results file
};
const char* to_string(RunSource source);

struct BoardRun {
  std::string id;
  RunSource source = RunSource::Journal;
  std::string journal_path;  // empty for a run never seen in a journal
  std::string status;        // the schema's words: running, completed, crashed, ...; "starting" before any
  std::string status_detail;  // one line: why crashed, the recorded error, what is pending
  // Bumped whenever the run's records are replaced rather than grown (its journal replaced, the run
  // now read from the results file): a reader holding a cursor into them starts again.
  std::uint64_t generation = 1;
  RunDigest digest;
  std::optional<double> last_flush_unix_s;  // the journal's newest flush
  std::size_t flushes = 0;
  std::vector<std::string> problems;  // journal lines that could not be used (first few), read errors

  // The records: the journal's while followed, the file's once folded.
  const RunData& data() const;

 private:
  friend class RunBoard;
  std::unique_ptr<JournalFollower> follower;
  std::optional<RunData> file_data;
  std::string load_error;  // why the run could not be read from the results file
};

class RunBoard {
 public:
  explicit RunBoard(std::string results_path, std::size_t newest_file_runs = kNewestFileRuns);

  // Reads what changed since the last refresh: new journal lines, journals that appeared or went,
  // runs added to the file; then decides every run's status at `now_unix_s`. Never throws for bad
  // input: what could not be read is in problems().
  void refresh(double now_unix_s);

  // Newest first (run id descending).
  std::vector<const BoardRun*> runs() const;
  const BoardRun* find(const std::string& id) const;
  // The run a page shows when the reader chose none: the newest running one, else the newest.
  const BoardRun* default_run() const;

  const std::string& results_path() const { return path_; }
  bool results_file_exists() const { return file_seen_; }
  std::size_t file_runs() const { return file_ids_.size(); }       // runs in the results file
  std::size_t unlisted_file_runs() const { return unlisted_; }     // of them, not listed
  // Problems of the whole (the results file unreadable, a journal that is not one), one line each.
  std::vector<std::string> problems() const;

 private:
  void follow_journals();
  void read_results_file();
  void decide_status(BoardRun& run, double now_unix_s);
  BoardRun& entry(const std::string& id);

  std::string path_;
  std::size_t newest_file_runs_;
  std::map<std::string, std::unique_ptr<BoardRun>> runs_;                  // by run id
  std::map<std::string, std::unique_ptr<JournalFollower>> unclaimed_;     // journals without a header yet, or failed
  std::vector<std::string> file_ids_;  // sorted ascending
  std::size_t unlisted_ = 0;
  bool file_seen_ = false;
  std::string file_error_;
  // The results file as last listed: it changes only by rename (a new inode) when a run is added.
  struct FileStamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp& o) const {
      return dev == o.dev && ino == o.ino && size == o.size && mtime_ns == o.mtime_ns;
    }
  };
  std::optional<FileStamp> stamp_;
};

}  // namespace lb::analysis::watch
