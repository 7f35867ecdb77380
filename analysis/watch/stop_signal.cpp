#include "analysis/watch/stop_signal.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace lb::analysis::watch {
namespace {

// One process-wide pipe: a signal handler can reach only globals, and write() is safe in it.
volatile sig_atomic_t g_write_fd = -1;
volatile sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
  const int saved = errno;
  g_signal = sig;
  const char c = 1;
  if (g_write_fd >= 0) [[maybe_unused]] const ssize_t n = ::write(g_write_fd, &c, 1);
  errno = saved;
}

}  // namespace

StopSignal::StopSignal() {
  if (::pipe2(pipe_, O_CLOEXEC | O_NONBLOCK) != 0)
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  g_signal = 0;
  g_write_fd = pipe_[1];
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, &old_int_);
  ::sigaction(SIGTERM, &sa, &old_term_);
}

StopSignal::~StopSignal() {
  ::sigaction(SIGINT, &old_int_, nullptr);
  ::sigaction(SIGTERM, &old_term_, nullptr);
  g_write_fd = -1;
  ::close(pipe_[0]);
  ::close(pipe_[1]);
}

int StopSignal::signal_number() const { return g_signal; }

}  // namespace lb::analysis::watch
