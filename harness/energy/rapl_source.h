// Linux powercap RAPL energy counters: package, DRAM, and the core/uncore/psys zones.
//
// Zones are directories under the root (default /sys/class/powercap) named intel-rapl:N
// (top level: "package-N" or "psys") and intel-rapl:N:M (inside package N: "dram", "core",
// "uncore"); AMD kernels may name them amd-rapl:N[:M] with the same zone names. Domains are
// named after the zone: "package-0", "psys", and sub-zones get their package's index:
// "dram-0", "core-0", "uncore-0". core and uncore are parts of the package figure and psys
// contains the package: report them beside it, never add them to it.
//
// intel-rapl-mmio zones duplicate the package domain through another interface and are
// skipped. When both intel-rapl and amd-rapl zones exist only intel-rapl is read.
#pragma once

#include <string>
#include <vector>

#include "harness/energy/counter_source.h"
#include "harness/energy/text_file.h"

namespace lb::energy {

struct RaplOptions {
  std::string root = "/sys/class/powercap";
  std::string node;  // prefix of the figures' units
  ReadText read = read_text_file;
};

class RaplSource final : public CounterSource {
 public:
  explicit RaplSource(RaplOptions options);
  std::string name() const override { return "rapl"; }
  std::vector<DomainSample> read(double now_s) override;

 private:
  struct Zone {
    std::string dir;     // "intel-rapl:0:0"
    std::string domain;  // "dram-0", or dir when its name is unreadable
    std::string error;   // set when the zone cannot be used at all
    double wrap_j = 0;   // (max_energy_range_uj + 1) in joules; 0 when unknown
  };
  void discover();

  RaplOptions options_;
  std::vector<Zone> zones_;
  std::string source_error_;  // set when no zone can be listed
};

}  // namespace lb::energy
