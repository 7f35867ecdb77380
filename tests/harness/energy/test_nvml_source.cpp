// NVML logic against a fake function table: energy counter, power integration, selection by
// PCI address, and the library missing or incomplete.
#include <gtest/gtest.h>

#include "counter_tree.h"
#include "harness/energy/nvml_source.h"

namespace lb::energy::test {
namespace {

// Two GPUs; the test sets their counters and power and whether energy is supported.
struct FakeNvml {
  unsigned long long mj[2] = {5000000, 7000000};
  unsigned mw[2] = {250000, 300000};
  bool energy_supported = true;
  int init_rc = kNvmlSuccess;
  int failing_reads = 0;  // the next N energy/power reads fail with NVML_ERROR_UNKNOWN (999)
  int shutdowns = 0;

  LoadedNvml loaded() {
    LoadedNvml l;
    l.ok = true;
    NvmlApi& a = l.api;
    a.init = [this] { return init_rc; };
    a.shutdown = [this] { return ++shutdowns, kNvmlSuccess; };
    a.device_count = [](unsigned* n) { return *n = 2, kNvmlSuccess; };
    a.total_energy = [this](unsigned i, unsigned long long* v) {
      if (!energy_supported) return kNvmlNotSupported;
      if (failing_reads > 0) return --failing_reads, 999;
      return *v = mj[i], kNvmlSuccess;
    };
    a.power_usage = [this](unsigned i, unsigned* v) {
      if (failing_reads > 0) return --failing_reads, 999;
      return *v = mw[i], kNvmlSuccess;
    };
    a.uuid = [](unsigned i, std::string* u) { return *u = "GPU-fake-" + std::to_string(i), kNvmlSuccess; };
    a.pci_address = [](unsigned i, PciAddress* p) { return *p = PciAddress{0, i == 0 ? 0x3bu : 0x86u, 0, 0}, kNvmlSuccess; };
    a.error_string = [](int code) {
      return std::string(code == kNvmlNotSupported ? "Not Supported" : code == 9 ? "Driver Not Loaded" : "Unknown Error");
    };
    return l;
  }
};

TEST(NvmlSource, EnergyCounterInMillijoules) {
  FakeNvml fake;
  ManualMeter m(std::make_unique<NvmlSource>(fake.loaded(), NvmlOptions{{"1"}, "n0"}));
  const auto a = m.meter->mark();
  fake.mj[1] += 123456;  // 123.456 J
  fake.mj[0] += 999999;  // not selected
  m.t = 1;
  const auto r = energy_between(a, m.meter->mark());
  ASSERT_EQ(r.figures.size(), 1u);
  const auto& f = r.figures[0];
  EXPECT_EQ(f.source, "nvml");
  EXPECT_EQ(f.domain, "gpu1");
  EXPECT_EQ(f.unit, "GPU-fake-1");
  EXPECT_EQ(f.kind, Kind::counter);
  ASSERT_TRUE(f.available) << f.reason;
  EXPECT_NEAR(f.joules, 123.456, 1e-9);
}

TEST(NvmlSource, PowerIsIntegratedWhereThereIsNoEnergyCounter) {
  FakeNvml fake;
  fake.energy_supported = false;
  ManualMeter m(std::make_unique<NvmlSource>(fake.loaded(), NvmlOptions{{}, "n0"}));
  const auto a = m.meter->mark();  // t=0: 250 W, 300 W
  m.t = 2;
  fake.mw[0] = 350000;
  m.meter->mark();  // t=2: 350 W, 300 W
  m.t = 3;
  const auto r = energy_between(a, m.meter->mark());  // t=3: 350 W, 300 W
  ASSERT_EQ(r.figures.size(), 2u);
  for (const auto& f : r.figures) {
    EXPECT_EQ(f.kind, Kind::integrated_power);
    ASSERT_TRUE(f.available) << f.reason;
  }
  EXPECT_NEAR(find_figure(r, "nvml", "gpu0")->joules, (250 + 350) / 2.0 * 2 + 350 * 1, 1e-9);
  EXPECT_NEAR(find_figure(r, "nvml", "gpu1")->joules, 300.0 * 3, 1e-9);
}

TEST(NvmlSource, SelectsByPciAddress) {
  FakeNvml fake;
  NvmlSource source(fake.loaded(), NvmlOptions{{"0000:86:00.0", "00000000:3B:00.0"}, "n0"});
  const auto s = source.read(0);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].domain, "gpu1");
  EXPECT_EQ(s[1].domain, "gpu0");
}

TEST(NvmlSource, UnknownGpuIsUnavailable) {
  FakeNvml fake;
  NvmlSource source(fake.loaded(), NvmlOptions{{"5"}, "n0"});
  const auto s = source.read(0);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].domain, "gpu5");
  EXPECT_FALSE(s[0].available);
  EXPECT_EQ(s[0].reason, "no GPU with index 5 (2 devices)");
}

TEST(NvmlSource, AFailedReadBreaksTheWindow) {
  FakeNvml fake;
  ManualMeter m(std::make_unique<NvmlSource>(fake.loaded(), NvmlOptions{{"0"}, "n0"}));
  const auto a = m.meter->mark();
  fake.failing_reads = 1;
  const auto b = m.meter->mark();
  EXPECT_EQ(find_figure(energy_between(a, b), "nvml", "gpu0")->reason,
            "nvmlDeviceGetTotalEnergyConsumption(gpu0): Unknown Error");
  const auto c = m.meter->mark();
  const auto f = find_figure(energy_between(a, c), "nvml", "gpu0");
  EXPECT_FALSE(f->available);
  EXPECT_EQ(f->reason, "interrupted between the marks: nvmlDeviceGetTotalEnergyConsumption(gpu0): Unknown Error");
}

TEST(NvmlSource, InitFailureMakesTheSourceUnavailableAndShutdownFollowsInit) {
  FakeNvml fake;
  fake.init_rc = 9;
  {
    NvmlSource source(fake.loaded(), NvmlOptions{{}, "n0"});
    const auto s = source.read(0);
    ASSERT_EQ(s.size(), 1u);
    EXPECT_EQ(s[0].domain, "");
    EXPECT_EQ(s[0].reason, "nvmlInit: Driver Not Loaded");
  }
  EXPECT_EQ(fake.shutdowns, 0);
  fake.init_rc = kNvmlSuccess;
  { NvmlSource source(fake.loaded(), NvmlOptions{{}, "n0"}); }
  EXPECT_EQ(fake.shutdowns, 1);
}

TEST(NvmlLoader, MissingLibraryIsAReason) {
  const auto loaded = load_nvml({"liblb-no-such-nvml.so.1"});
  EXPECT_FALSE(loaded.ok);
  EXPECT_EQ(loaded.error.rfind("liblb-no-such-nvml.so.1 not found", 0), 0u) << loaded.error;
  NvmlSource source(loaded, NvmlOptions{{}, "n0"});
  const auto s = source.read(0);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_FALSE(s[0].available);
  EXPECT_EQ(s[0].reason, loaded.error);
}

TEST(NvmlLoader, LibraryWithoutTheFunctionsIsAReason) {
  const auto loaded = load_nvml({"libm.so.6"});  // loads, but is not NVML
  EXPECT_FALSE(loaded.ok);
  EXPECT_NE(loaded.error.find("no symbol nvml"), std::string::npos) << loaded.error;
}

}  // namespace
}  // namespace lb::energy::test
