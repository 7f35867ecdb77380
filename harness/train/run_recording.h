// What rank 0 writes while a run goes, in the schema's rows: the plan (planned steps, steps per
// epoch, setup time, the allreduce sweep), each step with every rank's step time, each validation
// pass, each epoch, and when the recorder's writer is asked to flush (every --flush-interval
// seconds, and whenever the loop says so). On other ranks (no recorder) every call does nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/results_schema.h"
#include "harness/record/flush_policy.h"

namespace lb {

class Recorder;
struct EvalResult;

class RunRecording {
 public:
  // run_t0: the instant the run's wall-clock figures count from.
  RunRecording(Recorder* recorder, double run_t0, double flush_interval_s);

  void plan(std::int64_t planned_steps, std::int64_t steps_per_epoch, double setup_s,
            const std::vector<schema::AllreduceSweepRecord>& sweep);
  void step(const schema::StepRecord& row, const std::vector<double>& rank_total_s);
  void evaluation(const EvalResult& e, std::int64_t step, int epoch);
  void epoch(const schema::EpochRecord& row);
  void attributes(const schema::RunAttributes& a);
  // Asks the writer to flush when the interval has passed, or at once.
  void flush(bool now);
  // Seconds spent asking for flushes (left out of the epoch's training time).
  double flush_time_s() const { return flush_time_s_; }
  // The recorder's error, if it failed (every rank learns it through the window's exchange).
  std::optional<std::string> error() const;
  // For the parts that write rows of their own (energy); nullptr on ranks other than 0.
  Recorder* recorder() const { return rec_; }

 private:
  Recorder* rec_;
  double run_t0_;
  FlushPolicy policy_;
  double flush_time_s_ = 0;
};

}  // namespace lb
