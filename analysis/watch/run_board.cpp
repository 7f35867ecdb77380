#include "analysis/watch/run_board.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "common/results_file.h"

namespace lb::analysis::watch {
namespace {

// A journal's unusable lines are counted in full but named only this far: a damaged journal must
// not grow every answer to the page.
constexpr std::size_t kProblemsNamed = 5;

const RunData& empty_run() {
  static const RunData run;
  return run;
}

std::string steps_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " step" : " steps"); }

}  // namespace

const char* to_string(RunSource source) {
  switch (source) {
    case RunSource::Journal: return "journal";
    case RunSource::ResultsFile: return "results file";
    case RunSource::JournalRemoved: return "journal removed";
  }
  return "journal";
}

const RunData& BoardRun::data() const {
  if (file_data) return *file_data;
  if (follower) return follower->journal().run;
  return empty_run();
}

RunBoard::RunBoard(std::string results_path, std::size_t newest_file_runs)
    : path_(std::move(results_path)), newest_file_runs_(newest_file_runs) {}

BoardRun& RunBoard::entry(const std::string& id) {
  auto& slot = runs_[id];
  if (!slot) {
    slot = std::make_unique<BoardRun>();
    slot->id = id;
  }
  return *slot;
}

void RunBoard::refresh(double now_unix_s) {
  // Journals first: the harness renames the results file with the run in it before it removes the
  // journal, so a journal seen gone here has its run in the file read next.
  follow_journals();
  read_results_file();
  for (auto& [id, run] : runs_) decide_status(*run, now_unix_s);
}

void RunBoard::follow_journals() {
  std::set<std::string> followed;
  for (const auto& [path, f] : unclaimed_) followed.insert(path);
  for (const auto& [id, run] : runs_)
    if (run->follower) followed.insert(run->follower->path());
  for (const auto& path : journals_of(path_))
    if (!followed.count(path)) unclaimed_.emplace(path, std::make_unique<JournalFollower>(path));

  // Journals of known runs: take in what was appended.
  std::vector<std::unique_ptr<JournalFollower>> detached;
  for (auto& [id, run] : runs_) {
    if (!run->follower || run->file_data) continue;
    BoardRun& r = *run;
    const auto change = r.follower->poll();
    if (change == JournalFollower::Change::Restarted) {
      r.digest.reset();
      ++r.generation;
    }
    if (r.follower->has_header() && r.follower->journal().run.run_id != r.id) {
      // Another run's journal under this name (its header may arrive a poll after the restart):
      // it is listed under its own id from now on; this run keeps nothing from it.
      detached.push_back(std::move(r.follower));
      r.source = RunSource::JournalRemoved;
      continue;
    }
    r.source = r.follower->removed() ? RunSource::JournalRemoved : RunSource::Journal;
    r.digest.update(r.follower->journal().run);
  }
  for (auto& f : detached) unclaimed_.emplace(f->path(), std::move(f));

  // New journals: listed once their header (the run id) is whole.
  for (auto it = unclaimed_.begin(); it != unclaimed_.end();) {
    JournalFollower& f = *it->second;
    const auto change = f.poll();
    if (change == JournalFollower::Change::Removed || (f.removed() && !f.has_header())) {
      it = unclaimed_.erase(it);
      continue;
    }
    if (!f.has_header() || f.failed()) {
      ++it;
      continue;
    }
    BoardRun& r = entry(f.journal().run.run_id);
    if (r.follower || r.file_data) {
      ++it;  // a second journal of one run id (a copy): named among the problems, not shown twice
      continue;
    }
    r.follower = std::move(it->second);
    r.journal_path = r.follower->path();
    r.source = RunSource::Journal;
    r.digest.reset();
    ++r.generation;
    r.digest.update(r.follower->journal().run);
    it = unclaimed_.erase(it);
  }
}

void RunBoard::read_results_file() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    // Not written yet (no run has finished), or gone: the runs already read stay.
    file_seen_ = false;
    file_error_ = errno == ENOENT ? "" : path_ + ": " + std::strerror(errno);
    stamp_.reset();
    return;
  }
  file_seen_ = true;
  const FileStamp stamp{st.st_dev, st.st_ino, st.st_size,
                        std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
  // Adding a run renames a new file over the old one (common/results_file.h): a new inode, so an
  // unchanged stamp means no run was added. The harness renames before it removes the journal, so
  // a run whose journal went is in the file by the time that is seen.
  if (stamp_ && *stamp_ == stamp) return;
  if (!S_ISREG(st.st_mode)) {
    file_error_ = path_ + ": not a regular file; a results file must be one";
    return;
  }
  std::vector<std::string> ids;
  try {
    ids = run_ids(path_);
  } catch (const std::exception& e) {
    // Being replaced at this instant, or not a results file: tried again at the next change.
    file_error_ = e.what();
    stamp_ = stamp;
    return;
  }
  file_error_.clear();
  stamp_ = stamp;
  std::sort(ids.begin(), ids.end());
  file_ids_ = ids;

  // Listed: the newest, and every run seen in a journal (its journal is gone once it is folded).
  std::set<std::string> listed(ids.size() > newest_file_runs_ ? ids.end() - std::ptrdiff_t(newest_file_runs_)
                                                               : ids.begin(),
                               ids.end());
  for (const auto& [id, run] : runs_)
    if (!run->journal_path.empty() && std::binary_search(ids.begin(), ids.end(), id)) listed.insert(id);
  unlisted_ = ids.size() - std::min(ids.size(), listed.size());
  for (const auto& id : listed) {
    BoardRun& r = entry(id);
    if (r.file_data) continue;  // a run in the file is never changed there
    if (!r.follower) r.source = RunSource::ResultsFile;
    try {
      r.file_data = read_run(path_, id);
      r.load_error.clear();
    } catch (const std::exception& e) {
      r.load_error = e.what();  // tried again when the file next changes
      continue;
    }
    // The file holds the run as folded, whole: it replaces the journal's records.
    r.follower.reset();
    r.source = RunSource::ResultsFile;
    r.digest.reset();
    r.digest.update(*r.file_data);
    ++r.generation;
  }
}

void RunBoard::decide_status(BoardRun& r, double now_unix_s) {
  const RunData& d = r.data();
  const std::string recorded = d.attrs.status ? *d.attrs.status : "";
  const std::string error = d.attrs.error ? *d.attrs.error : "";
  r.problems.clear();
  if (r.follower) {
    const JournalReadResult& j = r.follower->journal();
    r.flushes = j.writer.flush_unix_s.size();
    if (!j.writer.flush_unix_s.empty()) r.last_flush_unix_s = j.writer.flush_unix_s.back();
    for (std::size_t i = 0; i < j.problems.size() && i < kProblemsNamed; ++i) r.problems.push_back(j.problems[i]);
    if (j.problems.size() > kProblemsNamed)
      r.problems.push_back(std::to_string(j.problems.size() - kProblemsNamed) + " more lines ignored");
    if (r.follower->failed()) r.problems.push_back(r.follower->error());
  }
  if (!r.load_error.empty()) r.problems.push_back(r.load_error);
  switch (r.source) {
    case RunSource::ResultsFile:
      r.status = recorded.empty() ? "unknown" : recorded;
      r.status_detail = error;
      return;
    case RunSource::JournalRemoved:
      if (recorded.empty() || recorded == "running") {
        r.status = "unknown";
        r.status_detail = "its journal was removed with the run still running, and the run is not in the results file; "
                          "shown as its journal last held it (" + steps_text(d.steps.size()) + ")";
      } else {
        r.status = recorded;
        r.status_detail = (error.empty() ? "" : error + "; ") +
                          std::string("its journal was removed and the run is not in the results file; shown as its "
                                      "journal last held it");
      }
      return;
    case RunSource::Journal:
      break;
  }
  // Followed in its journal. Its writer is asked about only once the header is read: the harness
  // takes the journal's lock before it writes the header, so a probe of the lock never races it.
  WriterState writer;
  if (r.follower && r.follower->has_header()) {
    writer = journal_writer_state(r.follower->path(), r.follower->journal(), now_unix_s);
  }
  if (recorded.empty() || recorded == "running") {
    if (writer.gone) {
      r.status = "crashed";
      r.status_detail = "the process ended without recording an outcome: " + writer.reason + "; its journal holds the " +
                        steps_text(d.steps.size()) + " it flushed (analyze --fold-journals, or the next harness run "
                        "writing to this file, folds it in)";
    } else {
      r.status = recorded.empty() ? "starting" : "running";
      r.status_detail.clear();
    }
    return;
  }
  // An outcome is recorded: the fold into the results file comes next.
  r.status = recorded;
  r.status_detail = (error.empty() ? "" : error + "; ") +
                    std::string(writer.gone ? "its writer ended before folding it into the results file (analyze "
                                              "--fold-journals, or the next harness run, folds it in)"
                                            : "being folded into the results file");
}

std::vector<const BoardRun*> RunBoard::runs() const {
  std::vector<const BoardRun*> out;
  out.reserve(runs_.size());
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it) out.push_back(it->second.get());
  return out;
}

const BoardRun* RunBoard::find(const std::string& id) const {
  auto it = runs_.find(id);
  return it == runs_.end() ? nullptr : it->second.get();
}

const BoardRun* RunBoard::default_run() const {
  for (auto it = runs_.rbegin(); it != runs_.rend(); ++it)
    if (it->second->status == "running" || it->second->status == "starting") return it->second.get();
  return runs_.empty() ? nullptr : runs_.rbegin()->second.get();
}

std::vector<std::string> RunBoard::problems() const {
  std::vector<std::string> out;
  if (!file_error_.empty()) out.push_back(file_error_);
  for (const auto& [path, f] : unclaimed_) {
    if (f->failed()) {
      out.push_back(f->error());
    } else if (f->has_header()) {
      const BoardRun* run = find(f->journal().run.run_id);
      out.push_back(path + ": run " + f->journal().run.run_id +
                    (run && run->file_data ? " is already in the results file" : " has another journal") +
                    "; this one is not shown");
    }
  }
  return out;
}

}  // namespace lb::analysis::watch
