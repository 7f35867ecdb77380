// This machine's real counters, at their default roots: prints what is there (ctest -V) and
// checks only that every figure is either a number or a reason. Passes on any machine.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "harness/energy/amd_gpu_source.h"
#include "harness/energy/energy_config.h"
#include "harness/energy/peak_memory.h"

namespace lb::energy {
namespace {

TEST(RealCounters, ReportsWhatThisMachineHas) {
  EnergyConfig config;
  config.interval_s = 0.05;
  auto meter = make_energy_meter(config);
  meter->start();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const Reading r = meter->since_start();
  meter->stop();

  std::printf("energy counters on %s over %.3f s (%llu samples):\n", r.node.c_str(), r.seconds,
              static_cast<unsigned long long>(meter->samples_taken()));
  for (const auto& f : r.figures) {
    if (f.available)
      std::printf("  %-9s %-10s %-16s %12.6f J  (%s)\n", f.source.c_str(), f.domain.c_str(), kind_name(f.kind), f.joules,
                  f.unit.c_str());
    else
      std::printf("  %-9s %-10s unavailable: %s\n", f.source.c_str(), f.domain.empty() ? "-" : f.domain.c_str(),
                  f.reason.c_str());
    EXPECT_FALSE(f.source.empty());
    if (f.available) {
      EXPECT_TRUE(f.reason.empty());
      EXPECT_GE(f.joules, 0) << f.source << " " << f.domain;
    } else {
      EXPECT_FALSE(f.reason.empty()) << f.source << " " << f.domain << ": unavailable needs a reason";
    }
  }
  EXPECT_FALSE(r.figures.empty()) << "every enabled source says something, if only why it is unavailable";

  const auto m = peak_resident_memory();
  if (m.available)
    std::printf("peak resident memory (VmHWM): %.1f MiB\n", double(m.bytes) / (1 << 20));
  else
    std::printf("peak resident memory: unavailable: %s\n", m.reason.c_str());
  std::fflush(stdout);
}

}  // namespace
}  // namespace lb::energy
