#include "util/signals.h"

#include <atomic>
#include <csignal>

namespace lb {
namespace {
std::atomic<int> g_signal{0};
extern "C" void on_stop(int sig) { g_signal.store(sig); }
}  // namespace

void install_stop_handlers() {
  struct sigaction sa = {};
  sa.sa_handler = on_stop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int stop_signal() { return g_signal.load(); }

}  // namespace lb
