// Golden data tests of the comparison charts: the static bars (lumi_vs_laptop_comparison.*) and
// the animated ones (lumi_vs_laptop_animated.html), against the demo fixture's numbers.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "chart_files_reader.h"
#include "demo_fixture.h"

namespace lb::charts::testing {
namespace {

using nlohmann::json;

struct ExpectedBar {
  std::string label;
  double time_s, lo_s, hi_s;
  int provenance;  // 0 measured, 1 extrapolated, 2 imported
  int cluster;
  std::string speedup_label;
};

// The fixture's bars as a reader of the chart must find them (speedup = 1.3e6 s / time).
const ExpectedBar kBars[] = {
    {"LUMI 8 nodes (64 GPUs)", 540, 520, 565, 2, 1, "2,407\u00d7 faster"},
    {"LUMI 4 nodes (32 GPUs)", 960, 930, 1000, 2, 1, "1,354\u00d7 faster"},
    {"LUMI 1 node (8 GPUs)", 3400, 3400, 3400, 0, 1, "382\u00d7 faster"},
    {demo::kXssName, 2.6e5, 2.3e5, 2.9e5, 1, 0, "5\u00d7 faster"},
    {"Laptop 1 thread", 1.3e6, 1.2e6, 1.4e6, 1, 0, "baseline"},
};

TEST(ComparisonChart, DataFileHoldsEveryConfigurationInDisplayOrder) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_vs_laptop_comparison.dat");
  ASSERT_EQ(blocks.size(), 1u);
  const auto& rows = blocks[0];
  ASSERT_EQ(rows.size(), std::size(kBars));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(kBars[i].label);
    ASSERT_EQ(rows[i].size(), 9u);
    EXPECT_EQ(std::stoi(rows[i][0]), static_cast<int>(i));
    EXPECT_DOUBLE_EQ(std::stod(rows[i][1]), kBars[i].time_s);
    EXPECT_DOUBLE_EQ(std::stod(rows[i][2]), kBars[i].lo_s);
    EXPECT_DOUBLE_EQ(std::stod(rows[i][3]), kBars[i].hi_s);
    EXPECT_NEAR(std::stod(rows[i][4]), 1.3e6 / kBars[i].time_s, 1e-6);
    EXPECT_EQ(std::stoi(rows[i][5]), kBars[i].provenance);
    EXPECT_EQ(std::stoi(rows[i][6]), kBars[i].cluster);
    EXPECT_EQ(rows[i][7], kBars[i].label);
    EXPECT_EQ(rows[i][8], kBars[i].speedup_label);
  }
}

TEST(ComparisonChart, ScriptDrawsEachProvenanceDistinctlyAndNamesItInTheKey) {
  const std::string gp = read_text(demo_dir() + "/lumi_vs_laptop_comparison.gp");
  std::map<std::string, std::string> fill_by_title;  // key title -> the fill style of its bars
  std::istringstream lines(gp);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("with boxxyerror") == std::string::npos) continue;
    const auto title = line.find(" title '");
    ASSERT_NE(title, std::string::npos) << line;
    const std::string name = line.substr(title + 8, line.find('\'', title + 8) - title - 8);
    const auto fs = line.find(" fs ");
    fill_by_title[name] = line.substr(fs + 4, line.find(' ', fs + 4) - fs - 4);
  }
  const std::map<std::string, std::string> expected = {
      {"LUMI \u00b7 imported (reference)", "empty"},
      {"LUMI \u00b7 measured", "solid"},
      {"Laptop \u00b7 extrapolated", "pattern"},
  };
  EXPECT_EQ(fill_by_title, expected);
  EXPECT_NE(gp.find("set logscale x"), std::string::npos);
  EXPECT_NE(gp.find("set output 'lumi_vs_laptop_comparison.png'"), std::string::npos);
  EXPECT_NE(gp.find("set output 'lumi_vs_laptop_comparison.pdf'"), std::string::npos);
  EXPECT_NE(gp.find("'lumi_vs_laptop_comparison.dat' using ($4*1.15):1:9 with labels"), std::string::npos)
      << "speedup labels come from column 9 of the data file";
}

json trace_named(const json& traces, const std::string& name) {
  for (const json& t : traces) {
    if (t.value("name", "") == name) return t;
  }
  ADD_FAILURE() << "no trace named " << name;
  return json::object();
}

TEST(AnimatedComparison, FinalStateHasTheBarsGroupedByClusterAndProvenance) {
  const json fig = html_figure(demo_dir() + "/lumi_vs_laptop_animated.html");
  const json& data = fig["data"];
  ASSERT_EQ(data.size(), 4u);  // three (group, provenance) series and the speedup labels

  const json imported = trace_named(data, "LUMI \u00b7 imported (reference)");
  EXPECT_EQ(imported["x"], json({540, 960}));
  EXPECT_EQ(imported["y"], json({0, 1}));
  EXPECT_EQ(imported["error_x"]["array"], json({25, 40}));
  EXPECT_EQ(imported["error_x"]["arrayminus"], json({20, 30}));
  EXPECT_EQ(imported["marker"]["color"], "rgba(255,255,255,0)") << "imported bars are outlined";
  EXPECT_GE(imported["marker"]["line"]["width"].get<double>(), 2.0);

  const json measured = trace_named(data, "LUMI \u00b7 measured");
  EXPECT_EQ(measured["x"], json({3400}));
  EXPECT_FALSE(measured["marker"].contains("pattern")) << "measured bars are solid";

  const json extrapolated = trace_named(data, "Laptop \u00b7 extrapolated");
  EXPECT_EQ(extrapolated["x"], json({2.6e5, 1.3e6}));
  EXPECT_EQ(extrapolated["marker"]["pattern"]["shape"], "/") << "extrapolated bars are hatched";

  const json labels = trace_named(data, "speedup");
  ASSERT_EQ(labels["text"].size(), std::size(kBars));
  for (std::size_t i = 0; i < std::size(kBars); ++i) EXPECT_EQ(labels["text"][i], kBars[i].speedup_label);

  EXPECT_EQ(fig["layout"]["xaxis"]["type"], "log");
  EXPECT_EQ(fig["layout"]["yaxis"]["ticktext"][3], "&lt;img src=x onerror=alert(1)&gt;");
}

TEST(AnimatedComparison, BarsAppearOneConfigurationPerFrame) {
  const json fig = html_figure(demo_dir() + "/lumi_vs_laptop_animated.html");
  const json& frames = fig["frames"];
  ASSERT_EQ(frames.size(), std::size(kBars));
  for (std::size_t k = 0; k < frames.size(); ++k) {
    SCOPED_TRACE("frame " + std::to_string(k));
    std::size_t bars = 0;
    bool newest_shown = false;
    for (const json& t : frames[k]["data"]) {
      if (t["type"] != "bar") continue;
      bars += t["x"].size();
      for (const json& y : t["y"]) newest_shown = newest_shown || y == static_cast<int>(k);
    }
    EXPECT_EQ(bars, k + 1);
    EXPECT_TRUE(newest_shown);
    const std::string caption = frames[k]["layout"]["annotations"][0]["text"];
    EXPECT_EQ(caption.rfind(std::to_string(k + 1) + " of 5 \u00b7 ", 0), 0u) << caption;
  }
  EXPECT_EQ(frames.back()["data"], fig["data"]) << "before Play the page shows the last frame";
}

}  // namespace
}  // namespace lb::charts::testing
