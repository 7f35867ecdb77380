// The sampler: prompt stop, background sampling, windows across chain breaks, thread safety.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "counter_tree.h"

namespace lb::energy::test {
namespace {

using Clock = std::chrono::steady_clock;

// A counter that gains 1 J per read.
std::unique_ptr<CounterSource> one_joule_per_read(std::atomic<int>* reads) {
  return std::make_unique<FakeSource>("fake", [reads](double) {
    DomainSample s;
    s.domain = "d";
    s.unit = "n0/d";
    s.available = true;
    s.value = double(++*reads);
    return std::vector<DomainSample>{s};
  });
}


TEST(EnergyMeter, StopIsPromptEvenWithALongInterval) {
  std::atomic<int> reads{0};
  std::vector<std::unique_ptr<CounterSource>> sources;
  sources.push_back(one_joule_per_read(&reads));
  MeterOptions o;
  o.interval_s = 10;
  EnergyMeter meter(std::move(sources), o);
  meter.start();
  EXPECT_TRUE(meter.running());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto t0 = Clock::now();
  meter.stop();
  const double stop_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  std::cout << "stop() took " << stop_ms << " ms with a 10 s interval\n";
  EXPECT_FALSE(meter.running());
  // Loose: this machine is shared. A sleeping thread would take ~10 s.
  EXPECT_LT(stop_ms, 1000.0);
  EXPECT_EQ(meter.samples_taken(), 1u) << "only the origin sample; the thread was still waiting";
}

TEST(EnergyMeter, DestructorStopsTheThread) {
  std::atomic<int> reads{0};
  const auto t0 = Clock::now();
  {
    std::vector<std::unique_ptr<CounterSource>> sources;
    sources.push_back(one_joule_per_read(&reads));
    MeterOptions o;
    o.interval_s = 10;
    EnergyMeter meter(std::move(sources), o);
    meter.start();
  }
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - t0).count(), 1.0);
}

TEST(EnergyMeter, BackgroundThreadSamplesEveryInterval) {
  std::atomic<int> reads{0};
  std::vector<std::unique_ptr<CounterSource>> sources;
  sources.push_back(one_joule_per_read(&reads));
  MeterOptions o;
  o.interval_s = 0.005;
  EnergyMeter meter(std::move(sources), o);
  meter.start();
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (meter.samples_taken() < 5 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_GE(meter.samples_taken(), 5u);
  meter.stop();
  const auto r = meter.since_start();
  ASSERT_EQ(r.figures.size(), 1u);
  EXPECT_DOUBLE_EQ(r.figures[0].joules, double(reads.load() - 1)) << "every sample counted once";
  EXPECT_EQ(meter.samples_taken(), std::uint64_t(reads.load()));
}

TEST(EnergyMeter, ConcurrentMarksAreConsistent) {
  std::atomic<int> reads{0};
  std::vector<std::unique_ptr<CounterSource>> sources;
  sources.push_back(one_joule_per_read(&reads));
  MeterOptions o;
  o.interval_s = 0.001;
  EnergyMeter meter(std::move(sources), o);
  meter.start();
  std::vector<std::thread> threads;
  std::atomic<bool> ordered{true};
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      EnergyMark previous = meter.mark();
      for (int k = 0; k < 50; ++k) {
        EnergyMark next = meter.mark();
        const auto r = energy_between(previous, next);
        if (r.figures.size() != 1 || !r.figures[0].available || r.figures[0].joules < 1) ordered = false;
        previous = next;
      }
    });
  for (auto& t : threads) t.join();
  meter.stop();
  EXPECT_TRUE(ordered) << "each thread's successive marks differ by at least its own sample";
  const auto run = meter.since_start();  // itself one more read
  EXPECT_EQ(run.figures[0].joules, double(reads.load() - 1));
}

TEST(EnergyMeter, WindowsAcrossAnUnreadableSampleAreUnavailable) {
  bool readable = true;
  double value = 0;
  ManualMeter m(std::make_unique<FakeSource>("fake", [&](double) {
    DomainSample s;
    s.domain = "d";
    s.available = readable;
    s.value = value;
    if (!readable) s.reason = "/sys/x: Input/output error";
    return std::vector<DomainSample>{s};
  }));
  const auto a = m.meter->mark();
  value = 10;
  const auto b = m.meter->mark();
  readable = false;
  const auto c = m.meter->mark();
  readable = true;
  value = 30;
  const auto d = m.meter->mark();
  value = 35;
  const auto e = m.meter->mark();

  const auto ab = find_figure(energy_between(a, b), "fake", "d");
  EXPECT_TRUE(ab->available);
  EXPECT_DOUBLE_EQ(ab->joules, 10);
  const auto bc = find_figure(energy_between(b, c), "fake", "d");
  EXPECT_FALSE(bc->available);
  EXPECT_EQ(bc->reason, "/sys/x: Input/output error");
  EXPECT_EQ(bc->joules, 0);
  const auto cd = find_figure(energy_between(c, d), "fake", "d");
  EXPECT_FALSE(cd->available);
  EXPECT_EQ(cd->reason, "unavailable at the first mark: /sys/x: Input/output error");
  const auto ae = find_figure(energy_between(a, e), "fake", "d");
  EXPECT_FALSE(ae->available) << "the run misses the energy of the broken interval";
  EXPECT_EQ(ae->reason, "interrupted between the marks: /sys/x: Input/output error");
  const auto de = find_figure(energy_between(d, e), "fake", "d");
  EXPECT_TRUE(de->available);
  EXPECT_DOUBLE_EQ(de->joules, 5);
}

TEST(EnergyMeter, StaleSamplesAreCounted) {
  ManualMeter m(std::make_unique<FakeSource>("fake", [](double) {
    DomainSample s;
    s.domain = "d";
    s.available = true;
    s.stale = true;
    return std::vector<DomainSample>{s};
  }));
  m.meter->mark();
  const auto mark = m.meter->mark();
  EXPECT_EQ(mark.entries.at(0).state.stale_samples, 2u);
}

}  // namespace
}  // namespace lb::energy::test
