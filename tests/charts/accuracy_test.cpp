// Golden data tests of the accuracy-vs-time charts (.html and the gnuplot .dat/.gp).
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "chart_files_reader.h"

namespace lb::charts::testing {
namespace {

using nlohmann::json;

const double kNodeAcc[] = {6.1, 12.4, 18.0, 22.9, 27.3, 31.0, 34.2, 36.8, 38.7, 40.1};
const double kLaptopAcc[] = {0.9, 1.4, 2.2, 2.9, 3.3, 3.8, 4.4, 4.9, 5.1, 5.6};

struct ExpectedCurve {
  const char* name;
  double epoch_s;
  const double* accuracy;
  const char* dash;
};
const ExpectedCurve kCurves[] = {
    {"Laptop 8 threads (1% subset)", 26, kLaptopAcc, "solid"},
    {"LUMI 1 node (8 GPUs)", 340, kNodeAcc, "solid"},
    // Legend entries are wrapped at 30 characters: the margin is fixed and Plotly does not wrap.
    {"LUMI 8 nodes (64 GPUs)<br>(projected)", 54, kNodeAcc, "dash"},
};

TEST(AccuracyChart, HtmlCarriesEveryCurveWithProjectedOnesDashedAndLabelled) {
  const json fig = html_figure(demo_dir() + "/lumi_vs_laptop_accuracy_vs_time.html");
  ASSERT_EQ(fig["data"].size(), std::size(kCurves) + 1) << "the curves and the target line";
  for (std::size_t c = 0; c < std::size(kCurves); ++c) {
    const json& t = fig["data"][c];
    SCOPED_TRACE(kCurves[c].name);
    EXPECT_EQ(t["name"], kCurves[c].name);
    EXPECT_EQ(t["line"]["dash"], kCurves[c].dash);
    ASSERT_EQ(t["x"].size(), 10u);
    for (int e = 0; e < 10; ++e) {
      EXPECT_DOUBLE_EQ(t["x"][e].get<double>(), kCurves[c].epoch_s * (e + 1));
      EXPECT_DOUBLE_EQ(t["y"][e].get<double>(), kCurves[c].accuracy[e]);
    }
  }
  EXPECT_EQ(fig["data"][2]["text"].back(), "projected");
  EXPECT_EQ(fig["data"][1]["text"].back(), "");
  EXPECT_EQ(fig["layout"]["xaxis"]["type"], "log");
  EXPECT_FALSE(fig.contains("frames"));
}

TEST(AccuracyChart, TheTargetAccuracyIsADottedLineNamedInTheLegend) {
  const json fig = html_figure(demo_dir() + "/lumi_vs_laptop_accuracy_vs_time.html");
  const json& t = fig["data"].back();
  EXPECT_EQ(t["name"], "target 35% (--target-accuracy)");
  EXPECT_EQ(t["y"], json({35, 35}));
  EXPECT_EQ(t["line"]["dash"], "dot");
  // Across the whole time axis.
  const json& range = fig["layout"]["xaxis"]["range"];
  EXPECT_NEAR(std::log10(t["x"][0].get<double>()), range[0].get<double>(), 1e-9);
  EXPECT_NEAR(std::log10(t["x"][1].get<double>()), range[1].get<double>(), 1e-9);
  const std::string gp = read_text(demo_dir() + "/lumi_vs_laptop_accuracy_vs_time.gp");
  EXPECT_NE(gp.find("set arrow 150 from graph 0, first 35 to graph 1, first 35 nohead dt 3"), std::string::npos);
  EXPECT_NE(gp.find("NaN with lines dt 3 lw 2 lc rgb ink title 'target 35% (--target-accuracy)'"), std::string::npos);
}

TEST(AccuracyChart, EfficiencyPanelSitsBesideThePlotWithEscapedText) {
  const json fig = html_figure(demo_dir() + "/lumi_vs_laptop_accuracy_vs_time.html");
  const json& notes = fig["layout"]["annotations"];
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_EQ(notes[0]["xref"], "paper");
  EXPECT_GT(notes[0]["x"].get<double>(), 1.0) << "the panel is right of the plot area";
  EXPECT_EQ(notes[0]["text"],
            "<b>Efficiency</b><br>LUMI 1 node: <b>235 images/s per GPU</b><br>Laptop 8 threads: <b>3.1 images/s</b>"
            "<br>8-node scaling efficiency: <b>79%</b><br>Energy note: <b>&lt;i&gt;not measured&lt;/i&gt;</b>");
}

TEST(AccuracyChart, GnuplotDataHasOneBlockPerCurve) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_vs_laptop_accuracy_vs_time.dat");
  ASSERT_EQ(blocks.size(), std::size(kCurves));
  for (std::size_t c = 0; c < blocks.size(); ++c) {
    ASSERT_EQ(blocks[c].size(), 10u);
    for (int e = 0; e < 10; ++e) {
      EXPECT_EQ(std::stoi(blocks[c][e][0]), e + 1);
      EXPECT_DOUBLE_EQ(std::stod(blocks[c][e][1]), kCurves[c].epoch_s * (e + 1));
      EXPECT_DOUBLE_EQ(std::stod(blocks[c][e][2]), kCurves[c].accuracy[e]);
    }
  }
}

TEST(AccuracyChart, GnuplotScriptDashesAndLabelsTheProjectedCurve) {
  const std::string gp = read_text(demo_dir() + "/lumi_vs_laptop_accuracy_vs_time.gp");
  EXPECT_NE(gp.find("index 2 using 2:3 with linespoints lw 2.5 dt 2 "), std::string::npos);
  EXPECT_NE(gp.find("index 0 using 2:3 with linespoints lw 2.5 dt 1 "), std::string::npos);
  EXPECT_NE(gp.find("title 'LUMI 8 nodes (64 GPUs) (projected)'"), std::string::npos);
  EXPECT_NE(gp.find("'projected' at 540, 40.1"), std::string::npos);
  EXPECT_NE(gp.find("'Energy note: <i>not measured</i>'"), std::string::npos) << "panel text printed as given";
}

}  // namespace
}  // namespace lb::charts::testing
