// File names of the charts, so analyze, the tests and the docs agree on them. The cluster's name
// is a setting (ChartData::cluster_name) and becomes the prefix: "LUMI" -> "lumi_vs_laptop_...".
#pragma once

#include <string>

namespace lb::charts {

enum class Chart {
  Comparison,         // <c>_vs_laptop_comparison.{png,pdf,gp,dat}
  AnimatedComparison, // <c>_vs_laptop_animated.html
  ProgressRace,       // <c>_vs_laptop_progress_race.html
  AccuracyVsTime,     // <c>_vs_laptop_accuracy_vs_time.{html,png,pdf,gp,dat}
  ScalingAnalysis,    // <c>_scaling_analysis.{png,pdf,gp,dat}
  ScalingEfficiency,  // <c>_scaling_efficiency_animated.html
  BoundAttribution,   // <c>_bound_attribution.{html,png,pdf,gp,dat}
  ScalingModel,       // <c>_scaling_model.{html,png,pdf,gp,dat}
  EnergyCost,         // <c>_energy_cost.{html,png,pdf,gp,dat}
  Memory,             // <c>_memory.{html,png,pdf,gp,dat}
};

// Lower-case ASCII letters and digits of the cluster name, other runs of characters become one
// '_'; "cluster" when nothing is left. "LUMI" -> "lumi", "Alps (GH200)" -> "alps_gh200".
std::string cluster_slug(const std::string& cluster_name);

// The file name without directory and extension, e.g. "lumi_vs_laptop_comparison".
std::string file_stem(const std::string& cluster_name, Chart chart);

}  // namespace lb::charts
