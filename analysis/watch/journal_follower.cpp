#include "analysis/watch/journal_follower.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

namespace lb::analysis::watch {

JournalFollower::JournalFollower(std::string path) : path_(std::move(path)) { parser_.emplace(path_); }

void JournalFollower::restart() {
  parser_.emplace(path_);
  pending_.clear();
  offset_ = 0;
  error_.clear();
  ++restarts_;
}

JournalFollower::Change JournalFollower::poll() {
  // Opened without blocking and checked before reading, as read_journal does: a FIFO named like a
  // journal would block this loop, which also serves the page.
  const int fd = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      const bool was = removed_;
      removed_ = true;
      return was ? Change::None : Change::Removed;
    }
    if (error_.empty()) {
      error_ = path_ + ": cannot open the run journal: " + std::strerror(errno);
      open_error_ = true;
      return Change::Failed;
    }
    return Change::None;
  }
  // Permissions or file descriptors ran out for a while, not the journal's content: read on.
  if (open_error_) {
    error_.clear();
    open_error_ = false;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    const bool first = error_.empty();
    if (first) error_ = path_ + ": not a regular file; a run journal must be one";
    return first ? Change::Failed : Change::None;
  }
  bool restarted = false;
  if (removed_ || (identified_ && (st.st_dev != dev_ || st.st_ino != ino_)) ||
      std::uint64_t(st.st_size) < offset_) {
    // Another file under the journal's name, or this one cut shorter: what was read no longer
    // describes it.
    restart();
    restarted = true;
  }
  removed_ = false;
  identified_ = true;
  dev_ = st.st_dev;
  ino_ = st.st_ino;
  if (!error_.empty()) {  // the same file that failed: nothing new can make its start readable
    ::close(fd);
    return Change::None;
  }
  if (std::uint64_t(st.st_size) > kMaxJournalBytes) {
    ::close(fd);
    error_ = path_ + ": " + std::to_string(std::uint64_t(st.st_size)) + " bytes, more than the limit of " +
             std::to_string(kMaxJournalBytes) + " bytes for a run journal; no longer read";
    return Change::Failed;
  }

  std::size_t lines = 0;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::pread(fd, buf, sizeof buf, off_t(offset_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error_ = path_ + ": cannot read the run journal: " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    offset_ += std::uint64_t(n);
    // What was pending holds no '\n': only the new bytes are searched, so a long line arriving in
    // many pieces is scanned once.
    const std::size_t searched = pending_.size();
    pending_.append(buf, std::size_t(n));
    // Whole lines go to the parser; the rest waits for its '\n'.
    std::size_t end = pending_.find('\n', searched);
    if (end != std::string::npos) {
      std::size_t start = 0;
      try {
        do {
          parser_->add(std::string_view(pending_).substr(start, end - start));
          ++lines;
          start = end + 1;
        } while ((end = pending_.find('\n', start)) != std::string::npos);
      } catch (const std::exception& e) {  // the header is not a journal's
        error_ = e.what();
        break;
      }
      pending_.erase(0, start);
    }
    if (pending_.size() > kMaxJournalLineBytes) {
      error_ = path_ + ": a line of more than " + std::to_string(kMaxJournalLineBytes >> 20) +
               " MiB without its end; not a journal the harness wrote, no longer read";
      break;
    }
    if (offset_ >= kMaxJournalBytes) break;
  }
  ::close(fd);
  if (!error_.empty()) return Change::Failed;
  if (restarted) return Change::Restarted;
  return lines > 0 ? Change::Appended : Change::None;
}

}  // namespace lb::analysis::watch
