// What a counter source returns for one domain at one instant; the meter turns successive
// samples into joules (accumulator.h).
#pragma once

#include <string>

#include "harness/energy/energy_figure.h"

namespace lb::energy {

struct DomainSample {
  std::string domain;  // empty: the whole source is unavailable (reason says why)
  std::string unit;    // see EnergyFigure::unit
  Kind kind = Kind::counter;
  bool available = false;
  std::string reason;
  // counter: joules since an arbitrary origin (may wrap); integrated_power: watts now.
  double value = 0;
  // counter only: the counter restarts from 0 after reaching wrap_j - resolution, so a decrease
  // means "add wrap_j". 0 when the range is unknown: a decrease then loses the interval.
  double wrap_j = 0;
  // The value did not change since the previous read because the hardware has not refreshed it
  // (Cray pm_counters' freshness). Still a correct, slightly old value.
  bool stale = false;
};

inline DomainSample unavailable_sample(std::string domain, std::string unit, Kind kind, std::string reason) {
  DomainSample s;
  s.domain = std::move(domain);
  s.unit = std::move(unit);
  s.kind = kind;
  s.reason = std::move(reason);
  return s;
}

}  // namespace lb::energy
