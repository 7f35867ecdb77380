// Golden data tests of lumi_vs_laptop_progress_race.html: 300 frames at 30 fps on a log clock,
// the fastest cluster run finishing at 3 s, the laptop at the very end.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "chart_files_reader.h"

namespace lb::charts::testing {
namespace {

using nlohmann::json;

// Fixture times (s), in bar order; the race has a line trace and a head trace per bar.
const double kTimes[] = {540, 960, 3400, 2.6e5, 1.3e6};
constexpr int kRunners = 5;

class ProgressRace : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    fig_ = new json(html_figure(demo_dir() + "/lumi_vs_laptop_progress_race.html"));
  }
  static void TearDownTestSuite() {
    delete fig_;
    fig_ = nullptr;
  }
  static const json& frames() { return (*fig_)["frames"]; }
  // The head of runner r at frame f: (clock, progress).
  static double head_x(int f, int r) { return frames()[f]["data"][kRunners + r]["x"][0]; }
  static double head_y(int f, int r) { return frames()[f]["data"][kRunners + r]["y"][0]; }
  static json* fig_;
};
json* ProgressRace::fig_ = nullptr;

TEST_F(ProgressRace, Has300FramesPlayedAt30Fps) {
  ASSERT_EQ(frames().size(), 300u);
  const json& play = (*fig_)["layout"]["updatemenus"][0]["buttons"][0];
  EXPECT_NE(play["label"].get<std::string>().find("Play"), std::string::npos);
  EXPECT_NEAR(play["args"][1]["frame"]["duration"].get<double>(), 1000.0 / 30, 1e-9);
  for (const json& f : frames()) ASSERT_EQ(f["data"].size(), 2u * kRunners);
}

TEST_F(ProgressRace, FastestClusterRunFinishesAfterAboutThreeSeconds) {
  int finish = -1;
  for (int f = 0; f < 300 && finish < 0; ++f) {
    if (head_y(f, 0) >= 100) finish = f;
  }
  // The clock is log-spaced so that 540 s falls at 30% of the 299 frame steps: frame 90 = 3.0 s.
  EXPECT_EQ(finish, 90);
  EXPECT_LT(head_y(89, 0), 100);
}

TEST_F(ProgressRace, LaptopRunsToTheLastFrame) {
  EXPECT_LT(head_y(298, 4), 100);
  EXPECT_DOUBLE_EQ(head_y(299, 4), 100);
  EXPECT_DOUBLE_EQ(head_x(299, 4), 1.3e6);
}

TEST_F(ProgressRace, ClockIsLogSpacedAndProgressIsTheElapsedShare) {
  // t_f = t0 * (t_end / t0)^(f / 299) with t0 chosen so that 540 s falls at f = 0.3 * 299.
  const double t_end = 1.3e6;
  const double t0 = std::exp((std::log(540.0) - 0.3 * std::log(t_end)) / 0.7);
  for (int f = 0; f < 300; f += 13) {
    const double clock = t0 * std::pow(t_end / t0, f / 299.0);
    EXPECT_NEAR(head_x(f, 4), clock, clock * 1e-4) << "frame " << f;
    for (int r = 0; r < kRunners; ++r) {
      const double expected = 100 * std::min(1.0, clock / kTimes[r]);
      EXPECT_NEAR(head_y(f, r), expected, std::max(1e-9, expected * 1e-4)) << "frame " << f << " runner " << r;
    }
  }
}

TEST_F(ProgressRace, ProgressNeverGoesBackwards) {
  for (int r = 0; r < kRunners; ++r) {
    for (int f = 1; f < 300; ++f) ASSERT_GE(head_y(f, r), head_y(f - 1, r)) << "runner " << r << " frame " << f;
  }
}

TEST_F(ProgressRace, PhasesFollowTheFinishes) {
  const auto phase = [&](int f) { return frames()[f]["layout"]["annotations"][0]["text"].get<std::string>(); };
  EXPECT_EQ(phase(0).rfind("Phase 1 of 3", 0), 0u) << phase(0);
  EXPECT_EQ(phase(89).rfind("Phase 1 of 3", 0), 0u) << phase(89);
  EXPECT_EQ(phase(90), "Phase 2 of 3 \u00b7 LUMI 8 nodes (64 GPUs) finished after 9 min");
  // 3400 s, the last cluster run, is reached between frames; after it only laptops are left.
  int phase3 = -1;
  for (int f = 90; f < 300 && phase3 < 0; ++f) {
    if (phase(f).rfind("Phase 3 of 3 \u00b7 all LUMI runs have finished", 0) == 0) phase3 = f;
  }
  ASSERT_GT(phase3, 90);
  EXPECT_GE(head_x(phase3, 4), 3400);
  EXPECT_LT(head_x(phase3 - 1, 4), 3400);
  EXPECT_EQ(phase(299), "Finished \u00b7 Laptop 1 thread needed 15 d (extrapolated)");
}

TEST_F(ProgressRace, LegendIsTheScoreboard) {
  EXPECT_EQ(frames()[299]["data"][0]["name"], "LUMI 8 nodes (64 GPUs)<br>\u2713 done in 9 min (imported)");
  EXPECT_EQ(frames()[299]["data"][2]["name"], "LUMI 1 node (8 GPUs)<br>\u2713 done in 56.7 min");
  const std::string laptop = frames()[0]["data"][4]["name"];
  EXPECT_EQ(laptop.rfind("Laptop 1 thread<br>0.00", 0), 0u) << laptop;
  EXPECT_NE(frames()[0]["data"][3]["name"].get<std::string>().find("&lt;img src=x onerror=alert(1)&gt;"),
            std::string::npos);
}

}  // namespace
}  // namespace lb::charts::testing
