// Golden data tests of the scaling charts: lumi_scaling_analysis.{dat,gp} and
// lumi_scaling_efficiency_animated.html.
#include <gtest/gtest.h>

#include <string>

#include "chart_files_reader.h"
#include "demo_fixture.h"

namespace lb::charts::testing {
namespace {

using nlohmann::json;

// nodes, time (s): speedup = 3400 / time, ideal = nodes, efficiency = speedup / ideal.
struct ExpectedPoint {
  int nodes;
  double time_s;
  int provenance;
  const char* efficiency_label;
  std::string mark;  // why the text does not vouch for the point
};
const ExpectedPoint kPoints[] = {{1, 3400, 0, "100%", ""}, {4, 960, 2, "89%", demo::kBelowBar}, {8, 540, 2, "79%", ""}};

TEST(ScalingChart, DataFileHasSpeedupIdealAndEfficiencyPerConfiguration) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_scaling_analysis.dat");
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(blocks[0].size(), std::size(kPoints));
  for (std::size_t i = 0; i < std::size(kPoints); ++i) {
    const auto& row = blocks[0][i];
    const ExpectedPoint& p = kPoints[i];
    ASSERT_EQ(row.size(), 9u);
    EXPECT_EQ(std::stoi(row[0]), p.nodes);
    EXPECT_NEAR(std::stod(row[1]), 3400 / p.time_s, 1e-8);
    EXPECT_DOUBLE_EQ(std::stod(row[2]), p.nodes);
    EXPECT_NEAR(std::stod(row[3]), 3400 / p.time_s / p.nodes, 1e-8);
    EXPECT_DOUBLE_EQ(std::stod(row[4]), p.time_s);
    EXPECT_EQ(std::stoi(row[5]), p.provenance);
    EXPECT_EQ(row[6], p.efficiency_label);
    EXPECT_EQ(row[8], p.mark);
  }
  const std::string gp = read_text(demo_dir() + "/lumi_scaling_analysis.gp");
  EXPECT_NE(gp.find("using 1:3 with lines dt 2 lw 2 lc rgb ideal_color title 'ideal (linear) speedup'"),
            std::string::npos);
  EXPECT_NE(gp.find("using 1:((strlen(strcol(9)) == 0) ? $2 : NaN):7 with labels"), std::string::npos)
      << "efficiency labels from column 7";
  EXPECT_NE(gp.find("using 1:((strlen(strcol(9)) > 0) ? $2 : NaN):(strcol(7).' \u00b7 '.strcol(9)) with labels"),
            std::string::npos)
      << "a point below the quality bar says so beside its efficiency";
  EXPECT_NE(gp.find("title 'measured'"), std::string::npos);
  EXPECT_NE(gp.find("title 'imported (reference)'"), std::string::npos);
}

json trace_named(const json& traces, const std::string& name) {
  for (const json& t : traces) {
    if (t.value("name", "") == name) return t;
  }
  ADD_FAILURE() << "no trace named " << name;
  return json::object();
}

TEST(ScalingEfficiencyChart, SpeedupAndIdealOnTheLeftEfficiencyOnTheRight) {
  const json fig = html_figure(demo_dir() + "/lumi_scaling_efficiency_animated.html");
  const json& data = fig["data"];
  const json ideal = trace_named(data, "ideal (linear) speedup");
  EXPECT_EQ(ideal["x"], json({1, 4, 8}));
  EXPECT_EQ(ideal["y"], json({1, 4, 8}));
  EXPECT_EQ(ideal["line"]["dash"], "dash");
  EXPECT_EQ(trace_named(data, "measured")["x"], json({1}));
  const json imported = trace_named(data, "imported (reference)");
  EXPECT_EQ(imported["x"], json({4, 8}));
  EXPECT_EQ(imported["marker"]["color"], "#ffffff") << "open markers for points not measured here";
  const json eff = trace_named(data, "efficiency (right axis)");
  EXPECT_EQ(eff["yaxis"], "y2");
  ASSERT_EQ(eff["y"].size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(eff["y"][i].get<double>(), 100 * 3400 / kPoints[i].time_s / kPoints[i].nodes, 1e-3);
    const std::string text = eff["text"][i];
    EXPECT_EQ(text.rfind(kPoints[i].efficiency_label, 0), 0u) << text;
    EXPECT_EQ(text.find("below the quality bar") != std::string::npos, !kPoints[i].mark.empty()) << text;
  }
  EXPECT_EQ(fig["layout"]["yaxis2"]["overlaying"], "y");
  EXPECT_EQ(fig["layout"]["yaxis2"]["side"], "right");
}

TEST(ScalingEfficiencyChart, PointsAppearOnePerFrame) {
  const json fig = html_figure(demo_dir() + "/lumi_scaling_efficiency_animated.html");
  ASSERT_EQ(fig["frames"].size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    const json eff = trace_named(fig["frames"][k]["data"], "efficiency (right axis)");
    EXPECT_EQ(eff["x"].size(), k + 1);
    EXPECT_EQ(trace_named(fig["frames"][k]["data"], "ideal (linear) speedup")["x"].size(), 3u)
        << "the ideal line is the yardstick from the first frame";
  }
}

}  // namespace
}  // namespace lb::charts::testing
