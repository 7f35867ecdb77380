// Parsers of counter text, PCI addresses, GPU selection and the reading codec.
#include <gtest/gtest.h>

#include "harness/energy/counter_text.h"
#include "harness/energy/gpu_selection.h"
#include "harness/energy/pci_address.h"
#include "harness/energy/reading_codec.h"

namespace lb::energy {
namespace {

TEST(CounterText, UnsignedIntegers) {
  EXPECT_EQ(parse_unsigned("262143328850\n").value, 262143328850u);
  EXPECT_TRUE(parse_unsigned("0").ok);
  EXPECT_FALSE(parse_unsigned("").ok);
  EXPECT_FALSE(parse_unsigned("-1").ok);
  EXPECT_FALSE(parse_unsigned("12 34").ok);
  EXPECT_FALSE(parse_unsigned("99999999999999999999999").ok) << "overflow";
}

TEST(CounterText, ValuesWithUnits) {
  EXPECT_EQ(parse_with_unit("123456 J\n", "J").value, 123456u);
  EXPECT_EQ(parse_with_unit("123 W", "W").value, 123u);
  EXPECT_EQ(parse_with_unit("98 J 1634060932190436 us\n", "J").value, 98u) << "Cray's timestamp suffix";
  EXPECT_FALSE(parse_with_unit("123 W", "J").ok) << "a power file is not an energy file";
  EXPECT_FALSE(parse_with_unit("123", "J").ok);
  EXPECT_FALSE(parse_with_unit("123 J extra", "J").ok);
  const auto bad = parse_with_unit("abc J", "J");
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.error, "malformed content 'abc J' (expected '<integer> J')");
}

TEST(PciAddress, ParsesTheCommonSpellings) {
  PciAddress a;
  ASSERT_TRUE(parse_pci_address("0000:c1:00.0", &a));
  EXPECT_EQ(to_string(a), "0000:c1:00.0");
  ASSERT_TRUE(parse_pci_address("00000000:C1:00.0", &a)) << "NVML's 8-digit domain";
  EXPECT_EQ(to_string(a), "0000:c1:00.0");
  ASSERT_TRUE(parse_pci_address("3b:00.1", &a));
  EXPECT_EQ(to_string(a), "0000:3b:00.1");
  EXPECT_FALSE(parse_pci_address("3", &a));
  EXPECT_FALSE(parse_pci_address("zz:00.0", &a));
  EXPECT_EQ(to_string(from_bdf_id(46592)), "0000:b6:00.0") << "ROCm SMI BDFID of bus 0xb6";
}

TEST(GpuSelection, IndicesAndPciAddresses) {
  const PciAddress pcis[3] = {{0, 0xc1, 0, 0}, {0, 0xc6, 0, 0}, {0, 0xc9, 0, 0}};
  auto pci_of = [&](unsigned i, PciAddress* a) {
    *a = pcis[i];
    return true;
  };
  const auto all = choose_gpus({}, 3, pci_of);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].index, 2u);

  const auto some = choose_gpus({"0000:c6:00.0", "1", "7", "gpu"}, 3, pci_of);
  ASSERT_EQ(some.size(), 3u) << "index 1 named twice is chosen once";
  EXPECT_TRUE(some[0].ok);
  EXPECT_EQ(some[0].index, 1u);
  EXPECT_FALSE(some[1].ok);
  EXPECT_EQ(some[1].error, "no GPU with index 7 (3 devices)");
  EXPECT_FALSE(some[2].ok);
  EXPECT_EQ(unmatched_domain("7"), "gpu7");
  EXPECT_EQ(unmatched_domain("0000:d1:00.0"), "gpu@0000:d1:00.0");
}

TEST(ReadingCodec, RoundTripsEveryField) {
  Reading r;
  r.node = "nid005000";
  r.seconds = 12.5;
  r.figures.push_back({"rapl", "package-0", "nid005000/intel-rapl:0", Kind::counter, true, "", 1234.000001});
  r.figures.push_back({"nvml", "", "nid005000/nvml", Kind::counter, false, "tab\there\nnewline \\ backslash", 0});
  r.figures.push_back({"cray_pm", "accel0", "nid005000/accel0_power", Kind::integrated_power, true, "", 1.0 / 3.0});
  const auto d = decode_reading(encode_reading(r));
  ASSERT_TRUE(d.ok) << d.error;
  EXPECT_EQ(d.reading.node, r.node);
  EXPECT_DOUBLE_EQ(d.reading.seconds, 12.5);
  ASSERT_EQ(d.reading.figures.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& a = r.figures[i];
    const auto& b = d.reading.figures[i];
    EXPECT_EQ(a.source, b.source);
    EXPECT_EQ(a.domain, b.domain);
    EXPECT_EQ(a.unit, b.unit);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.available, b.available);
    EXPECT_EQ(a.reason, b.reason);
    EXPECT_EQ(a.joules, b.joules) << "exact: %.17g";
  }
  EXPECT_FALSE(decode_reading("garbage").ok);
  EXPECT_FALSE(decode_reading("lb-energy-reading 1\nn\t1\nrapl\tx\n").ok);
}

}  // namespace
}  // namespace lb::energy
