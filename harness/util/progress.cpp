#include "harness/util/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "common/format.h"
#include "harness/util/clock.h"

namespace lb {

Progress::Progress(const std::string& mode, double interval_s, bool enabled) : interval_s_(interval_s) {
  enabled_ = enabled && mode != "none";
  bar_ = mode == "bar" || (mode == "auto" && isatty(STDERR_FILENO));
}

void Progress::epoch_start(int epoch, int epochs, std::int64_t steps) {
  epoch_ = epoch;
  epochs_ = epochs;
  steps_ = steps;
  epoch_t0_ = last_print_ = now_s();
}

void Progress::step(std::int64_t done, double images_per_s, double loss) {
  if (!enabled_) return;
  const double now = now_s();
  const double eta = done > 0 ? (now - epoch_t0_) / double(done) * double(steps_ - done) : NAN;
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
