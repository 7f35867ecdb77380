// RAPL through recorded powercap trees: discovery, wrap-around, missing range, unreadable and
// missing files. Tests run as root in CI, where chmod 000 does not stop a read: unreadability is
// produced with a directory where the file should be (a real failing read) and with an injected
// reader returning the kernel's EACCES message.
#include <gtest/gtest.h>

#include "counter_tree.h"
#include "harness/energy/rapl_source.h"

namespace lb::energy::test {
namespace {

constexpr const char* kRange = "262143328850\n";  // a typical max_energy_range_uj

void write_zone(const CounterTree& t, const std::string& dir, const std::string& name, const std::string& uj,
                const char* range = kRange) {
  t.write(dir + "/name", name + "\n");
  t.write(dir + "/energy_uj", uj + "\n");
  if (range) t.write(dir + "/max_energy_range_uj", range);
}

// package-0 with core and dram sub-zones, and the mmio duplicate of the package that must be skipped.
void write_server_tree(const CounterTree& t) {
  write_zone(t, "intel-rapl:0", "package-0", "1000000");
  write_zone(t, "intel-rapl:0:0", "core", "400000");
  write_zone(t, "intel-rapl:0:1", "dram", "250000");
  write_zone(t, "intel-rapl-mmio:0", "package-0", "999999999");
  t.mkdir("intel-rapl");  // the control type directory, not a zone
}

RaplSource rapl(const CounterTree& t, ReadText read = read_text_file) {
  RaplOptions o;
  o.root = t.root();
  o.node = "n0";
  o.read = std::move(read);
  return RaplSource(o);
}

TEST(RaplSource, FindsPackageDramAndCoreNamedAfterTheirPackage) {
  CounterTree t("rapl_discover");
  write_server_tree(t);
  auto source = rapl(t);
  const auto samples = source.read(0);
  ASSERT_EQ(samples.size(), 3u) << "package-0, core-0, dram-0; the mmio zone is skipped";
  const auto* pkg = find_sample(samples, "package-0");
  const auto* dram = find_sample(samples, "dram-0");
  const auto* core = find_sample(samples, "core-0");
  ASSERT_TRUE(pkg && dram && core);
  EXPECT_TRUE(pkg->available);
  EXPECT_DOUBLE_EQ(pkg->value, 1.0);
  EXPECT_DOUBLE_EQ(dram->value, 0.25);
  EXPECT_DOUBLE_EQ(core->value, 0.4);
  EXPECT_DOUBLE_EQ(pkg->wrap_j, 262143.328851);
  EXPECT_EQ(pkg->unit, "n0/intel-rapl:0");
  EXPECT_EQ(dram->unit, "n0/intel-rapl:0:1");
  EXPECT_EQ(pkg->kind, Kind::counter);
}

TEST(RaplSource, EnergyBetweenMarksPerDomain) {
  CounterTree t("rapl_between");
  write_server_tree(t);
  ManualMeter m(std::make_unique<RaplSource>(rapl(t)));
  const auto a = m.meter->mark();
  t.write("intel-rapl:0/energy_uj", "6000000\n");
  t.write("intel-rapl:0:0/energy_uj", "3400000\n");
  t.write("intel-rapl:0:1/energy_uj", "2250000\n");
  m.t = 1;
  const auto r = energy_between(a, m.meter->mark());
  const auto pkg = find_figure(r, "rapl", "package-0");
  const auto core = find_figure(r, "rapl", "core-0");
  const auto dram = find_figure(r, "rapl", "dram-0");
  ASSERT_TRUE(pkg && core && dram);
  EXPECT_TRUE(pkg->available && core->available && dram->available);
  EXPECT_NEAR(pkg->joules, 5.0, 1e-9);
  EXPECT_NEAR(core->joules, 3.0, 1e-9) << "reported beside the package, not added to it";
  EXPECT_NEAR(dram->joules, 2.0, 1e-9);
  EXPECT_DOUBLE_EQ(r.seconds, 1.0);
}

TEST(RaplSource, CounterWrapAddsTheRange) {
  CounterTree t("rapl_wrap");
  write_zone(t, "intel-rapl:0", "package-0", "900000", "999999\n");  // wraps after 1 J
  ManualMeter m(std::make_unique<RaplSource>(rapl(t)));
  const auto a = m.meter->mark();
  t.write("intel-rapl:0/energy_uj", "100000\n");  // went down: wrapped once
  const auto r = energy_between(a, m.meter->mark());
  const auto pkg = find_figure(r, "rapl", "package-0");
  ASSERT_TRUE(pkg);
  ASSERT_TRUE(pkg->available) << pkg->reason;
  EXPECT_NEAR(pkg->joules, 0.2, 1e-9) << "0.9 J -> 1.0 J (= max + 1 uJ) -> 0.1 J";
}

TEST(RaplSource, WrapsSeenAtEverySampleAccumulate) {
  CounterTree t("rapl_wraps");
  write_zone(t, "intel-rapl:0", "package-0", "0", "999999\n");
  ManualMeter m(std::make_unique<RaplSource>(rapl(t)));
  const auto a = m.meter->mark();
  // 0.7 J per sample for 10 samples: the counter wraps 6 times; each sample sees at most one.
  long long uj = 0;
  for (int i = 0; i < 10; ++i) {
    uj = (uj + 700000) % 1000000;
    t.write("intel-rapl:0/energy_uj", std::to_string(uj) + "\n");
    m.meter->mark();
  }
  const auto pkg = find_figure(energy_between(a, m.meter->mark()), "rapl", "package-0");
  ASSERT_TRUE(pkg && pkg->available);
  EXPECT_NEAR(pkg->joules, 7.0, 1e-9);
}

TEST(RaplSource, MissingRangeReadsButADecreaseLosesTheWindow) {
  CounterTree t("rapl_norange");
  write_zone(t, "intel-rapl:0", "package-0", "5000000", nullptr);
  ManualMeter m(std::make_unique<RaplSource>(rapl(t)));
  const auto a = m.meter->mark();
  t.write("intel-rapl:0/energy_uj", "7000000\n");
  const auto b = m.meter->mark();
  const auto up = find_figure(energy_between(a, b), "rapl", "package-0");
  ASSERT_TRUE(up && up->available);
  EXPECT_NEAR(up->joules, 2.0, 1e-9);

  t.write("intel-rapl:0/energy_uj", "1000000\n");
  const auto c = m.meter->mark();
  const auto down = find_figure(energy_between(b, c), "rapl", "package-0");
  ASSERT_TRUE(down);
  EXPECT_FALSE(down->available) << "a decrease with no known range cannot be corrected";
  EXPECT_NE(down->reason.find("wrap-around range is unknown"), std::string::npos) << down->reason;
  EXPECT_FALSE(find_figure(energy_between(a, c), "rapl", "package-0")->available) << "the run figure includes the break";

  t.write("intel-rapl:0/energy_uj", "1500000\n");
  const auto after = find_figure(energy_between(c, m.meter->mark()), "rapl", "package-0");
  ASSERT_TRUE(after && after->available) << "later windows are whole again";
  EXPECT_NEAR(after->joules, 0.5, 1e-9);
}

TEST(RaplSource, EnergyFileThatCannotBeReadIsUnavailableNotZero) {
  CounterTree t("rapl_isdir");
  write_zone(t, "intel-rapl:0", "package-0", "1000000");
  t.remove("intel-rapl:0/energy_uj");
  t.mkdir("intel-rapl:0/energy_uj");  // read() fails with EISDIR, even for root
  auto source = rapl(t);
  const auto samples = source.read(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_FALSE(samples[0].available);
  EXPECT_EQ(samples[0].reason, t.path("intel-rapl:0/energy_uj") + ": Is a directory");

  ManualMeter m(std::make_unique<RaplSource>(rapl(t)));
  const auto a = m.meter->mark();
  const auto f = find_figure(energy_between(a, m.meter->mark()), "rapl", "package-0");
  ASSERT_TRUE(f);
  EXPECT_FALSE(f->available);
  EXPECT_EQ(f->reason, t.path("intel-rapl:0/energy_uj") + ": Is a directory");
}

TEST(RaplSource, PermissionDeniedIsRecordedWithThePath) {
  CounterTree t("rapl_eacces");
  write_server_tree(t);
  // The kernel's answer to a non-root reader on recent kernels (energy_uj is 0400 root).
  int denied = 0;
  auto source = rapl(t, [&](const std::string& path) {
    if (path.size() > 10 && path.compare(path.size() - 10, 10, "/energy_uj") == 0 && path.find("intel-rapl:0:1") == std::string::npos) {
      ++denied;
      return TextRead{false, "", path + ": Permission denied"};
    }
    return read_text_file(path);
  });
  const auto samples = source.read(0);
  EXPECT_EQ(denied, 2) << "package and core denied, dram readable";
  const auto* pkg = find_sample(samples, "package-0");
  const auto* dram = find_sample(samples, "dram-0");
  ASSERT_TRUE(pkg && dram);
  EXPECT_FALSE(pkg->available);
  EXPECT_EQ(pkg->reason, t.path("intel-rapl:0/energy_uj") + ": Permission denied");
  EXPECT_TRUE(dram->available);
}

TEST(RaplSource, MissingDomainsAreSimplyAbsent) {
  CounterTree t("rapl_nodram");
  write_zone(t, "intel-rapl:0", "package-0", "1000");
  write_zone(t, "intel-rapl:1", "package-1", "2000");
  auto source = rapl(t);
  const auto samples = source.read(0);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_TRUE(find_sample(samples, "package-0"));
  EXPECT_TRUE(find_sample(samples, "package-1"));
  EXPECT_FALSE(find_sample(samples, "dram-0"));
}

TEST(RaplSource, MissingEnergyFileAndUnreadableNameAreUnavailable) {
  CounterTree t("rapl_missing");
  write_zone(t, "intel-rapl:0", "package-0", "1000");
  t.remove("intel-rapl:0/energy_uj");
  t.write("intel-rapl:1/energy_uj", "5\n");  // no name file
  auto source = rapl(t);
  const auto samples = source.read(0);
  const auto* pkg = find_sample(samples, "package-0");
  const auto* nameless = find_sample(samples, "intel-rapl:1");
  ASSERT_TRUE(pkg && nameless);
  EXPECT_FALSE(pkg->available);
  EXPECT_EQ(pkg->reason, t.path("intel-rapl:0/energy_uj") + ": No such file or directory");
  EXPECT_FALSE(nameless->available);
  EXPECT_EQ(nameless->reason, t.path("intel-rapl:1/name") + ": No such file or directory");
}

TEST(RaplSource, NoZonesOrNoRootMakesTheSourceUnavailable) {
  CounterTree t("rapl_empty");
  auto empty = rapl(t);
  auto samples = empty.read(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].domain, "");
  EXPECT_FALSE(samples[0].available);
  EXPECT_EQ(samples[0].reason, t.root() + ": no intel-rapl or amd-rapl zones");

  RaplOptions o;
  o.root = t.path("absent");
  samples = RaplSource(o).read(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_EQ(samples[0].reason, t.path("absent") + ": No such file or directory");
}

TEST(RaplSource, MalformedCounterIsUnavailable) {
  CounterTree t("rapl_malformed");
  write_zone(t, "intel-rapl:0", "package-0", "12abc");
  const auto samples = rapl(t).read(0);
  ASSERT_EQ(samples.size(), 1u);
  EXPECT_FALSE(samples[0].available);
  EXPECT_EQ(samples[0].reason, t.path("intel-rapl:0/energy_uj") + ": malformed content '12abc' (expected '<integer>')");
}

TEST(RaplSource, AmdRaplZonesAreReadTheSameWay) {
  CounterTree t("rapl_amd");
  write_zone(t, "amd-rapl:0", "package-0", "3000000");
  write_zone(t, "amd-rapl:0:0", "core", "1000000");
  const auto samples = rapl(t).read(0);
  ASSERT_EQ(samples.size(), 2u);
  EXPECT_DOUBLE_EQ(find_sample(samples, "package-0")->value, 3.0);
  EXPECT_DOUBLE_EQ(find_sample(samples, "core-0")->value, 1.0);
  EXPECT_EQ(find_sample(samples, "package-0")->unit, "n0/amd-rapl:0");
}

TEST(RaplSource, SubZonesTakeThePackageNumberFromItsName) {
  CounterTree t("rapl_psys");
  write_zone(t, "intel-rapl:0", "package-1", "1");
  write_zone(t, "intel-rapl:0:0", "dram", "1");
  write_zone(t, "intel-rapl:1", "psys", "1");
  const auto samples = rapl(t).read(0);
  EXPECT_TRUE(find_sample(samples, "package-1"));
  EXPECT_TRUE(find_sample(samples, "dram-1"));
  EXPECT_TRUE(find_sample(samples, "psys"));
}

}  // namespace
}  // namespace lb::energy::test
