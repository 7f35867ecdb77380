// SIGINT and SIGTERM as a file descriptor that becomes readable when one arrives, so that a poll()
// loop ends cleanly on Ctrl-C (exit 0) instead of being killed mid-answer. The previous handlers
// are put back when the object goes.
#pragma once

#include <signal.h>

namespace lb::analysis::watch {

class StopSignal {
 public:
  StopSignal();  // throws std::runtime_error when the pipe cannot be made
  ~StopSignal();
  StopSignal(const StopSignal&) = delete;
  StopSignal& operator=(const StopSignal&) = delete;

  int fd() const { return pipe_[0]; }  // readable once SIGINT or SIGTERM arrived
  int signal_number() const;           // the signal that arrived, 0 if none

 private:
  int pipe_[2] = {-1, -1};
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace lb::analysis::watch
