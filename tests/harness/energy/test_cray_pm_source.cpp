// HPE Cray pm_counters through recorded trees: units, freshness (consistent sets, retries,
// staleness), malformed content, power-only domains.
#include <gtest/gtest.h>

#include <map>

#include "counter_tree.h"
#include "harness/energy/cray_pm_source.h"

namespace lb::energy::test {
namespace {

// A LUMI-G-like node: node, CPU, memory and four accelerator modules.
void write_node(const CounterTree& t, std::uint64_t freshness = 41) {
  t.write("energy", "123456 J 1634060932190436 us\n");
  t.write("power", "1500 W 1634060932190436 us\n");
  t.write("cpu_energy", "40000 J 1634060932190436 us\n");
  t.write("cpu_power", "200 W 1634060932190436 us\n");
  t.write("memory_energy", "9000 J\n");
  t.write("memory_power", "60 W\n");
  for (int i = 0; i < 4; ++i) {
    t.write("accel" + std::to_string(i) + "_energy", std::to_string(10000 + i) + " J\n");
    t.write("accel" + std::to_string(i) + "_power", "300 W\n");
    t.write("accel" + std::to_string(i) + "_power_cap", "0 W\n");
  }
  t.write("freshness", std::to_string(freshness) + "\n");
  t.write("generation", "3\n");
  t.write("version", "2\n");
  t.write("startup", "1634060000000000\n");
  t.write("raw_scan_hz", "10\n");
}

CrayPmOptions options(const CounterTree& t, ReadText read = read_text_file) {
  CrayPmOptions o;
  o.root = t.root();
  o.node = "nid005000";
  o.read = std::move(read);
  return o;
}

TEST(CrayPmSource, ReadsNodeCpuMemoryAndAcceleratorsInJoules) {
  CounterTree t("cray_all");
  write_node(t);
  CrayPmSource source(options(t));
  const auto s = source.read(0);
  ASSERT_EQ(s.size(), 7u);
  EXPECT_EQ(s[0].domain, "node") << "the node total first";
  EXPECT_DOUBLE_EQ(s[0].value, 123456);
  EXPECT_EQ(s[0].unit, "nid005000/energy");
  EXPECT_DOUBLE_EQ(find_sample(s, "cpu")->value, 40000);
  EXPECT_DOUBLE_EQ(find_sample(s, "memory")->value, 9000);
  for (int i = 0; i < 4; ++i) {
    const auto* a = find_sample(s, "accel" + std::to_string(i));
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->available);
    EXPECT_EQ(a->kind, Kind::counter);
    EXPECT_DOUBLE_EQ(a->value, 10000 + i);
  }
  for (const auto& x : s) EXPECT_FALSE(x.stale);
}

TEST(CrayPmSource, FreshnessChangingDuringTheReadIsRetried) {
  CounterTree t("cray_retry");
  write_node(t);
  // freshness reads: 41 (before) 42 (after: changed) -> retry: 42, 42. The energy file changes
  // between the attempts; the consistent second set must be the one returned.
  std::vector<std::uint64_t> freshness = {41, 42, 42, 42};
  std::size_t freshness_reads = 0;
  int energy_reads = 0;
  CrayPmSource source(options(t, [&](const std::string& path) -> TextRead {
    if (path == t.path("freshness")) {
      const auto v = freshness[std::min(freshness_reads++, freshness.size() - 1)];
      return {true, std::to_string(v) + "\n", ""};
    }
    if (path == t.path("energy")) return {true, ++energy_reads == 1 ? "100 J\n" : "200 J\n", ""};
    return read_text_file(path);
  }));
  const auto s = source.read(0);
  EXPECT_EQ(freshness_reads, 4u);
  EXPECT_EQ(energy_reads, 2);
  const auto* node = find_sample(s, "node");
  ASSERT_TRUE(node && node->available) << (node ? node->reason : "");
  EXPECT_DOUBLE_EQ(node->value, 200);
}

TEST(CrayPmSource, FreshnessThatNeverHoldsStillGivesNoInconsistentSet) {
  CounterTree t("cray_unsettled");
  write_node(t);
  std::uint64_t f = 0;
  CrayPmSource source(options(t, [&](const std::string& path) -> TextRead {
    if (path == t.path("freshness")) return {true, std::to_string(f++) + "\n", ""};
    return read_text_file(path);
  }));
  const auto s = source.read(0);
  ASSERT_EQ(s.size(), 7u);
  for (const auto& x : s) {
    EXPECT_FALSE(x.available);
    EXPECT_EQ(x.reason, t.path("freshness") + ": changed during each of 3 reads (0->1, 2->3, 4->5): no consistent set");
  }
}

TEST(CrayPmSource, StaleReadsAreUsedUntilTheCountersStopBeingRefreshed) {
  CounterTree t("cray_stale");
  write_node(t, 7);
  CrayPmSource source(options(t));
  auto s = source.read(0.0);
  EXPECT_TRUE(find_sample(s, "node")->available);
  EXPECT_FALSE(find_sample(s, "node")->stale);

  s = source.read(1.0);  // freshness still 7: stale, still a valid (older) value
  EXPECT_TRUE(find_sample(s, "node")->available);
  EXPECT_TRUE(find_sample(s, "node")->stale);

  s = source.read(6.0);  // unchanged for 6 s > stale_limit_s 5
  EXPECT_FALSE(find_sample(s, "node")->available);
  EXPECT_EQ(find_sample(s, "node")->reason,
            t.path("freshness") + ": stuck at 7 for 6.0 s: the counters are not being refreshed");

  t.write("freshness", "8\n");
  s = source.read(7.0);
  EXPECT_TRUE(find_sample(s, "node")->available);
  EXPECT_FALSE(find_sample(s, "node")->stale);
}

TEST(CrayPmSource, MalformedContentAndWrongUnitAreUnavailable) {
  CounterTree t("cray_malformed");
  write_node(t);
  t.write("energy", "abc J\n");
  t.write("cpu_energy", "123 W\n");
  t.write("memory_energy", "\n");
  const auto s = CrayPmSource(options(t)).read(0);
  const auto* node = find_sample(s, "node");
  const auto* cpu = find_sample(s, "cpu");
  const auto* mem = find_sample(s, "memory");
  ASSERT_TRUE(node && cpu && mem);
  EXPECT_FALSE(node->available);
  EXPECT_EQ(node->reason, t.path("energy") + ": malformed content 'abc J' (expected '<integer> J')");
  EXPECT_FALSE(cpu->available);
  EXPECT_EQ(cpu->reason, t.path("cpu_energy") + ": malformed content '123 W' (expected '<integer> J')");
  EXPECT_FALSE(mem->available);
  EXPECT_TRUE(find_sample(s, "accel0")->available) << "one bad file does not spoil the others";
}

TEST(CrayPmSource, UnreadableFileIsUnavailableWithTheReason) {
  CounterTree t("cray_unreadable");
  write_node(t);
  t.remove("accel2_energy");
  t.mkdir("accel2_energy");
  const auto s = CrayPmSource(options(t)).read(0);
  const auto* a = find_sample(s, "accel2");
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->available);
  EXPECT_EQ(a->reason, t.path("accel2_energy") + ": Is a directory");
}

TEST(CrayPmSource, PowerOnlyDomainIsIntegrated) {
  CounterTree t("cray_power");
  t.write("energy", "1000 J\n");
  t.write("accel0_power", "300 W\n");
  t.write("freshness", "1\n");
  ManualMeter m(std::make_unique<CrayPmSource>(options(t)));
  const auto a = m.meter->mark();
  t.write("freshness", "2\n");
  t.write("accel0_power", "500 W\n");
  t.write("energy", "1800 J\n");
  m.t = 2;
  const auto r = energy_between(a, m.meter->mark());
  const auto accel = find_figure(r, "cray_pm", "accel0");
  const auto node = find_figure(r, "cray_pm", "node");
  ASSERT_TRUE(accel && node);
  EXPECT_EQ(accel->kind, Kind::integrated_power);
  EXPECT_NEAR(accel->joules, 800, 1e-9) << "(300 W + 500 W) / 2 * 2 s";
  EXPECT_EQ(node->kind, Kind::counter);
  EXPECT_NEAR(node->joules, 800, 1e-9);
}

TEST(CrayPmSource, WithoutFreshnessValuesAreReadUnchecked) {
  CounterTree t("cray_nofresh");
  t.write("energy", "5 J\n");
  const auto s = CrayPmSource(options(t)).read(0);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_TRUE(s[0].available);
  EXPECT_DOUBLE_EQ(s[0].value, 5);
}

TEST(CrayPmSource, MissingRootOrEmptyDirectoryIsUnavailable) {
  CounterTree t("cray_none");
  auto s = CrayPmSource(options(t)).read(0);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].domain, "");
  EXPECT_EQ(s[0].reason, t.root() + ": no energy or power files");
  CrayPmOptions o;
  o.root = t.path("pm_counters");
  s = CrayPmSource(o).read(0);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].reason, t.path("pm_counters") + ": No such file or directory");
}

}  // namespace
}  // namespace lb::energy::test
