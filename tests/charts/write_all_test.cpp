// write_all as analyze calls it: what it writes, what it refuses, what it says when gnuplot is
// missing, and that data strings can inject nothing into the HTML or the gnuplot scripts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>

#include <unistd.h>

#include "chart_files_reader.h"
#include "charts/chart_data.h"
#include "charts/chart_files.h"
#include "demo_fixture.h"

namespace lb::charts::testing {
namespace {

namespace fs = std::filesystem;

// A fresh directory per test, removed afterwards.
class WriteAll : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("lb_charts_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  WriteOptions options() const {
    WriteOptions o;
    o.out_dir = dir_.string();
    return o;
  }
  bool exists(const std::string& name) const { return fs::exists(dir_ / name); }
  fs::path dir_;
};

TEST_F(WriteAll, WithoutGnuplotWritesHtmlAndScriptsAndSaysHowToGetImages) {
  WriteOptions o = options();
  o.gnuplot_executable = (dir_ / "no-such-gnuplot").string();
  const WriteResult r = write_all(demo::fixture(), o);
  for (const char* f : {"lumi_vs_laptop_animated.html", "lumi_vs_laptop_progress_race.html",
                        "lumi_vs_laptop_accuracy_vs_time.html", "lumi_scaling_efficiency_animated.html",
                        "lumi_vs_laptop_comparison.gp", "lumi_vs_laptop_comparison.dat", "lumi_bound_attribution.html",
                        "lumi_bound_attribution.gp", "lumi_scaling_model.html", "lumi_scaling_model.dat",
                        "lumi_energy_cost.html", "lumi_energy_cost.gp", "lumi_energy_cost.dat", "lumi_memory.html",
                        "lumi_memory.gp", "lumi_memory.dat"}) {
    EXPECT_TRUE(exists(f)) << f;
  }
  EXPECT_FALSE(exists("lumi_vs_laptop_comparison.png"));
  ASSERT_EQ(r.messages.size(), 1u);
  EXPECT_NE(r.messages[0].find("apt-get install gnuplot-nox"), std::string::npos) << r.messages[0];
  EXPECT_NE(r.messages[0].find("gnuplot <chart>.gp"), std::string::npos) << r.messages[0];
  EXPECT_EQ(r.written.size(), 22u);  // 8 HTML, 7 x (.gp + .dat)
}

TEST_F(WriteAll, ClusterNameIsUsedInFileNamesAndTitles) {
  ChartData d = demo::fixture();
  d.cluster_name = "Alps (GH200)";
  for (Bar& b : d.bars) b.label.replace(0, b.label.find(' '), b.is_cluster ? "Alps" : "Laptop");
  WriteOptions o = options();
  o.static_images = false;
  write_all(d, o);
  EXPECT_TRUE(exists("alps_gh200_vs_laptop_animated.html"));
  EXPECT_TRUE(exists("alps_gh200_scaling_analysis.gp"));
  EXPECT_FALSE(exists("lumi_vs_laptop_animated.html"));
  const auto fig = html_figure((dir_ / "alps_gh200_vs_laptop_animated.html").string());
  EXPECT_NE(fig["layout"]["title"]["text"].get<std::string>().find("Alps (GH200) vs laptop"), std::string::npos);
}

TEST_F(WriteAll, RefusesTimesThatCannotGoOnALogAxis) {
  ChartData d = demo::fixture();
  d.bars[1].time_s = 0;
  try {
    write_all(d, options());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bars[1] ('LUMI 4 nodes (32 GPUs)').time_s = 0"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(exists("lumi_vs_laptop_animated.html")) << "nothing written from bad data";
  d = demo::fixture();
  d.accuracy[0].points[3].accuracy_pct = 140;
  EXPECT_THROW(write_all(d, options()), std::invalid_argument);
  d = demo::fixture();
  d.bounds[0].comm = 0.5;  // the shares add up to more than the step
  try {
    write_all(d, options());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bounds[0] ('LUMI 1 node (8 GPUs)') shares add up to 1.38"), std::string::npos)
        << e.what();
  }
  d = demo::fixture();
  d.model[2].predicted_step_s = 0;
  EXPECT_THROW(write_all(d, options()), std::invalid_argument);
  d = demo::fixture();
  d.target_accuracy = 120;
  EXPECT_THROW(write_all(d, options()), std::invalid_argument);
  d = demo::fixture();
  d.energy[2].energy_j = 0;  // energy on a log axis
  try {
    write_all(d, options());
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("energy[2] ('LUMI 1 node (8 GPUs)').energy_j = 0"), std::string::npos)
        << e.what();
  }
  d = demo::fixture();
  d.energy[0].cost_hi = d.energy[0].cost / 2;  // an interval that does not contain its estimate
  d.energy[0].cost_lo = d.energy[0].cost / 4;
  EXPECT_THROW(write_all(d, options()), std::invalid_argument);
  d = demo::fixture();
  d.memory[1].device_bytes = -1;
  EXPECT_THROW(write_all(d, options()), std::invalid_argument);
  EXPECT_THROW(write_all(demo::fixture(), WriteOptions{}), std::invalid_argument);
}

TEST_F(WriteAll, SkipsChartsWithoutDataAndSaysSo) {
  ChartData d = demo::fixture();
  d.accuracy.clear();
  d.scaling.resize(1);
  d.bounds.clear();
  d.model.resize(1);
  d.energy.clear();
  d.memory.clear();
  WriteOptions o = options();
  o.static_images = false;
  const WriteResult r = write_all(d, o);
  EXPECT_TRUE(exists("lumi_vs_laptop_animated.html"));
  EXPECT_FALSE(exists("lumi_vs_laptop_accuracy_vs_time.html"));
  EXPECT_FALSE(exists("lumi_scaling_efficiency_animated.html"));
  EXPECT_FALSE(exists("lumi_bound_attribution.html"));
  EXPECT_FALSE(exists("lumi_scaling_model.html"));
  EXPECT_FALSE(exists("lumi_energy_cost.html"));
  EXPECT_FALSE(exists("lumi_memory.html"));
  ASSERT_EQ(r.messages.size(), 6u);
  EXPECT_NE(r.messages[0].find("accuracy"), std::string::npos);
  EXPECT_NE(r.messages[1].find("scaling charts skipped"), std::string::npos);
  EXPECT_NE(r.messages[2].find("bound attribution charts skipped"), std::string::npos);
  EXPECT_NE(r.messages[3].find("scaling model charts skipped"), std::string::npos);
  EXPECT_NE(r.messages[4].find("energy and cost charts skipped"), std::string::npos);
  EXPECT_NE(r.messages[5].find("memory charts skipped"), std::string::npos);
}

TEST_F(WriteAll, UnwritableDirectoryIsNamedInTheError) {
  fs::create_directories(dir_);
  const fs::path blocker = dir_ / "a-file";
  { std::ofstream(blocker) << "x"; }
  WriteOptions o = options();
  o.out_dir = (blocker / "sub").string();
  try {
    write_all(demo::fixture(), o);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(o.out_dir), std::string::npos) << e.what();
  }
}

// Strings that would be code in a gnuplot script or markup in HTML, in every place data goes.
TEST_F(WriteAll, HostileStringsStayText) {
  ChartData d = demo::fixture();
  const std::string hostile = "x' ; system('touch pwned') ; `touch pwned2` @GPVAL_PWD \"</script><script>alert(2)</script>";
  d.cluster_name = "LUMI " + hostile + "\nsystem('touch pwned3')\n";
  d.job_description = hostile + "\u2028line";
  d.bars[0].label = hostile;
  d.accuracy[0].label = hostile;
  d.scaling[0].label = hostile;
  d.bounds[0].label = hostile;
  d.bounds[1].bound = hostile;
  d.bounds[1].details = hostile;
  d.model[1].label = hostile;
  d.model_description = hostile;
  d.energy[0].label = hostile;
  d.energy[1].details = hostile;
  d.energy_footnote = hostile;
  d.energy_assumptions.push_back(hostile);
  d.billing_unit = hostile;
  d.memory[0].label = hostile;
  d.memory[1].details = hostile;
  d.efficiency_panel.push_back({hostile, hostile});
  d.warnings.push_back(hostile);
  const WriteResult r = write_all(d, options());
  EXPECT_TRUE(r.messages.empty()) << "gnuplot must run the scripts without error: " << r.messages.front();
  EXPECT_FALSE(exists("pwned"));
  EXPECT_FALSE(exists("pwned2"));
  EXPECT_FALSE(exists("pwned3")) << "a line break in data must not end a comment in a script";
  const std::string stem = file_stem(d.cluster_name, Chart::Comparison);
  EXPECT_EQ(stem, "lumi_x_system_touch_pwned_touch_pwned2_gpval_pwd_script_script_alert_2_script_system_touch_pwned3"
                  "_vs_laptop_comparison");
  EXPECT_TRUE(exists(stem + ".png"));
  EXPECT_TRUE(exists(file_stem(d.cluster_name, Chart::EnergyCost) + ".png"));
  EXPECT_TRUE(exists(file_stem(d.cluster_name, Chart::Memory) + ".png"));
  for (Chart c : {Chart::AnimatedComparison, Chart::ProgressRace, Chart::AccuracyVsTime, Chart::ScalingEfficiency,
                  Chart::BoundAttribution, Chart::ScalingModel, Chart::EnergyCost, Chart::Memory}) {
    const std::string html = read_text((dir_ / (file_stem(d.cluster_name, c) + ".html")).string());
    EXPECT_EQ(html.find("<script><script>alert(2)"), std::string::npos);
    EXPECT_EQ(html.find("</script><script>alert(2)"), std::string::npos);
    EXPECT_EQ(html.find(demo::kXssName), std::string::npos);
    const auto data_block = html.find("id=\"lb-figure\">");
    ASSERT_NE(data_block, std::string::npos);
    const std::string figure_json = html.substr(data_block, html.find("</script>", data_block) - data_block);
    EXPECT_EQ(figure_json.find("\u2028"), std::string::npos) << "U+2028 ends a line in older JavaScript";
    EXPECT_NE(html.find("<title>LUMI x&#39; ; system("), std::string::npos) << "page title escaped as HTML";
    // The figure still parses, and holds the strings escaped for Plotly's text renderer.
    const auto fig = html_figure((dir_ / (file_stem(d.cluster_name, c) + ".html")).string());
    EXPECT_NE(fig.dump().find("&lt;/script&gt;&lt;script&gt;alert(2)&lt;/script&gt;"), std::string::npos);
  }
}

}  // namespace
}  // namespace lb::charts::testing

namespace lb::charts::testing {
namespace {

// A chart tool that dies (gnuplot 5.4 segfaulted on a plot whose labels were all skipped) fails
// that chart by name: its half-written PNG/PDF are removed, the .gp and .dat stay, and the failure
// is among the result's failures (analyze puts it in the summary's warnings).
TEST_F(WriteAll, AChartToolThatCrashesLeavesNoImageAndIsNamed) {
  fs::create_directories(dir_);
  const fs::path fake = dir_ / "crashing-gnuplot";
  {
    // Starts the images as gnuplot does (empty files), then dies of SIGSEGV.
    std::ofstream f(fake);
    f << "#!/bin/sh\nstem=$(basename \"$1\" .gp)\n: > \"$stem.png\"\n: > \"$stem.pdf\"\nkill -SEGV $$\n";
  }
  fs::permissions(fake, fs::perms::owner_all);
  WriteOptions o = options();
  o.gnuplot_executable = fake.string();
  const WriteResult r = write_all(demo::fixture(), o);
  const std::string stem = file_stem("LUMI", Chart::EnergyCost);
  bool named = false;
  for (const std::string& f : r.failed) {
    named = named || (f.rfind(stem + ".png/.pdf not drawn: gnuplot failed (killed by signal 11", 0) == 0);
  }
  EXPECT_TRUE(named) << (r.failed.empty() ? std::string("no failure reported") : r.failed.front());
  EXPECT_FALSE(exists(stem + ".png")) << "an empty image left to pass for a chart";
  EXPECT_FALSE(exists(stem + ".pdf"));
  EXPECT_TRUE(exists(stem + ".gp"));
  EXPECT_TRUE(exists(stem + ".dat"));
  for (const std::string& w : r.written) EXPECT_EQ(w.find(".png"), std::string::npos) << w;
}

// The chart gnuplot 5.4 crashed on: a single configuration whose every figure exists (every
// "none"/"not billed" label plot empty). With the real gnuplot it is drawn.
TEST_F(WriteAll, ASingleConfigurationEnergyChartIsDrawn) {
  ChartData d = demo::fixture();
  d.bars.clear();
  d.accuracy.clear();
  d.scaling.clear();
  d.bounds.clear();
  d.model.clear();
  d.memory.clear();
  d.energy = {d.energy[0]};  // LUMI 8 nodes: time, energy, CO2e and cost all present
  const WriteResult r = write_all(d, options());
  ASSERT_TRUE(r.failed.empty()) << r.failed.front();
  const std::string png = (dir_ / (file_stem("LUMI", Chart::EnergyCost) + ".png")).string();
  ASSERT_TRUE(fs::exists(png)) << "is gnuplot installed? " << (r.messages.empty() ? "" : r.messages.front());
  EXPECT_GT(fs::file_size(png), 1000u);
}

}  // namespace
}  // namespace lb::charts::testing
