#include "analysis/compare/scaling.h"

#include <map>

namespace lb::analysis {
namespace {

Scaling scale(const std::vector<ConfigResult>& configs, size_t ref, size_t c, double ideal) {
  Scaling s;
  s.reference = ref;
  // The reference against itself is exactly 1: the same estimate on both sides of the ratio.
  s.speedup = ref == c ? Interval::point(1.0) : ratio_interval(*configs[ref].time_s, *configs[c].time_s);
  s.ideal = ideal;
  s.efficiency = {s.speedup.value / ideal, s.speedup.lo / ideal, s.speedup.hi / ideal, s.speedup.has_interval};
  if (ref != c) s.differences = work_differences(configs[c].config, configs[ref].config);
  return s;
}

// Among several candidates, the one backed by the most runs, then the first in input order.
bool better_reference(const ConfigResult& candidate, const ConfigResult* current) {
  return !current || candidate.runs_used > current->runs_used;
}

}  // namespace

void compute_scaling(Comparison& cmp) {
  auto& configs = cmp.configs;
  std::map<std::string, std::vector<size_t>> families;
  for (size_t i = 0; i < configs.size(); ++i) {
    // GPU configurations, wherever they ran; an unknown configuration (no node or GPU count
    // stated) is never scaled.
    if (configs[i].time_s && configs[i].gpus > 0 && !configs[i].placement_unknown) {
      families[fields_key(configs[i].config, {Field::source, Field::device_model, Field::model})].push_back(i);
    }
  }
  for (const auto& [key, members] : families) {
    std::optional<size_t> one_gpu, one_node;
    for (size_t i : members) {
      const ConfigResult& c = configs[i];
      if (c.gpus == 1 && better_reference(c, one_gpu ? &configs[*one_gpu] : nullptr)) one_gpu = i;
      if (c.nodes == 1) {
        // The 1-node reference is the fullest single node.
        if (!one_node || c.gpus > configs[*one_node].gpus ||
            (c.gpus == configs[*one_node].gpus && better_reference(c, &configs[*one_node]))) {
          one_node = i;
        }
      }
    }
    for (size_t i : members) {
      ConfigResult& c = configs[i];
      if (one_gpu) c.vs_one_gpu = scale(configs, *one_gpu, i, static_cast<double>(c.gpus));
      if (one_node && c.nodes > 0 && c.gpus >= configs[*one_node].gpus) {
        c.vs_one_node = scale(configs, *one_node, i, static_cast<double>(c.nodes));
      }
    }
  }
}

}  // namespace lb::analysis
