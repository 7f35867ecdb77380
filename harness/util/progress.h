// Progress for people: a live bar on a terminal, one plain line every few seconds otherwise
// (Slurm logs), nothing with --progress none. Only rank 0 prints. The ETA is for what the run will
// actually do: the steps it plans (epochs x steps per epoch, or --max-steps when that is fewer, of
// the subset), at the pace of the run's steps so far.
#pragma once

#include <cstdint>
#include <string>

namespace lb {

// Seconds left for `planned - done` steps at the pace of `done` steps in `elapsed_s`; NaN before
// the first step.
double eta_s(double elapsed_s, std::int64_t done, std::int64_t planned);

class Progress {
 public:
  // mode: auto | bar | plain | none. planned_steps: the steps the run will take in all.
  Progress(const std::string& mode, double interval_s, bool enabled, std::int64_t planned_steps);
  // `steps`: the steps this epoch will take (fewer than an epoch's when --max-steps ends it).
  void epoch_start(int epoch, int epochs, std::int64_t steps);
  // done_in_epoch of this epoch's steps and done_in_run of the run's are finished.
  void step(std::int64_t done_in_epoch, std::int64_t done_in_run, double images_per_s, double loss);
  void message(const std::string& line);  // a full line (ends the bar's line first)

 private:
  bool bar_ = false, enabled_ = true;
  double interval_s_, last_print_ = 0, run_t0_ = -1;
  int epoch_ = 0, epochs_ = 0;
  std::int64_t steps_ = 0, planned_ = 0;
  bool bar_open_ = false;
};

}  // namespace lb
