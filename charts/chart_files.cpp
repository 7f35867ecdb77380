#include "charts/chart_files.h"

namespace lb::charts {

std::string cluster_slug(const std::string& cluster_name) {
  std::string slug;
  bool pending_separator = false;
  for (unsigned char c : cluster_name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!keep) {
      pending_separator = !slug.empty();
      continue;
    }
    if (pending_separator) slug += '_';
    pending_separator = false;
    slug += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return slug.empty() ? "cluster" : slug;
}

std::string file_stem(const std::string& cluster_name, Chart chart) {
  const std::string c = cluster_slug(cluster_name);
  switch (chart) {
    case Chart::Comparison: return c + "_vs_laptop_comparison";
    case Chart::AnimatedComparison: return c + "_vs_laptop_animated";
    case Chart::ProgressRace: return c + "_vs_laptop_progress_race";
    case Chart::AccuracyVsTime: return c + "_vs_laptop_accuracy_vs_time";
    case Chart::ScalingAnalysis: return c + "_scaling_analysis";
    case Chart::ScalingEfficiency: return c + "_scaling_efficiency_animated";
    case Chart::BoundAttribution: return c + "_bound_attribution";
    case Chart::ScalingModel: return c + "_scaling_model";
    case Chart::EnergyCost: return c + "_energy_cost";
    case Chart::Memory: return c + "_memory";
  }
  return c + "_chart";
}

}  // namespace lb::charts
