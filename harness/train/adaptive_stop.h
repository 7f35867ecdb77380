// Adaptive measurement length: keep taking steps until the 95% confidence interval of the median
// steady step time is narrow enough (or the step budget runs out), as the timing methodology of
// Hoefler and Belli recommends instead of a fixed count.
#pragma once

#include <optional>
#include <vector>

namespace lb {

struct MedianInterval {
  double median = 0, lower = 0, upper = 0;
  double relative_half_width = 0;  // (upper - lower) / 2 / median
};

// Distribution-free 95% interval of the median from order statistics (the binomial / normal
// approximation: ranks n/2 -+ 0.98 sqrt(n)). nullopt for fewer than 6 values.
std::optional<MedianInterval> median_interval_95(std::vector<double> values);

// The stopping rule: at least `min_steps` steady steps and a relative half-width <= target.
bool adaptive_target_reached(const std::vector<double>& steady_step_times, double target, int min_steps = 10);

}  // namespace lb
