// When the step loop asks the recorder's writer to write: every `interval_s` seconds, and whenever
// the loop says so (epoch ends, the end of the run). Asking is cheap; the writing happens on the
// recorder's own thread.
#pragma once

namespace lb {

class FlushPolicy {
 public:
  FlushPolicy(double interval_s, double now_s) : interval_s_(interval_s), last_s_(now_s) {}
  bool due(double now_s) const { return now_s - last_s_ >= interval_s_; }
  void flushed(double now_s) { last_s_ = now_s; }

 private:
  double interval_s_, last_s_;
};

}  // namespace lb
