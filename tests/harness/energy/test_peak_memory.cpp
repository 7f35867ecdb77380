// Peak resident memory from /proc/<self>/status (real and recorded).
#include <gtest/gtest.h>

#include <vector>

#include "counter_tree.h"
#include "harness/energy/peak_memory.h"

namespace lb::energy::test {
namespace {

TEST(PeakMemory, ThisProcessHasAPeak) {
  std::vector<char> touched(64 << 20, 1);  // 64 MiB resident
  const auto m = peak_resident_memory();
  ASSERT_TRUE(m.available) << m.reason;
  EXPECT_GE(m.bytes, std::int64_t(64) << 20);
  EXPECT_EQ(touched[12345], 1);
}

TEST(PeakMemory, ReadsVmHWMFromARecordedStatus) {
  CounterTree t("proc");
  t.write("self/status", "Name:\ttest\nVmPeak:\t  9000 kB\nVmHWM:\t    2048 kB\nVmRSS:\t  1000 kB\n");
  const auto m = peak_resident_memory(t.root());
  ASSERT_TRUE(m.available) << m.reason;
  EXPECT_EQ(m.bytes, 2048 * 1024);
}

TEST(PeakMemory, MissingOrMalformedIsUnavailable) {
  CounterTree t("proc_bad");
  auto m = peak_resident_memory(t.root());
  EXPECT_FALSE(m.available);
  EXPECT_EQ(m.reason, t.path("self/status") + ": No such file or directory");
  t.write("self/status", "Name:\ttest\n");
  m = peak_resident_memory(t.root());
  EXPECT_FALSE(m.available);
  EXPECT_EQ(m.reason, t.path("self/status") + ": no VmHWM line");
  t.write("self/status", "VmHWM:\t lots\n");
  EXPECT_FALSE(peak_resident_memory(t.root()).available);
}

}  // namespace
}  // namespace lb::energy::test
