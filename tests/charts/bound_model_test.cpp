// Golden data tests of the bound attribution charts (lumi_bound_attribution.{html,gp,dat}) and
// the scaling model charts (lumi_scaling_model.{html,gp,dat}).
#include <gtest/gtest.h>

#include <string>

#include "chart_files_reader.h"

namespace lb::charts::testing {
namespace {

using nlohmann::json;

struct ExpectedBound {
  const char* label;
  double wait, compute, comm, other;
  const char* bound;
};
const ExpectedBound kBounds[] = {{"LUMI 1 node (8 GPUs)", 0.04, 0.78, 0.12, 0.06, "compute-bound"},
                                 {"LUMI 4 nodes (32 GPUs)", 0.05, 0.55, 0.34, 0.06, "communication-bound"},
                                 {"<img src=x onerror=alert(1)>", 0.31, 0.64, 0.0, 0.05, "data-bound"},
                                 {"Laptop 1 thread", 0.02, 0.95, 0.0, 0.03, "compute-bound"}};

json trace_named(const json& traces, const std::string& name) {
  for (const json& t : traces) {
    if (t.value("name", "") == name) return t;
  }
  ADD_FAILURE() << "no trace named " << name;
  return json::object();
}

TEST(BoundChart, DataFileHoldsTheSharesAndTheBound) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_bound_attribution.dat");
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(blocks[0].size(), std::size(kBounds));
  for (std::size_t i = 0; i < std::size(kBounds); ++i) {
    const auto& row = blocks[0][i];
    ASSERT_EQ(row.size(), 8u);
    EXPECT_EQ(std::stoi(row[0]), static_cast<int>(i));
    EXPECT_DOUBLE_EQ(std::stod(row[1]), kBounds[i].wait);
    EXPECT_DOUBLE_EQ(std::stod(row[2]), kBounds[i].compute);
    EXPECT_DOUBLE_EQ(std::stod(row[3]), kBounds[i].comm);
    EXPECT_DOUBLE_EQ(std::stod(row[4]), kBounds[i].other);
    EXPECT_EQ(row[6], kBounds[i].label);
    EXPECT_EQ(row[7], kBounds[i].bound);
  }
  const std::string gp = read_text(demo_dir() + "/lumi_bound_attribution.gp");
  for (const char* title : {"'data wait'", "'compute'", "'exposed communication'", "'other'"}) {
    EXPECT_NE(gp.find(std::string("title ") + title), std::string::npos) << title;
  }
  EXPECT_NE(gp.find("using (102):1:8 with labels"), std::string::npos) << "the bound after each bar";
}

TEST(BoundChart, HtmlStacksThePartsOfEachStep) {
  const json fig = html_figure(demo_dir() + "/lumi_bound_attribution.html");
  EXPECT_EQ(fig["layout"]["barmode"], "stack");
  const json wait = trace_named(fig["data"], "data wait");
  const json comm = trace_named(fig["data"], "exposed communication");
  ASSERT_EQ(wait["x"].size(), std::size(kBounds));
  for (std::size_t i = 0; i < std::size(kBounds); ++i) {
    EXPECT_NEAR(wait["x"][i].get<double>(), 100 * kBounds[i].wait, 1e-9);
    EXPECT_NEAR(comm["x"][i].get<double>(), 100 * kBounds[i].comm, 1e-9);
  }
  EXPECT_EQ(wait["orientation"], "h");
  const json labels = trace_named(fig["data"], "bound");
  EXPECT_EQ(labels["text"][1], "communication-bound");
  EXPECT_FALSE(labels["showlegend"].get<bool>());
  EXPECT_EQ(fig["layout"]["yaxis"]["ticktext"][2], "&lt;img src=x onerror=alert(1)&gt;");
  EXPECT_NE(wait["hovertext"][2].get<std::string>().find("&lt;script&gt;alert(&#39;bound&#39;)"), std::string::npos);
  EXPECT_FALSE(fig.contains("frames"));
}

// ranks, nodes, predicted step, measured?, measured step (one-rank step 0.30 s).
struct ExpectedModel {
  int ranks, nodes;
  double predicted_s;
  bool measured;
  double measured_s;
};
const ExpectedModel kModel[] = {
    {1, 0, 0.30, true, 0.30}, {8, 1, 0.3336, true, 0.325}, {16, 2, 0.3388, false, 0}, {32, 4, 0.3414, true, 0.372},
    {64, 8, 0.3427, false, 0}};

TEST(ScalingModelChart, DataFileHasPredictedAndMeasuredPerRankCount) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_scaling_model.dat");
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(blocks[0].size(), std::size(kModel));
  for (std::size_t i = 0; i < std::size(kModel); ++i) {
    const auto& row = blocks[0][i];
    const ExpectedModel& e = kModel[i];
    ASSERT_EQ(row.size(), 9u);
    EXPECT_EQ(std::stoi(row[0]), e.ranks);
    EXPECT_EQ(std::stoi(row[1]), e.nodes);
    EXPECT_DOUBLE_EQ(std::stod(row[2]), e.predicted_s);
    EXPECT_NEAR(std::stod(row[3]), 0.30 / e.predicted_s, 1e-9);
    EXPECT_EQ(std::stoi(row[4]), e.measured ? 1 : 0);
    if (e.measured) {
      EXPECT_NEAR(std::stod(row[6]), 0.30 / e.measured_s, 1e-9);
    }
  }
  const std::string gp = read_text(demo_dir() + "/lumi_scaling_model.gp");
  // Modelled: dash-dotted line with open diamonds, named so in the key; measured: filled circles.
  EXPECT_NE(gp.find("using 1:($4*100) with linespoints dt 4 lw 2.5 pt 12"), std::string::npos);
  EXPECT_NE(gp.find("title 'modelled (alpha-beta fit, no overlap)'"), std::string::npos);
  EXPECT_NE(gp.find("pt 7 ps 2 lc rgb cluster_color title 'measured'"), std::string::npos);
}

TEST(ScalingModelChart, HtmlDrawsModelledPointsOpenAndMeasuredFilled) {
  const json fig = html_figure(demo_dir() + "/lumi_scaling_model.html");
  // The legend entry is wrapped: the margin is fixed and Plotly does not wrap.
  const json model = trace_named(fig["data"], "modelled (alpha-beta<br>fit, no overlap)");
  EXPECT_EQ(model["line"]["dash"], "dashdot");
  EXPECT_EQ(model["marker"]["symbol"], "diamond-open");
  ASSERT_EQ(model["x"].size(), std::size(kModel));
  const json measured = trace_named(fig["data"], "measured");
  EXPECT_EQ(measured["x"], json({1, 8, 32}));
  EXPECT_EQ(measured["marker"]["symbol"], "circle");
  for (std::size_t i = 0; i < std::size(kModel); ++i) {
    EXPECT_NEAR(model["y"][i].get<double>(), 100 * 0.30 / kModel[i].predicted_s, 1e-3);
  }
  EXPECT_NE(model["hovertext"][2].get<std::string>().find("not run"), std::string::npos);
  EXPECT_EQ(fig["layout"]["xaxis"]["type"], "log");
  EXPECT_EQ(trace_named(fig["data"], "ideal (100%)")["line"]["dash"], "dash");
}

}  // namespace
}  // namespace lb::charts::testing
