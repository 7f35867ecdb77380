#include "harness/util/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "common/format.h"
#include "harness/util/clock.h"

namespace lb {

double eta_s(double elapsed_s, std::int64_t done, std::int64_t planned) {
  if (done <= 0) return NAN;
  return elapsed_s / double(done) * double(planned > done ? planned - done : 0);
}

Progress::Progress(const std::string& mode, double interval_s, bool enabled, std::int64_t planned_steps)
    : interval_s_(interval_s), planned_(planned_steps) {
  enabled_ = enabled && mode != "none";
  bar_ = mode == "bar" || (mode == "auto" && isatty(STDERR_FILENO));
}

void Progress::epoch_start(int epoch, int epochs, std::int64_t steps) {
  epoch_ = epoch;
  epochs_ = epochs;
  steps_ = steps;
  last_print_ = now_s();
  if (run_t0_ < 0) run_t0_ = last_print_;  // the pace counts from the first step, not from setup
}

void Progress::step(std::int64_t done_in_epoch, std::int64_t done_in_run, double images_per_s, double loss) {
  if (!enabled_) return;
  const double now = now_s();
  const std::int64_t done = done_in_epoch;
  const double eta = eta_s(now - run_t0_, done_in_run, planned_);
  if (bar_) {
    constexpr int kWidth = 24;
    const int filled = steps_ > 0 ? int(kWidth * done / steps_) : 0;
    std::string bar(size_t(filled), '#');
    bar.resize(kWidth, '-');
    std::fprintf(stderr, "\repoch %d/%d [%s] %lld/%lld %.1f img/s loss %.4f ETA %s   ", epoch_ + 1, epochs_,
                 bar.c_str(), (long long)done, (long long)steps_, images_per_s, loss, format_duration(eta).c_str());
    std::fflush(stderr);
    bar_open_ = true;
  } else if (now - last_print_ >= interval_s_ || done == steps_) {
    std::fprintf(stderr, "epoch %d/%d step %lld/%lld %.1f img/s loss %.4f ETA %s\n", epoch_ + 1, epochs_,
                 (long long)done, (long long)steps_, images_per_s, loss, format_duration(eta).c_str());
    last_print_ = now;
  }
}

void Progress::message(const std::string& line) {
  if (!enabled_) return;
  if (bar_open_) std::fputc('\n', stderr);
  bar_open_ = false;
  std::fprintf(stderr, "%s\n", line.c_str());
}

}  // namespace lb
