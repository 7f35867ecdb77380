// ROCm SMI logic against a fake function table shaped like a LUMI-G node: four MI250X modules
// of two dies each, the module's energy reported on the primary (even) die and 0 on the
// secondary one, as the amdgpu driver for MI200 does.
#include <gtest/gtest.h>

#include "counter_tree.h"
#include "harness/energy/amd_gpu_source.h"
#include "harness/energy/node_merge.h"

namespace lb::energy::test {
namespace {

struct FakeRocmSmi {
  static constexpr unsigned kDies = 8;
  std::uint64_t counter[kDies] = {};
  std::uint64_t timestamp[kDies] = {};
  std::uint64_t microwatts[kDies] = {};
  std::uint64_t uid[kDies] = {};
  bool energy_supported = true;
  float resolution = 15.3f;  // microjoules per count

  FakeRocmSmi() {
    for (unsigned d = 0; d < kDies; d += 2) {
      counter[d] = 1000000 * (d + 1);
      timestamp[d] = 1000 + d;
      microwatts[d] = 200000000;  // 200 W per module
      uid[d] = 0xa000 + d;
      uid[d + 1] = 0xb000 + d;  // the dies of a module have distinct unique ids here
    }
  }
  void run_module(unsigned primary, std::uint64_t counts) { counter[primary] += counts; }

  LoadedAmdSmi loaded() {
    LoadedAmdSmi l;
    l.ok = true;
    AmdSmiApi& a = l.api;
    a.library = "rocm_smi";
    a.init = [] { return kSmiSuccess; };
    a.shutdown = [] { return kSmiSuccess; };
    a.device_count = [](unsigned* n) { return *n = kDies, kSmiSuccess; };
    a.energy_count = [this](unsigned i, std::uint64_t* c, float* r, std::uint64_t* t) {
      if (!energy_supported) return kSmiNotSupported;
      *c = counter[i];
      *r = resolution;
      *t = timestamp[i];
      return kSmiSuccess;
    };
    a.power = [this](unsigned i, std::uint64_t* uw) {
      if (microwatts[i] == 0) return kSmiNotSupported;  // "N/A (Secondary die)"
      return *uw = microwatts[i], kSmiSuccess;
    };
    a.unique_id = [this](unsigned i, std::uint64_t* id) { return *id = uid[i], kSmiSuccess; };
    // LUMI-G's GCD bus numbers.
    a.pci_address = [](unsigned i, PciAddress* p) {
      static const std::uint32_t bus[kDies] = {0xc1, 0xc6, 0xc9, 0xce, 0xd1, 0xd6, 0xd9, 0xde};
      return *p = PciAddress{0, bus[i], 0, 0}, kSmiSuccess;
    };
    a.error_string = [](int code) { return std::string(code == kSmiNotSupported ? "RSMI_STATUS_NOT_SUPPORTED" : "error"); };
    return l;
  }
};

std::unique_ptr<AmdGpuSource> source(FakeRocmSmi& fake, std::vector<std::string> devices, std::string node = "nid005000") {
  return std::make_unique<AmdGpuSource>(fake.loaded(), AmdGpuOptions{std::move(devices), std::move(node)});
}

TEST(AmdGpuSource, TwoDiesOfOneModuleAreCountedOnce) {
  FakeRocmSmi fake;
  auto s = source(fake, {"0", "1"});
  ASSERT_EQ(s->modules().size(), 1u);
  const auto& m = s->modules()[0];
  EXPECT_EQ(m.domain, "gpu0");
  EXPECT_EQ(m.dies, (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(m.reader, 0u);
  EXPECT_EQ(m.unit, "nid005000/module@0000:c1:00.0");
  EXPECT_NE(m.note.find("gpu1 reports no energy (secondary die)"), std::string::npos) << m.note;

  ManualMeter meter(std::move(s));
  const auto a = meter.meter->mark();
  fake.run_module(0, 1000000);  // 1e6 counts * 15.3 uJ = 15.3 J for the module
  const auto r = energy_between(a, meter.meter->mark());
  ASSERT_EQ(r.figures.size(), 1u);
  EXPECT_EQ(r.figures[0].source, "rocm_smi");
  ASSERT_TRUE(r.figures[0].available) << r.figures[0].reason;
  EXPECT_NEAR(r.figures[0].joules, 15.3, 1e-4);
}

TEST(AmdGpuSource, TwoModulesAreTwoFigures) {
  FakeRocmSmi fake;
  auto s = source(fake, {});  // the whole node: 8 dies, 4 modules
  ASSERT_EQ(s->modules().size(), 4u);
  EXPECT_EQ(s->modules()[1].domain, "gpu2");
  EXPECT_EQ(s->modules()[1].dies, (std::vector<unsigned>{2, 3}));
}

TEST(AmdGpuSource, OneDiePerRankStillCountsTheModuleOnceAcrossRanks) {
  // LUMI's usual layout: rank 0 on die 0, rank 1 on die 1 (same module), rank 2 on die 2.
  FakeRocmSmi fake;
  std::vector<Reading> readings;
  std::vector<std::unique_ptr<ManualMeter>> meters;
  for (const char* die : {"0", "1", "2"}) meters.push_back(std::make_unique<ManualMeter>(source(fake, {die})));
  std::vector<EnergyMark> start;
  for (auto& m : meters) start.push_back(m->meter->mark());
  fake.run_module(0, 2000000);  // module 0: 30.6 J
  fake.run_module(2, 1000000);  // module 1: 15.3 J
  for (std::size_t i = 0; i < meters.size(); ++i) readings.push_back(energy_between(start[i], meters[i]->meter->mark()));

  EXPECT_EQ(readings[1].figures[0].domain, "gpu1");
  EXPECT_EQ(readings[1].figures[0].unit, readings[0].figures[0].unit) << "die 1 reads its module through die 0";
  EXPECT_NEAR(readings[1].figures[0].joules, 30.6, 1e-4);

  const auto totals = merge_readings(readings);
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].source, "rocm_smi");
  EXPECT_EQ(totals[0].domain, "gpu");
  ASSERT_TRUE(totals[0].available) << totals[0].reason;
  EXPECT_EQ(totals[0].parts, 2) << "two modules, not three dies";
  EXPECT_NEAR(totals[0].joules, 45.9, 1e-4);
}

TEST(AmdGpuSource, SameUniqueIdFindsTheModulePartner) {
  FakeRocmSmi fake;
  fake.uid[3] = fake.uid[0];  // die 3 shares die 0's package id: the uid rule, not index pairs
  auto s = source(fake, {"3"});
  ASSERT_EQ(s->modules().size(), 1u);
  EXPECT_EQ(s->modules()[0].reader, 0u);
  EXPECT_NE(s->modules()[0].note.find("same unique id"), std::string::npos) << s->modules()[0].note;
}

TEST(AmdGpuSource, DiesReturningTheSameCounterAreOneMeter) {
  // Were both dies to report the module's counter (same value, same timestamp), it is one meter.
  FakeRocmSmi fake;
  fake.counter[1] = fake.counter[0];
  fake.timestamp[1] = fake.timestamp[0];
  auto s = source(fake, {"1", "0"});
  ASSERT_EQ(s->modules().size(), 1u);
  EXPECT_EQ(s->modules()[0].dies, (std::vector<unsigned>{0, 1}));
}

TEST(AmdGpuSource, ModuleWithNoReportingDieIsUnavailable) {
  FakeRocmSmi fake;
  fake.counter[6] = 0;
  fake.microwatts[6] = 0;
  auto s = source(fake, {"7"});
  const auto samples = s->read(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_FALSE(samples[0].available);
  EXPECT_EQ(samples[0].reason,
            "gpu7 reports no energy or power (secondary die of a multi-die module?) and no die of its module reports");
}

TEST(AmdGpuSource, PowerIsIntegratedWithoutEnergyCounter) {
  FakeRocmSmi fake;
  fake.energy_supported = false;
  ManualMeter m(source(fake, {"0", "1"}));
  const auto a = m.meter->mark();
  m.t = 4;
  const auto r = energy_between(a, m.meter->mark());
  ASSERT_EQ(r.figures.size(), 1u);
  EXPECT_EQ(r.figures[0].kind, Kind::integrated_power);
  ASSERT_TRUE(r.figures[0].available) << r.figures[0].reason;
  EXPECT_NEAR(r.figures[0].joules, 800, 1e-9) << "200 W for 4 s, once for the module";
}

TEST(AmdGpuSource, MissingLibraryIsAReason) {
  const auto loaded = load_rocm_smi({"liblb-no-such-rocm_smi64.so"});
  EXPECT_FALSE(loaded.ok);
  AmdGpuSource s(loaded, AmdGpuOptions{{}, "n0"});
  const auto samples = s.read(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].domain, "");
  EXPECT_EQ(samples[0].reason.rfind("liblb-no-such-rocm_smi64.so not found", 0), 0u) << samples[0].reason;
}

}  // namespace
}  // namespace lb::energy::test
