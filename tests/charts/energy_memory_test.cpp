// Golden data tests of the energy and cost chart (lumi_energy_cost.{html,gp,dat}: time, energy,
// CO2e and cost per configuration, modelled drawn apart from measured) and the memory chart
// (lumi_memory.{html,gp,dat}), against the demo fixture's numbers.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chart_files_reader.h"
#include "charts/style.h"
#include "demo_fixture.h"

namespace lb::charts::testing {
namespace {

using nlohmann::json;

// kinds: 0 measured, 1 extrapolated, 2 imported, 3 modelled.
struct ExpectedEnergy {
  std::string label;
  double time_s;
  int time_kind;
  double energy_j;  // 0: none
  int energy_kind;
  double grid;      // g CO2e/kWh
  int gpus;         // billed at 0.5 GPU-hours per GPU-hour; 0: not billed
  int group;        // 1 cluster, 0 laptop, 2 placement unknown; +10 when not in the headline (pale)
  std::string mark;
};
const ExpectedEnergy kEnergy[] = {
    {"LUMI 8 nodes (64 GPUs)", 540, 2, 64 * 280.0 * 540, 3, 24, 64, 1, ""},
    {"LUMI 4 nodes (32 GPUs)", 960, 2, 32 * 280.0 * 960, 3, 24, 32, 11, demo::kBelowBar},
    {"LUMI 1 node (8 GPUs)", 3400, 0, 7.2e6, 0, 24, 8, 1, ""},
    {demo::kXssName, 2.6e5, 1, 35 * 2.6e5, 1, 214, 0, 0, ""},
    {"Laptop 1 thread", 1.3e6, 1, 40 * 1.3e6, 3, 214, 0, 0, ""},
    {"LUMI (GPU count not stated)", 2000, 2, 0, 3, 24, 0, 2, ""},
};

json trace_named(const json& traces, const std::string& name, const std::string& axis) {
  for (const json& t : traces) {
    if (t.value("name", "") == name && t.value("xaxis", "") == axis) return t;
  }
  ADD_FAILURE() << "no trace named " << name << " on " << axis;
  return json::object();
}

TEST(EnergyChart, DataFileHoldsTimeEnergyCarbonAndCostWithTheirKinds) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_energy_cost.dat");
  ASSERT_EQ(blocks.size(), 1u);
  ASSERT_EQ(blocks[0].size(), std::size(kEnergy));
  for (std::size_t i = 0; i < std::size(kEnergy); ++i) {
    const ExpectedEnergy& e = kEnergy[i];
    SCOPED_TRACE(e.label);
    const auto& row = blocks[0][i];
    ASSERT_EQ(row.size(), 22u);
    EXPECT_EQ(std::stoi(row[0]), static_cast<int>(i));
    EXPECT_DOUBLE_EQ(std::stod(row[1]), e.time_s);
    EXPECT_EQ(std::stoi(row[4]), e.time_kind);
    EXPECT_EQ(std::stoi(row[5]), e.energy_j > 0 ? 1 : 0);
    EXPECT_NEAR(std::stod(row[6]), e.energy_j, 1e-6 * e.energy_j);
    if (e.energy_j > 0) {
      EXPECT_EQ(std::stoi(row[9]), e.energy_kind);
    }
    EXPECT_EQ(std::stoi(row[10]), e.energy_j > 0 ? 1 : 0);
    EXPECT_NEAR(std::stod(row[11]), e.energy_j / 3.6e6 * e.grid, 1e-6 * (1 + e.energy_j));  // g CO2e
    EXPECT_EQ(std::stoi(row[14]), e.gpus > 0 ? 1 : 0);
    EXPECT_NEAR(std::stod(row[15]), e.gpus * 0.5 * e.time_s / 3600, 1e-9);
    if (e.gpus > 0) {
      EXPECT_EQ(std::stoi(row[18]), e.time_kind) << "cost has the kind of its time";
    }
    EXPECT_EQ(std::stoi(row[19]), e.group);
    EXPECT_EQ(row[20], e.label);
    EXPECT_EQ(row[21], e.mark);
  }
}

TEST(EnergyChart, ScriptDrawsModelledApartAndNamesEveryKindInTheKey) {
  const std::string gp = read_text(demo_dir() + "/lumi_energy_cost.gp");
  // Four panels drawn for the PNG and again for the PDF.
  EXPECT_NE(gp.find("do for [pass = 1:2]"), std::string::npos);
  EXPECT_NE(gp.find("set multiplot"), std::string::npos);
  for (const char* label : {"'time (log)'", "'energy (log)'", "'CO2e (log)'", "'GPU-hours (log)'"}) {
    EXPECT_NE(gp.find(std::string("set xlabel ") + label), std::string::npos) << label;
  }
  // Modelled: cross-hatched in the group colour with the modelled colour as outline; measured solid.
  EXPECT_NE(gp.find("modelled_color = '#CC79A7'"), std::string::npos);
  EXPECT_NE(gp.find("fs pattern 1 border lc rgb modelled_color fc rgb cluster_color"), std::string::npos);
  EXPECT_NE(gp.find("fs solid 1.0 border lc rgb cluster_color"), std::string::npos);
  for (const char* entry : {"'LUMI \u00b7 modelled'", "'LUMI \u00b7 measured'", "'Laptop \u00b7 extrapolated'",
                            "'Laptop \u00b7 modelled'", "'LUMI \u00b7 imported (reference)'", "'95% interval'"}) {
    EXPECT_NE(gp.find(std::string("title ") + entry), std::string::npos) << entry;
  }
  EXPECT_NE(gp.find("'not billed') with labels"), std::string::npos);
  EXPECT_NE(gp.find("'none') with labels"), std::string::npos);
  EXPECT_NE(gp.find("Modelled: 40 W per laptop, 280 W per GPU"), std::string::npos) << "assumptions in the footnote";
}

TEST(EnergyChart, HtmlPanelsShareTheRowsAndDrawModelledApart) {
  const json fig = html_figure(demo_dir() + "/lumi_energy_cost.html");
  const json& layout = fig["layout"];
  for (const char* axis : {"xaxis", "xaxis2", "xaxis3", "xaxis4"}) {
    ASSERT_TRUE(layout.contains(axis)) << axis;
    EXPECT_EQ(layout[axis]["type"], "log") << axis;
    EXPECT_EQ(layout[axis]["anchor"], "y") << axis;
  }
  EXPECT_LT(layout["xaxis"]["domain"][1].get<double>(), layout["xaxis2"]["domain"][0].get<double>());
  EXPECT_EQ(layout["yaxis"]["ticktext"][3], "&lt;img src=x onerror=alert(1)&gt;");
  // Per panel a trace per (group, kind, pale), and the rows without the figure: 5 time, 5 + 1
  // energy, 5 + 1 CO2e, 3 + 1 cost.
  EXPECT_EQ(fig["data"].size(), 21u);
  const json modelled = trace_named(fig["data"], "LUMI \u00b7 modelled", "x2");
  EXPECT_EQ(modelled["marker"]["pattern"]["shape"], "x");
  EXPECT_EQ(modelled["marker"]["line"]["color"], "#CC79A7");
  EXPECT_EQ(modelled["y"], json({0}));
  const json pale = trace_named(fig["data"], "LUMI \u00b7 modelled \u00b7 not in the headline", "x2");
  EXPECT_EQ(pale["y"], json({1}));
  EXPECT_EQ(pale["marker"]["pattern"]["fgcolor"], lb::charts::style::muted_color(lb::charts::style::kCluster));
  const json unknown = trace_named(fig["data"], "unknown placement \u00b7 imported (reference)", "x");
  EXPECT_EQ(unknown["y"], json({5}));
  EXPECT_EQ(unknown["marker"]["line"]["color"], lb::charts::style::kUnknownPlacement);
  EXPECT_NE(fig["layout"]["yaxis"]["ticktext"][1].get<std::string>().find("not in the headline"), std::string::npos)
      << "why a row is out of the headline is said under its name";
  EXPECT_NEAR(modelled["x"][0].get<double>(), 64 * 280.0 * 540, 1e-6);
  EXPECT_TRUE(modelled["showlegend"].get<bool>());
  const json co2 = trace_named(fig["data"], "LUMI \u00b7 modelled", "x3");
  EXPECT_FALSE(co2["showlegend"].get<bool>()) << "each kind is named once in the legend";
  EXPECT_NEAR(co2["x"][0].get<double>(), 64 * 280.0 * 540 / 3.6e6 * 24, 1e-9);
  const json measured = trace_named(fig["data"], "LUMI \u00b7 measured", "x2");
  EXPECT_FALSE(measured["marker"].contains("pattern"));
  const json laptop = trace_named(fig["data"], "Laptop \u00b7 extrapolated", "x2");
  EXPECT_EQ(laptop["marker"]["pattern"]["shape"], "/");
  // The hatched laptop's interval is carried to its energy.
  EXPECT_NEAR(laptop["error_x"]["array"][0].get<double>(), 35 * (2.9e5 - 2.6e5), 1e-6);
  const json cost = trace_named(fig["data"], "LUMI \u00b7 measured", "x4");
  EXPECT_NEAR(cost["x"][0].get<double>(), 8 * 0.5 * 3400 / 3600, 1e-9);
  const json missing = trace_named(fig["data"], "no figure", "x4");
  // The laptops are not billed; a configuration of unknown placement is not called one.
  EXPECT_EQ(missing["text"], json({"not billed", "not billed", "site unknown"}));
  EXPECT_NE(laptop["hovertext"][0].get<std::string>().find("&lt;script&gt;alert(&#39;energy&#39;)"), std::string::npos);
  EXPECT_FALSE(fig.contains("frames"));
}

TEST(MemoryChart, DataFileAndHtmlHoldHostAndDeviceMemory) {
  const auto blocks = gnuplot_blocks(demo_dir() + "/lumi_memory.dat");
  ASSERT_EQ(blocks.size(), 1u);
  const double host[] = {26.0, 11.0, 9.8, 7.2}, device[] = {52.3, 50.1, 0, 0};
  ASSERT_EQ(blocks[0].size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& row = blocks[0][i];
    ASSERT_EQ(row.size(), 8u);
    EXPECT_NEAR(std::stod(row[1]), host[i], 1e-9);
    EXPECT_NEAR(std::stod(row[3]), device[i], 1e-9);
  }
  EXPECT_EQ(blocks[0][0][2], "24.5");
  EXPECT_EQ(blocks[0][2][5], demo::kXssName);
  EXPECT_EQ(blocks[0][2][7], "none (CPU)");
  EXPECT_EQ(blocks[0][0][6], "26 GiB");
  const json fig = html_figure(demo_dir() + "/lumi_memory.html");
  ASSERT_EQ(fig["data"].size(), 2u);
  EXPECT_EQ(fig["data"][0]["name"], "host memory (peak RSS)");
  EXPECT_EQ(fig["data"][1]["name"], "device memory (GPU)");
  EXPECT_NEAR(fig["data"][1]["x"][0].get<double>(), 52.3, 1e-9);
  EXPECT_EQ(fig["layout"]["barmode"], "group");
  EXPECT_NE(fig["data"][0]["hovertext"][2].get<std::string>().find("&lt;script&gt;alert(&#39;memory&#39;)"),
            std::string::npos);
}

}  // namespace
}  // namespace lb::charts::testing
