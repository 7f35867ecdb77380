// Honours a stop request within a bounded time even in the middle of a long step. The step loop
// stops between steps on its own (all ranks together); when it has not done so `grace_s` after
// the signal (a step of minutes on a laptop), the watchdog runs `on_expire` (rank 0 records the
// run as interrupted with the unfinished step dropped, and folds its journal) and ends the process
// with the signal's exit code. Slurm sends SIGKILL 30 s after SIGTERM by default, so the grace is
// kept well under that.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lb {

class StopWatchdog {
 public:
  // on_expire runs on the watchdog's thread; the process then exits (_exit) with the signal's code.
  StopWatchdog(double grace_s, std::function<void(int signal)> on_expire);
  ~StopWatchdog();
  StopWatchdog(const StopWatchdog&) = delete;
  StopWatchdog& operator=(const StopWatchdog&) = delete;

  // The step loop has stopped (or finished) and will record the outcome itself.
  void acknowledge();

 private:
  void watch();
  double grace_s_;
  std::function<void(int)> on_expire_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool acknowledged_ = false, closing_ = false;
  std::thread thread_;
};

}  // namespace lb
