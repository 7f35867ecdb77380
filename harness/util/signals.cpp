#include "harness/util/signals.h"

#include <atomic>
#include <csignal>
#include <initializer_list>

namespace lb {
namespace {
std::atomic<int> g_signal{0};
extern "C" void on_stop(int sig) {
  int expected = 0;
  g_signal.compare_exchange_strong(expected, sig);  // the first request decides the outcome
}
}  // namespace

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int sig : {SIGINT, SIGTERM, SIGUSR1}) sigaction(sig, &sa, nullptr);
  // A file-size limit (ulimit -f, quotas enforced that way) makes write() fail with EFBIG, which
  // the recorder reports; by default the signal would kill the process without a word.
  signal(SIGXFSZ, SIG_IGN);
}

int stop_signal() { return g_signal.load(); }

void request_stop(int sig) { on_stop(sig); }

const char* stop_signal_name(int sig) {
  switch (sig) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1 (time-limit warning)";
    default: return "a signal";
  }
}

int stop_exit_code(int sig) { return 128 + sig; }

}  // namespace lb
