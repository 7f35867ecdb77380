// Adaptive measurement length: keep taking steps until the 95% confidence interval of the median
// steady step time is narrow enough (or the step budget runs out), as the timing methodology of
// Hoefler and Belli recommends instead of a fixed count. The interval is common/statistics.h's,
// the one analyze reports beside the recorded decision.
#pragma once

#include <optional>
#include <vector>

#include "common/statistics.h"

namespace lb {

// The median's interval of common/statistics.h; nullopt for fewer than 6 values (none exists).
std::optional<MedianInterval> median_interval_95(std::vector<double> values);

// The stopping rule: at least `min_steps` steady steps and an interval within `target` of the
// median on both sides (relative_half_width <= target).
bool adaptive_target_reached(const std::vector<double>& steady_step_times, double target, int min_steps = 10);

}  // namespace lb
