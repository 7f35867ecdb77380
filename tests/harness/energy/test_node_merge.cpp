// Job totals from per-node readings: sums over nodes, classes kept apart, duplicates counted
// once, any missing part making the total unavailable.
#include <gtest/gtest.h>

#include "harness/energy/node_merge.h"
#include "harness/energy/reading_codec.h"

namespace lb::energy {
namespace {

EnergyFigure fig(const std::string& node, const std::string& source, const std::string& domain, double j,
                 Kind kind = Kind::counter) {
  return {source, domain, node + "/" + source + "/" + domain, kind, true, "", j};
}

EnergyFigure failed(const std::string& node, const std::string& source, const std::string& domain,
                    const std::string& reason) {
  return {source, domain, node + "/" + source + "/" + domain, Kind::counter, false, reason, 0};
}

const EnergyTotal* total(const std::vector<EnergyTotal>& t, const std::string& source, const std::string& domain) {
  for (const auto& x : t)
    if (x.source == source && x.domain == domain) return &x;
  return nullptr;
}

TEST(NodeMerge, DomainClasses) {
  EXPECT_EQ(domain_class("package-0"), "package");
  EXPECT_EQ(domain_class("dram-1"), "dram");
  EXPECT_EQ(domain_class("accel3"), "accel");
  EXPECT_EQ(domain_class("gpu12"), "gpu");
  EXPECT_EQ(domain_class("gpu@0000:c1:00.0"), "gpu");
  EXPECT_EQ(domain_class("node"), "node");
  EXPECT_EQ(domain_class("psys"), "psys");
}

TEST(NodeMerge, NodeCountersAreSummedOverNodesClassByClass) {
  std::vector<Reading> readings;
  for (const std::string n : {"a", "b"}) {
    Reading r;
    r.node = n;
    r.figures = {fig(n, "rapl", "package-0", 10), fig(n, "rapl", "package-1", 20), fig(n, "rapl", "dram-0", 4),
                 fig(n, "rapl", "dram-1", 6), fig(n, "cray_pm", "node", 100), fig(n, "cray_pm", "cpu", 35),
                 fig(n, "cray_pm", "accel0", 15), fig(n, "cray_pm", "accel1", 16)};
    readings.push_back(r);
  }
  const auto t = merge_readings(readings);
  ASSERT_EQ(t.size(), 5u);
  EXPECT_DOUBLE_EQ(total(t, "rapl", "package")->joules, 60);
  EXPECT_EQ(total(t, "rapl", "package")->parts, 4);
  EXPECT_EQ(total(t, "rapl", "package")->nodes, 2);
  EXPECT_DOUBLE_EQ(total(t, "rapl", "dram")->joules, 20);
  EXPECT_DOUBLE_EQ(total(t, "cray_pm", "node")->joules, 200) << "parts are not added to the node total";
  EXPECT_DOUBLE_EQ(total(t, "cray_pm", "cpu")->joules, 70);
  EXPECT_DOUBLE_EQ(total(t, "cray_pm", "accel")->joules, 62);
  for (const auto& x : t) EXPECT_TRUE(x.available) << x.source << " " << x.domain << ": " << x.reason;
}

TEST(NodeMerge, TheSameMeterReadByTwoRanksCountsOnce) {
  Reading rank0{"a", 1, {fig("a", "rapl", "package-0", 10)}};
  Reading rank1{"a", 1, {fig("a", "rapl", "package-0", 10.2)}};  // a careless second reader
  const auto t = merge_readings({rank0, rank1});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].parts, 1);
  EXPECT_DOUBLE_EQ(t[0].joules, 10);
}

TEST(NodeMerge, APartMissingOnOneNodeMakesTheTotalUnavailable) {
  Reading a{"a", 1, {fig("a", "rapl", "package-0", 10), fig("a", "rapl", "dram-0", 3), fig("a", "nvml", "gpu0", 50)}};
  Reading b{"b", 1, {fig("b", "rapl", "package-0", 11), failed("b", "nvml", "gpu0", "nvmlDeviceGetTotalEnergyConsumption(gpu0): Unknown Error")}};
  Reading c{"c", 1, {failed("c", "rapl", "", "/sys/class/powercap: No such file or directory"), fig("c", "nvml", "gpu0", 40)}};
  const auto t = merge_readings({a, b, c});
  const auto* pkg = total(t, "rapl", "package");
  const auto* dram = total(t, "rapl", "dram");
  const auto* gpu = total(t, "nvml", "gpu");
  ASSERT_TRUE(pkg && dram && gpu);
  EXPECT_FALSE(pkg->available);
  EXPECT_EQ(pkg->joules, 0) << "never a partial sum";
  EXPECT_EQ(pkg->reason, "c: /sys/class/powercap: No such file or directory");
  EXPECT_FALSE(dram->available);
  EXPECT_EQ(dram->reason, "c: /sys/class/powercap: No such file or directory; b: no dram figure");
  EXPECT_FALSE(gpu->available);
  EXPECT_EQ(gpu->reason, "b gpu0: nvmlDeviceGetTotalEnergyConsumption(gpu0): Unknown Error");
}

TEST(NodeMerge, ASourceUnavailableEverywhereIsOneTotalWithItsReasons) {
  std::vector<Reading> readings;
  for (const std::string n : {"a", "b", "c", "d", "e"})
    readings.push_back({n, 1, {failed(n, "nvml", "", "libnvidia-ml.so.1 not found")}});
  const auto t = merge_readings(readings);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].domain, "");
  EXPECT_FALSE(t[0].available);
  EXPECT_EQ(t[0].nodes, 5);
  EXPECT_EQ(t[0].reason,
            "a: libnvidia-ml.so.1 not found; b: libnvidia-ml.so.1 not found; c: libnvidia-ml.so.1 not found; and 2 more");
}

TEST(NodeMerge, IntegratedPowerAnywhereMarksTheTotal) {
  Reading a{"a", 1, {fig("a", "nvml", "gpu0", 5)}};
  Reading b{"b", 1, {fig("b", "nvml", "gpu0", 7, Kind::integrated_power)}};
  const auto t = merge_readings({a, b});
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].kind, Kind::integrated_power);
  EXPECT_DOUBLE_EQ(t[0].joules, 12);
}

TEST(NodeMerge, GatheredBytesMergeLikeReadings) {
  Reading a{"a", 2.5, {fig("a", "cray_pm", "node", 1000)}};
  Reading b{"b", 2.5, {fig("b", "cray_pm", "node", 1100)}};
  std::vector<Reading> gathered;
  for (const auto& r : {a, b}) gathered.push_back(decode_reading(encode_reading(r)).reading);
  const auto t = merge_readings(gathered);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_DOUBLE_EQ(t[0].joules, 2100);
}

}  // namespace
}  // namespace lb::energy
