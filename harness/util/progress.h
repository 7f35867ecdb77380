// Progress for people: a live bar on a terminal, one plain line every few seconds otherwise
// (Slurm logs), nothing with --progress none. Only rank 0 prints.
#pragma once

#include <cstdint>
#include <string>

namespace lb {

class Progress {
 public:
  // mode: auto | bar | plain | none
  Progress(const std::string& mode, double interval_s, bool enabled);
  void epoch_start(int epoch, int epochs, std::int64_t steps);
  void step(std::int64_t done, double images_per_s, double loss);
  void message(const std::string& line);  // a full line (ends the bar's line first)

 private:
  bool bar_ = false, enabled_ = true;
  double interval_s_, last_print_ = 0, epoch_t0_ = 0;
  int epoch_ = 0, epochs_ = 0;
  std::int64_t steps_ = 0;
  bool bar_open_ = false;
};


}  // namespace lb
