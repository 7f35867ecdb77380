// The PNG/PDF charts as a viewer gets them: the requested size, not blank, in the shared palette.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "chart_files_reader.h"

namespace lb::charts::testing {
namespace {

class StaticImage : public ::testing::TestWithParam<const char*> {};

bool has_color(const Image& img, unsigned char r, unsigned char g, unsigned char b) {
  for (std::size_t i = 0; i + 2 < img.rgb.size(); i += 3) {
    if (img.rgb[i] == r && img.rgb[i + 1] == g && img.rgb[i + 2] == b) return true;
  }
  return false;
}

TEST_P(StaticImage, PngIs1000x600AndNotBlank) {
  const Image img = read_png(demo_dir() + "/" + GetParam() + ".png");
  EXPECT_EQ(img.width, 1000);
  // The energy chart's 4-node row says under its name why it is not in the headline: taller.
  if (std::string(GetParam()) == "lumi_energy_cost") {
    EXPECT_GT(img.height, 600);
  } else {
    EXPECT_EQ(img.height, 600);
  }
  std::size_t inked = 0;
  std::set<unsigned> colors;
  for (std::size_t i = 0; i + 2 < img.rgb.size(); i += 3) {
    const unsigned c = img.rgb[i] << 16 | img.rgb[i + 1] << 8 | img.rgb[i + 2];
    colors.insert(c);
    inked += c != 0xffffff;
  }
  const double share = static_cast<double>(inked) / (img.width * img.height);
  EXPECT_GT(share, 0.02) << "almost nothing drawn";
  EXPECT_LT(share, 0.9) << "almost everything drawn: a failed render?";
  EXPECT_GT(colors.size(), 20u) << "text and lines are anti-aliased: a real chart has many shades";
  EXPECT_TRUE(has_color(img, 0x00, 0x72, 0xB2)) << "the cluster colour of the shared palette";
}

TEST_P(StaticImage, PdfIsWrittenBeside) {
  const std::string pdf = read_text(demo_dir() + "/" + GetParam() + ".pdf");
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  EXPECT_GT(pdf.size(), 4000u);
}

INSTANTIATE_TEST_SUITE_P(Charts, StaticImage,
                         ::testing::Values("lumi_vs_laptop_comparison", "lumi_vs_laptop_accuracy_vs_time",
                                           "lumi_scaling_analysis", "lumi_bound_attribution", "lumi_scaling_model",
                                           "lumi_energy_cost"));

TEST(StaticImage, ComparisonShowsBothGroupColours) {
  const Image img = read_png(demo_dir() + "/lumi_vs_laptop_comparison.png");
  EXPECT_TRUE(has_color(img, 0x00, 0x72, 0xB2)) << "cluster bars";
  EXPECT_TRUE(has_color(img, 0xD5, 0x5E, 0x00)) << "laptop bars";
}

TEST(StaticImage, BoundChartShowsEveryPartOfTheStep) {
  const Image img = read_png(demo_dir() + "/lumi_bound_attribution.png");
  EXPECT_TRUE(has_color(img, 0xE6, 0x9F, 0x00)) << "data wait";
  EXPECT_TRUE(has_color(img, 0x00, 0x72, 0xB2)) << "compute";
  EXPECT_TRUE(has_color(img, 0x00, 0x9E, 0x73)) << "exposed communication";
  EXPECT_TRUE(has_color(img, 0xBB, 0xBB, 0xBB)) << "other";
}

TEST(StaticImage, ScalingModelChartDrawsModelledAndMeasuredApart) {
  const Image img = read_png(demo_dir() + "/lumi_scaling_model.png");
  EXPECT_TRUE(has_color(img, 0xCC, 0x79, 0xA7)) << "the modelled line in its own colour";
  EXPECT_TRUE(has_color(img, 0x00, 0x72, 0xB2)) << "the measured points";
}

TEST(StaticImage, EnergyChartDrawsModelledApartInBothGroups) {
  const Image img = read_png(demo_dir() + "/lumi_energy_cost.png");
  EXPECT_TRUE(has_color(img, 0xCC, 0x79, 0xA7)) << "the modelled outline";
  EXPECT_TRUE(has_color(img, 0x00, 0x72, 0xB2)) << "cluster bars";
  EXPECT_TRUE(has_color(img, 0xD5, 0x5E, 0x00)) << "laptop bars";
}

TEST(StaticImage, MemoryChartIs1000x600WithHostAndDeviceColours) {
  const Image img = read_png(demo_dir() + "/lumi_memory.png");
  EXPECT_EQ(img.width, 1000);
  EXPECT_EQ(img.height, 600);
  EXPECT_TRUE(has_color(img, 0x56, 0xB4, 0xE9)) << "host memory";
  EXPECT_TRUE(has_color(img, 0x00, 0x9E, 0x73)) << "device memory";
  const std::string pdf = read_text(demo_dir() + "/lumi_memory.pdf");
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
}

}  // namespace
}  // namespace lb::charts::testing
