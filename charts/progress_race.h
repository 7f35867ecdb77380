// The progress race, derived from the bars (time per configuration): every configuration starts
// the same job at t = 0 and its progress is the fraction of its own total time elapsed. The clock
// runs on a log scale, so minutes and days fit in one animation.
#pragma once

#include <string>
#include <vector>

#include "charts/chart_data.h"

namespace lb::charts {

inline constexpr int kRaceFrames = 300;
inline constexpr double kRaceFps = 30;
// The fastest cluster configuration finishes at this fraction of the animation (~3 s of 10 s).
inline constexpr double kRaceFastestFinish = 0.3;

struct RacePlan {
  std::vector<double> frame_time_s;  // kRaceFrames clock readings, log-spaced, last = slowest time
  int pacer = -1;                    // bar the clock is paced on: fastest cluster bar (else fastest)
  std::vector<int> finish_frame;     // per bar: first frame whose clock reaches its time
};

// Requires at least one bar and every time_s > 0.
RacePlan plan_race(const std::vector<Bar>& bars);

// Percent of the job done at clock t: 100 * min(1, t / time_s).
double race_progress(const Bar& bar, double t_s);

// The phase line shown above the race at clock t (raw text: labels are not escaped): who is
// still training, who has finished.
std::string race_phase(const std::vector<Bar>& bars, const std::string& cluster_name, double t_s);

}  // namespace lb::charts
