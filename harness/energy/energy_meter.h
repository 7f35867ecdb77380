// The sampler: reads every counter source on a background thread every interval (so counters
// that wrap within minutes, like RAPL's, are seen often enough, and power is integrated finely)
// and at each mark(). Energy between two marks is the per-epoch or per-run figure.
//
//   EnergyMeter meter = ...;            // energy_config.h builds one from options
//   meter.start();                      // origin of the run
//   EnergyMark e0 = meter.mark();       // epoch starts
//   ...
//   Reading epoch = energy_between(e0, meter.mark());
//   Reading run = meter.since_start();
//
// All public members are thread-safe. stop() (and the destructor) return promptly: the thread
// waits on a condition variable, not in sleep().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/energy/accumulator.h"
#include "harness/energy/counter_source.h"
#include "harness/energy/energy_figure.h"

namespace lb::energy {

struct MarkEntry {
  std::string source, domain;
  AccumulatorState state;
};

// Every domain's running total at one instant. Plain data: keep as many as needed.
struct EnergyMark {
  double t_s = 0;
  std::string node;
  std::vector<MarkEntry> entries;
};

// Energy per domain from `from` to `to` (two marks of the same meter, `from` first). A domain is
// available only when it was readable at both marks with no chain break in between.
Reading energy_between(const EnergyMark& from, const EnergyMark& to);

struct MeterOptions {
  double interval_s = 1.0;  // <= 0: no thread, samples only at marks
  std::string node;         // Reading::node
  std::function<double()> clock;  // monotonic seconds; default steady_clock (tests inject their own)
};

class EnergyMeter {
 public:
  EnergyMeter(std::vector<std::unique_ptr<CounterSource>> sources, MeterOptions options);
  ~EnergyMeter();
  EnergyMeter(const EnergyMeter&) = delete;
  EnergyMeter& operator=(const EnergyMeter&) = delete;

  void start();  // takes the origin sample (if none yet) and starts the thread
  void stop();
  bool running() const;

  EnergyMark mark();       // samples every source now
  Reading since_start();   // from the first sample ever taken to now
  std::uint64_t samples_taken() const;

 private:
  struct Impl;  // the thread, its condition variable and the accumulators
  std::unique_ptr<Impl> impl_;
};

}  // namespace lb::energy
