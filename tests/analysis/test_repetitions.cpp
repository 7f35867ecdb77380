// Repetitions: distribution-free intervals, the spread verdict, --repeat groups and the recorded
// adaptive-stopping decisions; means of times and harmonic means of rates.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "analysis/input/csv_reader.h"
#include "analysis/compare/repetitions.h"
#include "analysis/report/reports.h"
#include "analysis/compare/statistics.h"
#include "support/comparison_fixture.h"

using namespace lb::analysis;
using namespace lb::testing;

TEST(Statistics, MedianAndHarmonicMean) {
  EXPECT_DOUBLE_EQ(lb::median_interval95({3, 1, 2}).median, 2.0);
  EXPECT_DOUBLE_EQ(lb::median_interval95({4, 1, 3, 2}).median, 2.5);
  EXPECT_TRUE(std::isnan(lb::median_interval95({}).median));
  // 100 images at 10/s and 100 at 40/s: 200 images in 12.5 s = 16/s, not the arithmetic 25/s.
  EXPECT_DOUBLE_EQ(harmonic_mean({10, 40}), 16.0);
  EXPECT_TRUE(std::isnan(harmonic_mean({10, 0})));
}

TEST(Repetitions, SeveralRunsGiveASpreadAndAnIntervalThatSaysWhenItMeansLittle) {
  // Six repetitions of one LUMI configuration, 1% apart: consistent.
  std::vector<RunShape> shapes = {laptop_shape("a-lap", 8, 0.01, 0.01)};
  for (int i = 0; i < 6; ++i) {
    RunShape s = lumi_shape("rep-" + std::to_string(i), 1, 0.0002);
    s.batch_size = 4;
    s.run_scale = 1.0 + 0.01 * (i % 3);
    shapes.push_back(s);
  }
  const Comparison c = build_comparison(analyse(shapes), {});
  const ConfigResult& k = c.configs[c.runs[1].config];
  const RepetitionSummary& r = k.repetitions;
  ASSERT_EQ(r.n, 6u);
  EXPECT_FALSE(r.spread_too_large);
  EXPECT_GT(r.cv, 0.0);
  EXPECT_LT(r.cv, kMaxRepeatSpread);
  ASSERT_TRUE(r.median_ci.available);
  EXPECT_DOUBLE_EQ(r.median_ci.lo, r.min);  // six values: the interval is the range
  EXPECT_DOUBLE_EQ(r.median_ci.hi, r.max);
  EXPECT_NEAR(r.mean, k.time_s->value, 1e-9);
  EXPECT_TRUE(k.time_s->has_interval);
  // The configuration's throughput is the harmonic mean of its runs' rates.
  std::vector<double> rates;
  for (size_t i = 1; i < c.runs.size(); ++i) rates.push_back(*c.runs[i].metrics.steady_images_per_s);
  EXPECT_NEAR(*k.steady_images_per_s, harmonic_mean(rates), 1e-9);
  EXPECT_LT(*k.steady_images_per_s, mean(rates));

  // Two repetitions 30% apart: the spread is too large for the interval to mean much.
  shapes.resize(3);
  shapes[2].run_scale = 1.3;
  const Comparison wide = build_comparison(analyse(shapes), {});
  const ConfigResult& w = wide.configs[wide.runs[1].config];
  EXPECT_EQ(w.repetitions.n, 2u);
  EXPECT_TRUE(w.repetitions.spread_too_large);
  EXPECT_FALSE(w.repetitions.median_ci.available);
  EXPECT_TRUE(contains_text(w.warnings, "the spread is too large for the interval of their mean to mean much"));
  const std::string md = summary_markdown(wide, {});
  EXPECT_NE(md.find("## Repetitions"), std::string::npos);
  EXPECT_NE(md.find("**spread too large**"), std::string::npos) << md;
  EXPECT_NE(md.find("none (fewer than 6 runs)"), std::string::npos);
  const auto j = nlohmann::json::parse(summary_json_text(wide));
  for (const auto& cfg : j["configurations"]) {
    if (cfg["id"] != w.id) continue;
    EXPECT_EQ(cfg["repetitions"]["n"], 2);
    EXPECT_TRUE(cfg["repetitions"]["spread_too_large"].get<bool>());
    EXPECT_TRUE(cfg["repetitions"]["median_interval_s"]["lo"].is_null());
  }
  const CsvParseResult csv = parse_csv(benchmark_csv_text(wide));
  ASSERT_TRUE(csv.ok);
  const auto& h = csv.table.header;
  const size_t col = std::find(h.begin(), h.end(), "config_spread_too_large") - h.begin();
  ASSERT_LT(col, h.size());
  EXPECT_EQ(csv.table.rows[1][col], "true");
}

TEST(Repetitions, RepeatGroupsAreCountedAndMissingRunsNamed) {
  std::vector<RunShape> shapes = {laptop_shape("a-lap", 8, 0.01, 0.01)};
  for (int i = 0; i < 2; ++i) {
    RunShape s = lumi_shape("rep-" + std::to_string(i), 1, 0.0002);
    s.repeat_group = "20261124T070000Z-nid005000-9";
    s.repeat_index = i;
    s.repeat_count = 3;  // the third run is not among the inputs
    shapes.push_back(s);
  }
  const Comparison c = build_comparison(analyse(shapes), {});
  const ConfigResult& k = c.configs[c.runs[1].config];
  EXPECT_EQ(k.repetitions.repeat_groups, (std::vector<std::string>{"20261124T070000Z-nid005000-9: 2 runs of 3"}));
  EXPECT_TRUE(contains_text(k.warnings, "--repeat group 20261124T070000Z-nid005000-9: 2 of 3 runs found"));
  EXPECT_EQ(c.runs[1].run.repeat.index, 0);
  EXPECT_EQ(c.runs[2].run.repeat.count, 3);

  // A group whose runs recorded different settings lands in two configurations: said.
  shapes[2].threads = 3;
  const Comparison split = build_comparison(analyse(shapes), {});
  EXPECT_TRUE(contains_text(split.warnings, "has runs in other configurations too"));
}

TEST(Repetitions, AdaptiveDecisionsAreShownAsRecorded) {
  RunShape reached = lumi_shape("a-adaptive", 1, 0.0002);
  reached.adaptive_target_rel_ci = 0.02;
  reached.adaptive_stop_reason = "ci_reached";
  reached.adaptive_rel_ci = 0.018;
  reached.noise = 0.05;
  RunShape budget = lumi_shape("b-adaptive", 2, 0.0001);
  budget.adaptive_target_rel_ci = 0.02;
  budget.adaptive_stop_reason = "step_budget";
  budget.adaptive_rel_ci = 0.031;
  const Comparison c = build_comparison(analyse({laptop_shape("0-lap", 8, 0.01, 0.01), reached, budget}), {});
  EXPECT_EQ(c.runs[1].run.adaptive.stop_reason, "ci_reached");
  EXPECT_DOUBLE_EQ(*c.runs[1].run.adaptive.achieved_rel_ci, 0.018);
  EXPECT_TRUE(contains_text(c.warnings, "run b-adaptive: adaptive mode ran out of its step budget with the 95% interval "
                                        "of the median step time at +-3.1%, above its target of +-2.0%"));
  EXPECT_FALSE(contains_text(c.warnings, "run a-adaptive: adaptive"));
  // analyze recomputes the median step time and its order-statistic interval from the steps.
  const lb::MedianInterval& m = c.runs[1].metrics.step_median;
  ASSERT_TRUE(m.available);
  EXPECT_NEAR(m.median, 256 * 0.0002, 256 * 0.0002 * 0.051);
  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("### Adaptive stopping (as the harness recorded it)"), std::string::npos);
  EXPECT_NE(md.find("| a-adaptive | LUMI 1 node (8 GPUs) | +-2.0% | +-1.8% | stopped: interval reached the target |"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("**stopped: step budget ran out**"), std::string::npos);
  const auto j = nlohmann::json::parse(summary_json_text(c));
  EXPECT_EQ(j["runs"][2]["adaptive"]["stop_reason"], "step_budget");
  EXPECT_TRUE(j["runs"][1]["median_step_s"]["available"].get<bool>());
  EXPECT_TRUE(j["runs"][0]["adaptive"]["enabled"] == false);
}
