#include "harness/energy/accumulator.h"

#include <cstdio>

namespace lb::energy {
namespace {

std::string joules_text(double j) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6f J", j);
  return buf;
}

}  // namespace

void DomainAccumulator::gap(const std::string& reason) {
  ++state_.gaps;
  state_.gap_reason = reason;
}

void DomainAccumulator::add(const DomainSample& s, double t_s) {
  state_.unit = s.unit;
  state_.kind = s.kind;
  if (s.stale) ++state_.stale_samples;
  if (!s.available) {
    // The energy from the last good sample to the next one is unknown.
    if (has_previous_) gap(s.reason);
    has_previous_ = false;
    state_.available = false;
    state_.reason = s.reason;
    return;
  }
  if (has_previous_) {
    if (s.kind == Kind::counter) {
      double d = s.value - previous_value_;
      if (d < 0 && s.wrap_j > 0) {
        d += s.wrap_j;  // one wrap; the sampling interval is chosen so that two cannot happen
      } else if (d < 0) {
        gap("counter went down from " + joules_text(previous_value_) + " to " + joules_text(s.value) +
            " and its wrap-around range is unknown (counter reset, or no max_energy_range_uj)");
        d = 0;
      }
      state_.total_j += d;
    } else {
      state_.total_j += 0.5 * (previous_value_ + s.value) * (t_s - previous_t_);
    }
  }
  has_previous_ = true;
  previous_value_ = s.value;
  previous_t_ = t_s;
  state_.available = true;
  state_.reason.clear();
}

}  // namespace lb::energy
