// The loaders' real dlopen/dlsym path, against stand-in vendor libraries built with the tests
// (fake_libraries/): symbol names, argument order, handle lookup, units.
#include <gtest/gtest.h>

#include "counter_tree.h"
#include "harness/energy/amd_gpu_source.h"
#include "harness/energy/nvml_source.h"

namespace lb::energy::test {
namespace {

TEST(Loaders, NvmlThroughDlopen) {
  auto loaded = load_nvml({LB_FAKE_NVML});
  ASSERT_TRUE(loaded.ok) << loaded.error;
  ManualMeter m(std::make_unique<NvmlSource>(loaded, NvmlOptions{{"0000:86:00.0", "0"}, "n0"}));
  const auto a = m.meter->mark();
  m.t = 2;
  const auto r = energy_between(a, m.meter->mark());
  ASSERT_EQ(r.figures.size(), 2u);
  const auto gpu0 = find_figure(r, "nvml", "gpu0");
  const auto gpu1 = find_figure(r, "nvml", "gpu1");
  ASSERT_TRUE(gpu0 && gpu1);
  EXPECT_EQ(gpu0->kind, Kind::counter);
  EXPECT_EQ(gpu0->unit, "GPU-fake-0");
  ASSERT_TRUE(gpu0->available) << gpu0->reason;
  EXPECT_NEAR(gpu0->joules, 1.0, 1e-9) << "one read, 1000 mJ later";
  EXPECT_EQ(gpu1->kind, Kind::integrated_power) << "NOT_SUPPORTED energy falls back to power";
  EXPECT_NEAR(gpu1->joules, 300.0, 1e-9) << "150 W for 2 s";
}

TEST(Loaders, RocmSmiThroughDlopen) {
  auto loaded = load_rocm_smi({LB_FAKE_ROCM_SMI});
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_EQ(loaded.api.library, "rocm_smi");
  auto source = std::make_unique<AmdGpuSource>(loaded, AmdGpuOptions{{"0000:c6:00.0"}, "n0"});  // die 1
  ASSERT_EQ(source->modules().size(), 1u);
  EXPECT_EQ(source->modules()[0].reader, 0u);
  EXPECT_EQ(source->modules()[0].unit, "n0/module@0000:c1:00.0");
  ManualMeter m(std::move(source));
  const auto a = m.meter->mark();
  const auto r = energy_between(a, m.meter->mark());
  ASSERT_EQ(r.figures.size(), 1u);
  EXPECT_EQ(r.figures[0].domain, "gpu1");
  ASSERT_TRUE(r.figures[0].available) << r.figures[0].reason;
  EXPECT_NEAR(r.figures[0].joules, 65536 * 15.259e-6, 1e-6);
}

TEST(Loaders, AmdSmiThroughDlopen) {
  auto loaded = load_amd_smi({LB_FAKE_AMD_SMI});
  ASSERT_TRUE(loaded.ok) << loaded.error;
  EXPECT_EQ(loaded.api.library, "amd_smi");
  ManualMeter m(std::make_unique<AmdGpuSource>(loaded, AmdGpuOptions{{"0000:22:00.0"}, "n0"}));
  const auto a = m.meter->mark();
  const auto r = energy_between(a, m.meter->mark());
  ASSERT_EQ(r.figures.size(), 1u);
  EXPECT_EQ(r.figures[0].source, "amd_smi");
  EXPECT_EQ(r.figures[0].domain, "gpu1");
  ASSERT_TRUE(r.figures[0].available) << r.figures[0].reason;
  EXPECT_NEAR(r.figures[0].joules, 1000e-6, 1e-12);
}

TEST(Loaders, WrongLibraryIsAReasonNotACrash) {
  const auto nvml_as_rocm = load_rocm_smi({LB_FAKE_NVML});
  EXPECT_FALSE(nvml_as_rocm.ok);
  EXPECT_NE(nvml_as_rocm.error.find("no symbol rsmi_"), std::string::npos) << nvml_as_rocm.error;
}

}  // namespace
}  // namespace lb::energy::test
