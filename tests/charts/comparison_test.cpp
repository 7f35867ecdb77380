// Golden data tests of the comparison charts: the static bars (lumi_vs_laptop_comparison.*) and
// the animated ones (lumi_vs_laptop_animated.html), against the demo fixture's numbers.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "chart_files_reader.h"
#include "charts/escape.h"
#include "charts/style.h"
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
  std::string note;  // beside the speedup: why not in the headline, or that it is the headline's
  int standing;      // 0 in the headline, 1 the headline's, 2 the baseline, 3 not in the headline
};

const std::string kHeadlineNote = "headline: the largest speedup at the baseline's work and quality";
const std::string kExcludedNote = std::string("not in the headline: ") + demo::kBelowBar;

// The fixture's bars as a reader of the chart must find them (speedup = 1.3e6 s / time).
const ExpectedBar kBars[] = {
    {"LUMI 8 nodes (64 GPUs)", 540, 520, 565, 2, 1, "2,407\u00d7 faster", kHeadlineNote, 1},
    {"LUMI 4 nodes (32 GPUs)", 960, 930, 1000, 2, 1, "1,354\u00d7 faster", kExcludedNote, 3},
    {"LUMI 1 node (8 GPUs)", 3400, 3400, 3400, 0, 1, "382\u00d7 faster", "", 0},
    {demo::kXssName, 2.6e5, 2.3e5, 2.9e5, 1, 0, "5\u00d7 faster", "", 0},
    {"Laptop 1 thread", 1.3e6, 1.2e6, 1.4e6, 1, 0, "baseline", "", 2},
};

TEST(ComparisonChart, DataFileHoldsEveryConfigurationInDisplayOrder) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_vs_laptop_comparison.dat");
  ASSERT_EQ(blocks.size(), 1u);
  const auto& rows = blocks[0];
  ASSERT_EQ(rows.size(), std::size(kBars));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    SCOPED_TRACE(kBars[i].label);
    ASSERT_EQ(rows[i].size(), 11u);
    EXPECT_EQ(std::stoi(rows[i][0]), static_cast<int>(i));
    EXPECT_DOUBLE_EQ(std::stod(rows[i][1]), kBars[i].time_s);
    EXPECT_DOUBLE_EQ(std::stod(rows[i][2]), kBars[i].lo_s);
    EXPECT_DOUBLE_EQ(std::stod(rows[i][3]), kBars[i].hi_s);
    EXPECT_NEAR(std::stod(rows[i][4]), 1.3e6 / kBars[i].time_s, 1e-6);
    EXPECT_EQ(std::stoi(rows[i][5]), kBars[i].provenance);
    EXPECT_EQ(std::stoi(rows[i][6]), kBars[i].cluster);
    EXPECT_EQ(rows[i][7], kBars[i].label);
    EXPECT_EQ(rows[i][8], kBars[i].speedup_label);
    EXPECT_EQ(rows[i][9], kBars[i].note);
    EXPECT_EQ(std::stoi(rows[i][10]), kBars[i].standing);
  }
}

TEST(ComparisonChart, ScriptDrawsEachProvenanceDistinctlyAndNamesItInTheKey) {
  const std::string gp = read_text(demo_dir() + "/lumi_vs_laptop_comparison.gp");
  std::map<std::string, std::string> fill_by_title;  // key title -> the fill style of its bars
  std::istringstream lines(gp);
  for (std::string line; std::getline(lines, line);) {
    // Bars out of the headline are drawn pale with no key entry of their own (one entry names them all).
    if (line.find("with boxxyerror") == std::string::npos || line.find("notitle") != std::string::npos) continue;
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
  EXPECT_NE(gp.find("set label 104 'pale: not in the headline (why: right of the plot)   outlined in ink: the headline"),
            std::string::npos) << "the footnote names the pale bars and the headline's outline";
  EXPECT_NE(gp.find("using (($11 == 1) ? xmin : NaN):1:(xmin):2:($1-bar-0.06):($1+bar+0.06) with boxxyerror fs empty "
                    "border lw 3 lc rgb ink"),
            std::string::npos) << "the headline's bar outlined";
  // The pale bar is drawn in the muted form of the cluster's colour.
  EXPECT_NE(gp.find("($11 == 3) == 1) ? xmin : NaN):1:(xmin):2:($1-bar):($1+bar) with boxxyerror fs empty border lw 2.5 lc rgb '" +
                    lb::charts::style::muted_color(lb::charts::style::kCluster) + "'"),
            std::string::npos);
  EXPECT_NE(gp.find("set logscale x"), std::string::npos);
  EXPECT_NE(gp.find("set output 'lumi_vs_laptop_comparison.png'"), std::string::npos);
  EXPECT_NE(gp.find("set output 'lumi_vs_laptop_comparison.pdf'"), std::string::npos);
  EXPECT_NE(gp.find("'lumi_vs_laptop_comparison.dat' using ($4*1.15):(($11 == 3) ? NaN : $1):9 with labels"),
            std::string::npos)
      << "speedup labels come from column 9 of the data file";
  EXPECT_NE(gp.find("'lumi_vs_laptop_comparison.dat' using ($4*1.15):(($11 == 3) ? $1 : NaN):9 with labels left "
                    "textcolor rgb muted"),
            std::string::npos)
      << "a speedup the headline rules out is printed in the muted colour";
  // Each note right of the plot, level with its row; the row labels drawn as labels, whole.
  EXPECT_NE(gp.find("set label 200 'headline: the largest speedup at the'.\"\\n\".'baseline''s work and quality'"),
            std::string::npos);
  EXPECT_NE(gp.find("set label 201 'not in the headline: below the quality'.\"\\n\".'bar: 61.0% < 80.0%' at graph 1.02, first 1"),
            std::string::npos);
  EXPECT_NE(gp.find("set label 300 'LUMI 8 nodes (64 GPUs)' at graph 0, first 0 right"), std::string::npos);
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
  // Four (group, provenance, pale) series, the headline's outline and the speedup labels.
  ASSERT_EQ(data.size(), 6u);

  const json imported = trace_named(data, "LUMI \u00b7 imported (reference)");
  EXPECT_EQ(imported["x"], json({540}));
  EXPECT_EQ(imported["y"], json({0}));
  EXPECT_EQ(imported["error_x"]["array"], json({25}));
  EXPECT_EQ(imported["error_x"]["arrayminus"], json({20}));
  EXPECT_EQ(imported["marker"]["color"], "rgba(255,255,255,0)") << "imported bars are outlined";
  EXPECT_GE(imported["marker"]["line"]["width"].get<double>(), 2.0);

  const json pale = trace_named(data, "LUMI \u00b7 imported (reference) \u00b7 not in the headline");
  EXPECT_EQ(pale["x"], json({960}));
  EXPECT_EQ(pale["marker"]["line"]["color"], lb::charts::style::muted_color(lb::charts::style::kCluster));
  const json headline = trace_named(data, "outlined in ink: the headline");
  EXPECT_EQ(headline["x"], json({540}));

  const json measured = trace_named(data, "LUMI \u00b7 measured");
  EXPECT_EQ(measured["x"], json({3400}));
  EXPECT_FALSE(measured["marker"].contains("pattern")) << "measured bars are solid";

  const json extrapolated = trace_named(data, "Laptop \u00b7 extrapolated");
  EXPECT_EQ(extrapolated["x"], json({2.6e5, 1.3e6}));
  EXPECT_EQ(extrapolated["marker"]["pattern"]["shape"], "/") << "extrapolated bars are hatched";

  const json labels = trace_named(data, "speedup");
  ASSERT_EQ(labels["text"].size(), std::size(kBars));
  for (std::size_t i = 0; i < std::size(kBars); ++i) EXPECT_EQ(labels["text"][i], kBars[i].speedup_label);
  // Each bar's note beside its row, right of the plot area.
  std::map<int, std::string> notes;
  for (const json& a : fig["layout"]["annotations"]) {
    if (a.value("yref", "") != "y") continue;
    std::string text = a["text"];
    for (std::size_t p; (p = text.find("<br>")) != std::string::npos;) text.replace(p, 4, " ");
    notes[a["y"].get<int>()] = text;
  }
  for (std::size_t i = 0; i < std::size(kBars); ++i) {
    EXPECT_EQ(notes[static_cast<int>(i)], lb::charts::plotly_text(kBars[i].note)) << kBars[i].label;
  }

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
      // The headline's outline repeats its bar; every other bar trace holds configurations.
      if (t["type"] != "bar" || t["name"] == "outlined in ink: the headline") continue;
      bars += t["x"].size();
      for (const json& y : t["y"]) newest_shown = newest_shown || y == static_cast<int>(k);
    }
    EXPECT_EQ(bars, k + 1);
    EXPECT_TRUE(newest_shown);
    // Plotly merges a frame's annotations into the figure's by index: the same slots in every
    // frame (the caption first, one note per row), or captions and notes land on each other.
    const json& notes = frames[k]["layout"]["annotations"];
    ASSERT_EQ(notes.size(), fig["layout"]["annotations"].size());
    const std::string caption = notes.front()["text"];
    EXPECT_EQ(caption.rfind(std::to_string(k + 1) + " of 5 \u00b7 ", 0), 0u) << caption;
    for (std::size_t row = 0; row < std::size(kBars); ++row) {
      const json& a = notes[row + 1];
      EXPECT_EQ(a["y"], static_cast<int>(row));
      // Shown rows with a note show it; rows not shown yet (and rows without a note) show nothing.
      EXPECT_EQ(a["visible"].get<bool>(), row <= k && !kBars[row].note.empty()) << "row " << row;
    }
  }
  EXPECT_EQ(frames.back()["data"], fig["data"]) << "before Play the page shows the last frame";
}

}  // namespace
}  // namespace lb::charts::testing
