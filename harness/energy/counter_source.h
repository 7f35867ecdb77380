// One kind of energy counter (RAPL, Cray pm_counters, NVML, ROCm SMI). Sources are not
// thread-safe; the EnergyMeter serialises all calls.
#pragma once

#include <string>
#include <vector>

#include "harness/energy/domain_sample.h"

namespace lb::energy {

class CounterSource {
 public:
  virtual ~CounterSource() = default;
  virtual std::string name() const = 0;  // the EnergyFigure::source of its figures
  // One sample of every domain. now_s: the meter's monotonic clock, for sources that judge
  // staleness by time. Never throws for missing or unreadable hardware: such domains come back
  // unavailable with the reason.
  virtual std::vector<DomainSample> read(double now_s) = 0;
};

}  // namespace lb::energy
