// Turns one domain's successive samples into a running energy total: counter differences with
// wrap-around correction, or power integrated with trapezoids. Anything that breaks the chain
// (an unreadable sample, a counter that went down with no known range) is counted as a gap:
// a window that contains a gap has no figure, rather than a figure that silently misses energy.
#pragma once

#include <cstdint>
#include <string>

#include "harness/energy/domain_sample.h"

namespace lb::energy {

// The state at one instant; two of them give the energy between.
struct AccumulatorState {
  std::string unit;
  Kind kind = Kind::counter;
  bool available = false;    // the latest sample was readable and the chain is intact
  std::string reason;        // why not available now
  double total_j = 0;        // energy since the first sample
  std::uint64_t gaps = 0;    // chain breaks so far
  std::string gap_reason;    // the latest chain break
  std::uint64_t stale_samples = 0;
};

class DomainAccumulator {
 public:
  void add(const DomainSample& sample, double t_s);
  const AccumulatorState& state() const { return state_; }

 private:
  void gap(const std::string& reason);

  AccumulatorState state_;
  bool has_previous_ = false;
  double previous_value_ = 0, previous_t_ = 0;
};

}  // namespace lb::energy
