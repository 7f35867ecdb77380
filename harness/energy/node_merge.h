// Job totals from the readings of every node. This library never calls MPI: the caller, who
// has it, gathers one encoded Reading per reader (reading_codec.h) and merges them here.
//
// Who reads what (the caller's part):
//   - Node counters (rapl, cray_pm) measure the whole node: only the node's local rank 0 reads
//     them (EnergyConfig::node_counters = false on the other ranks).
//   - GPU counters: each rank reads the GPUs it uses, or the local rank 0 reads every GPU of
//     its node; either way a physical meter is counted once (see below).
//   - Every reader marks the same window (e.g. after a barrier), so the figures add up.
//
// Sum rules:
//   - Figures are grouped by source and domain class ("package-0" and "package-1" are class
//     "package"; "dram-0" "dram"; "accel0".."accel3" "accel"; "gpu0".. "gpu"); each class is
//     summed over domains and nodes. Classes are never added to each other: cray_pm "node"
//     already contains "cpu", "memory" and "accel", RAPL "psys" contains "package", and
//     "package" contains "core" and "uncore".
//   - Figures with the same source and unit are one meter read twice (two ranks on one node,
//     two dies of one MI250X module): counted once.
//   - A total is available only when every part is: an unavailable figure, a node whose source
//     failed as a whole, or a node that reported the source without this class makes the whole
//     total unavailable, with the reasons, instead of a sum that silently misses a part.
#pragma once

#include <string>
#include <vector>

#include "harness/energy/energy_figure.h"

namespace lb::energy {

struct EnergyTotal {
  std::string source;
  std::string domain;  // the class; empty when the source is unavailable everywhere
  Kind kind = Kind::counter;  // integrated_power when any part was integrated
  bool available = false;
  std::string reason;
  double joules = 0;
  int parts = 0;  // figures summed, after removing duplicates
  int nodes = 0;  // nodes they came from
};

std::string domain_class(const std::string& domain);

std::vector<EnergyTotal> merge_readings(const std::vector<Reading>& readings);

}  // namespace lb::energy
