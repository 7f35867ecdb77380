// HPE Cray EX pm_counters: node-level energy/power counters kept by the node's management
// controller (default root /sys/cray/pm_counters).
//
// Files: energy, cpu_energy, memory_energy, accel0_energy..accel3_energy ("123456 J"), the
// matching *power files ("123 W"), both possibly followed by a timestamp "<n> us", and
// freshness, a counter that increases each time the controller refreshes the values (~10 Hz).
// Domains: "node" (energy: the whole node, which includes all the others), "cpu", "memory",
// "accel0".. (on LUMI-G one accelN per MI250X module). A domain with a power file but no energy
// file is integrated from power.
//
// A consistent set is one read between two equal freshness values; when freshness changes
// during the read the set is re-read (attempts). A set whose freshness equals the previous
// read's is stale: still a correct value, only older, so it is used; when freshness has not
// moved for stale_limit_s the controller has stopped refreshing and the domains are reported
// unavailable. Without a freshness file values are read unchecked.
//
// These counters belong to the node: one reader per node (the node's local rank 0).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "harness/energy/counter_source.h"
#include "harness/energy/text_file.h"

namespace lb::energy {

struct CrayPmOptions {
  std::string root = "/sys/cray/pm_counters";
  std::string node;
  ReadText read = read_text_file;
  int attempts = 3;
  double stale_limit_s = 5.0;  // 50 refresh periods at 10 Hz
};

class CrayPmSource final : public CounterSource {
 public:
  explicit CrayPmSource(CrayPmOptions options);
  std::string name() const override { return "cray_pm"; }
  std::vector<DomainSample> read(double now_s) override;

 private:
  struct Domain {
    std::string name;  // "node", "cpu", "accel0"
    std::string file;  // "energy", "cpu_energy", or the power file
    Kind kind = Kind::counter;
  };
  std::vector<DomainSample> read_values();
  std::vector<DomainSample> all_unavailable(const std::string& reason) const;

  CrayPmOptions options_;
  std::vector<Domain> domains_;
  std::string source_error_;
  bool have_freshness_ = false;
  bool have_history_ = false;  // a consistent set was read before
  std::uint64_t last_freshness_ = 0;
  double last_change_s_ = 0;
};

}  // namespace lb::energy
