// Quality next to time: the accuracy each configuration reached, the bar it is held to, the time
// to a target accuracy, and which configurations may stand in the headline (docs/methodology.md,
// "Quality and the headline").
#pragma once

#include <string>

#include "analysis/compare/comparison.h"

namespace lb::analysis {

// Fills accuracy_reached_pct, val_scope, val_images and quality for every configuration, and
// warns where validation accuracies were computed differently.
void assess_quality(Comparison& cmp);

// With cmp.target_accuracy_pct: every run's and configuration's time to reach it, and
// cmp.fastest_to_target.
void time_to_target(Comparison& cmp);

// Marks the configurations that may stand in the headline and picks cmp.fastest and
// cmp.max_speedup among them.
void choose_headline(Comparison& cmp);

// "98.1%", or "not recorded".
std::string accuracy_text(const std::optional<double>& pct);

}  // namespace lb::analysis
