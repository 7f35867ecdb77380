#include "harness/train/stop_watchdog.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>

#include "harness/util/signals.h"

namespace lb {

StopWatchdog::StopWatchdog(double grace_s, std::function<void(int)> on_expire)
    : grace_s_(grace_s), on_expire_(std::move(on_expire)), thread_([this] { watch(); }) {}

StopWatchdog::~StopWatchdog() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    closing_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void StopWatchdog::acknowledge() {
  std::lock_guard<std::mutex> lock(mu_);
  acknowledged_ = true;
  cv_.notify_all();
}

void StopWatchdog::watch() {
  using namespace std::chrono;
  std::unique_lock<std::mutex> lock(mu_);
  // Signal handlers cannot notify a condition variable, so the flag is polled (cheaply).
  while (!closing_ && !acknowledged_ && stop_signal() == 0) cv_.wait_for(lock, milliseconds(50));
  if (closing_ || acknowledged_) return;
  const int sig = stop_signal();
  const auto deadline = steady_clock::now() + duration<double>(grace_s_);
  if (cv_.wait_until(lock, deadline, [&] { return closing_ || acknowledged_; })) return;
  lock.unlock();
  std::fprintf(stderr, "harness: %s: the current step did not finish within %.0f s; it is dropped\n",
               stop_signal_name(sig), grace_s_);
  if (on_expire_) on_expire_(sig);
  std::fflush(stderr);
  _exit(stop_exit_code(sig));
}

}  // namespace lb
