// Strong scaling of cluster configurations against the 1-GPU and the 1-node configuration.
#pragma once

#include "analysis/compare/comparison.h"

namespace lb::analysis {

// Fills ConfigResult::vs_one_gpu and vs_one_node. References are looked up within a family:
// the same source (measured, or one import), device model and network, so a measured run is
// never scaled against someone else's reference. Against 1 node, only configurations with at
// least a full node's GPUs are scaled (fewer GPUs on one node is not node scaling).
void compute_scaling(Comparison& cmp);

}  // namespace lb::analysis
