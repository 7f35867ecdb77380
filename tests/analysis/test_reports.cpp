// Every output marks measured, extrapolated and imported figures, and they agree.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "analysis/report/chart_fill.h"
#include "analysis/report/chart_output.h"
#include "analysis/input/csv_reader.h"
#include "analysis/input/names.h"
#include "analysis/report/reports.h"
#include "support/comparison_fixture.h"

using namespace lb::analysis;
using namespace lb::testing;

namespace {

// Measured (LUMI full split, 3 epochs, the laptops' global batch of 32: the same work),
// extrapolated (laptop subsets), imported (guide run), imported and extrapolated (the guide's
// laptop extrapolation).
Comparison mixed() {
  RunShape lumi = lumi_shape("lumi-1", 1, 0.0002);
  lumi.batch_size = 4;
  const std::string guide =
      "Name,State,Runtime,epochs,total_gpus,nodes,device_type,architecture,train_split_samples,subset_percentage,"
      "extrapolated_total_time_hr,pytorch_threads,val_accuracy,source\n"
      "guide-8,finished,963,10,8,1,rocm,vit_b_16,80000,,,,98.1,LUMI AI guide\n"
      "guide-laptop,finished,,3,0,1,cpu,vit_b_16,80000,1,75.83,1,,LUMI AI guide\n"
      "guide-crashed,crashed,50,10,16,2,rocm,vit_b_16,80000,,,,,LUMI AI guide\n";
  return build_comparison(analyse({laptop_shape("lap-a", 8, 0.01, 0.01), laptop_shape("lap-b", 8, 0.02, 0.01), lumi},
                                  guide),
                          {});
}

// The baseline is a laptop run of 3 steps (1 warm-up): its job time has no lower bound. The LUMI
// run's speedup over it has none either.
Comparison few_steps() {
  return build_comparison(analyse({few_steps_shape("few-1"), lumi_shape("lumi-1", 1, 0.0002)}), {});
}

bool any_contains(const std::vector<std::string>& list, const std::string& text) {
  for (const auto& s : list) {
    if (s.find(text) != std::string::npos) return true;
  }
  return false;
}

std::map<std::string, std::string> row_by_column(const CsvTable& t, size_t row) {
  std::map<std::string, std::string> m;
  for (size_t i = 0; i < t.header.size(); ++i) m[t.header[i]] = t.rows[row][i];
  return m;
}

// Walks the JSON: every object that states a kind must agree with its "extrapolated" flag.
void check_kinds(const nlohmann::json& j, int& checked) {
  if (j.is_object()) {
    if (j.contains("kind") && j.contains("extrapolated") && j["kind"].is_string()) {
      const std::string kind = j["kind"];
      const bool says = kind.find("extrapolated") != std::string::npos || kind == "projected";
      EXPECT_EQ(j["extrapolated"].get<bool>(), says) << j.dump();
      ++checked;
    }
    for (const auto& [k, v] : j.items()) check_kinds(v, checked);
  } else if (j.is_array()) {
    for (const auto& v : j) check_kinds(v, checked);
  }
}

}  // namespace

TEST(Reports, CsvMarksEveryExtrapolatedAndImportedRow) {
  const Comparison c = mixed();
  const CsvParseResult csv = parse_csv(benchmark_csv_text(c));
  ASSERT_TRUE(csv.ok) << csv.error;
  ASSERT_EQ(csv.table.rows.size(), c.runs.size());
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (size_t i = 0; i < csv.table.rows.size(); ++i) {
    ASSERT_EQ(csv.table.rows[i].size(), csv.table.header.size());
    auto r = row_by_column(csv.table, i);
    rows[r["run_id"]] = r;
  }
  EXPECT_EQ(rows["lap-a"]["is_extrapolated"], "true");
  EXPECT_EQ(rows["lap-a"]["is_imported"], "false");
  EXPECT_EQ(rows["lap-a"]["config_is_extrapolated"], "true");
  EXPECT_EQ(rows["lap-a"]["accuracy_scope"], "subset");
  EXPECT_EQ(rows["lumi-1"]["is_extrapolated"], "false");
  EXPECT_EQ(rows["lumi-1"]["job_method"], "measured");
  EXPECT_EQ(rows["lumi-1"]["accuracy_scope"], "full");
  EXPECT_EQ(rows["guide-8"]["is_imported"], "true");
  EXPECT_EQ(rows["guide-8"]["is_extrapolated"], "true");  // 10 epochs scaled to the job's 3
  EXPECT_EQ(rows["guide-laptop"]["is_imported"], "true");
  EXPECT_EQ(rows["guide-laptop"]["is_extrapolated"], "true");
  EXPECT_EQ(rows["guide-laptop"]["final_val_top1_pct"], "");  // never measured, never invented
  EXPECT_EQ(rows["guide-crashed"]["in_comparison"], "false");
  EXPECT_NE(rows["guide-crashed"]["warnings"].find("status crashed"), std::string::npos);
  EXPECT_EQ(rows["lap-a"]["job_epochs"], "3");
}

TEST(Reports, JsonFlagsAgreeWithKindsEverywhere) {
  const Comparison c = mixed();
  const auto j = nlohmann::json::parse(summary_json_text(c));
  int checked = 0;
  check_kinds(j, checked);
  EXPECT_GT(checked, 10);
  for (const auto& config : j["configurations"]) {
    if (config["time_s"].is_null()) continue;
    EXPECT_EQ(config["is_extrapolated"], config["time_s"]["extrapolated"]) << config["label"];
  }
  for (const auto& run : j["runs"]) {
    if (run["job"].contains("time_s")) {
      const bool subset = run["is_subset"];
      if (subset) {
        EXPECT_TRUE(run["job"]["time_s"]["extrapolated"].get<bool>()) << run["run_id"];
      }
    }
  }
  // The max speedup compares a measured time with the baseline's extrapolated one: extrapolated.
  EXPECT_TRUE(j["max_speedup"]["speedup"]["extrapolated"].get<bool>());
  EXPECT_EQ(j["job"]["epochs"], 3);
  EXPECT_FALSE(j["warnings"].empty());
}

TEST(Reports, MarkdownTableSaysExtrapolatedPerRow) {
  const Comparison c = mixed();
  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("| Laptop 8 threads (C1) | extrapolated | yes |"), std::string::npos) << md;
  EXPECT_NE(md.find("| LUMI 1 node (8 GPUs) (C2) | measured | no |"), std::string::npos) << md;
  EXPECT_NE(md.find("| LUMI 1 node (8 GPUs), LUMI AI guide (C3) | imported, extrapolated | yes |"), std::string::npos)
      << md;
  EXPECT_NE(md.find("Maximum speedup over the baseline"), std::string::npos);
  EXPECT_NE(md.find("## Warnings"), std::string::npos);
  for (const auto& w : c.warnings) EXPECT_NE(md.find(w.substr(0, 40)), std::string::npos) << w;
}

// One format for reports, charts and the harness (common/format.h): 3 significant digits, hours
// up to two days.
TEST(Reports, DurationsReadNaturally) {
  EXPECT_EQ(lb::format_duration(42), "42 s");
  EXPECT_EQ(lb::format_duration(963), "16.1 min");
  EXPECT_EQ(lb::format_duration(75.83 * 3600), "3.16 d");
  EXPECT_EQ(lb::format_duration(20.5 * 3600), "20.5 h");
  EXPECT_EQ(figure_kind(true, true), "imported, extrapolated");
  EXPECT_EQ(figure_kind(false, false), "measured");
}

TEST(ChartData, FilledFromTheComparisonWithProvenance) {
  const Comparison c = mixed();
  const lb::charts::ChartData d = to_chart_data(c);
  using lb::charts::Provenance;
  EXPECT_EQ(d.cluster_name, "LUMI");
  EXPECT_EQ(d.epochs, 3);
  EXPECT_EQ(d.baseline_label, "Laptop 8 threads");
  ASSERT_EQ(d.bars.size(), 4u);  // the crashed import has no time
  EXPECT_EQ(d.bars[0].label, "Laptop 1 thread, LUMI AI guide");  // slowest first
  EXPECT_EQ(d.bars[0].kind, Provenance::ImportedExtrapolated) << "the guide extrapolated it: drawn as extrapolated";
  for (size_t i = 1; i < d.bars.size(); ++i) EXPECT_GE(d.bars[i - 1].time_s, d.bars[i].time_s);
  for (const auto& bar : d.bars) {
    SCOPED_TRACE(bar.label);
    const ConfigResult* cfg = config_labelled(c, bar.label);
    ASSERT_TRUE(cfg);
    EXPECT_DOUBLE_EQ(bar.time_s, cfg->time_s->value);
    EXPECT_DOUBLE_EQ(bar.speedup, cfg->speedup->value);
    EXPECT_EQ(bar.is_cluster, cfg->is_cluster);
    const Provenance expected = cfg->is_imported ? (cfg->extrapolated ? Provenance::ImportedExtrapolated : Provenance::Imported)
                                : cfg->extrapolated ? Provenance::Extrapolated
                                                    : Provenance::Measured;
    EXPECT_EQ(bar.kind, expected);
  }
  const auto* lumi = config_labelled(c, "LUMI 1 node (8 GPUs)");
  ASSERT_TRUE(lumi);
  bool measured_curve = false, imported_point = false;
  for (const auto& curve : d.accuracy) {
    if (curve.label == "LUMI 1 node (8 GPUs)") {
      measured_curve = curve.kind == Provenance::Measured && curve.points.size() == 3 && !curve.projected;
    }
    if (curve.label == "LUMI 1 node (8 GPUs), LUMI AI guide") {
      imported_point = curve.kind == Provenance::Imported && curve.points.size() == 1 &&
                       curve.points[0].time_s == 963 && curve.points[0].accuracy_pct == 98.1;
    }
  }
  EXPECT_TRUE(measured_curve);
  EXPECT_TRUE(imported_point);
  EXPECT_EQ(d.warnings, c.warnings);
}

TEST(Reports, AnUnboundedIntervalEndIsMissingNotANumber) {
  const Comparison c = few_steps();
  const ConfigResult* lap = config_labelled(c, "Laptop 8 threads");
  const ConfigResult* lumi = config_labelled(c, "LUMI 1 node (8 GPUs)");
  ASSERT_TRUE(lap && lumi);
  ASSERT_EQ(c.configs[*c.baseline].label, lap->label);
  ASSERT_TRUE(lap->time_s->has_interval);
  EXPECT_FALSE(lap->time_s->has_lower());
  // The baseline against itself is exactly 1; the other speedup has an upper bound only.
  EXPECT_FALSE(lap->speedup->has_interval);
  EXPECT_DOUBLE_EQ(lap->speedup->value, 1.0);
  EXPECT_FALSE(lumi->speedup->has_lower());
  EXPECT_TRUE(lumi->speedup->has_upper());
  EXPECT_TRUE(any_contains(c.warnings, "run few-1: the 95% interval of its job time reaches zero"));

  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("| at most " + lb::format_duration(lap->time_s->hi) + " |"), std::string::npos) << md;
  EXPECT_FALSE(std::regex_search(md, std::regex("[ (]-[0-9]"))) << md;  // no negative figure anywhere
  const auto j = nlohmann::json::parse(summary_json_text(c));
  for (const auto& config : j["configurations"]) {
    if (config["label"] == "Laptop 8 threads") {
      EXPECT_TRUE(config["time_s"]["lo"].is_null());
      EXPECT_TRUE(config["time_s"]["hi"].is_number());
      EXPECT_TRUE(config["time_s"]["has_interval"].get<bool>());
    } else {
      EXPECT_TRUE(config["speedup"]["lo"].is_null()) << config["label"];
      EXPECT_GT(config["speedup"]["hi"].get<double>(), config["speedup"]["value"].get<double>());
    }
  }
  const CsvParseResult csv = parse_csv(benchmark_csv_text(c));
  ASSERT_TRUE(csv.ok) << csv.error;
  const CsvTable& t = csv.table;
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto row = row_by_column(t, r);
    SCOPED_TRACE(row.at("run_id"));
    if (row.at("run_id") == "few-1") {
      EXPECT_EQ(row.at("job_time_lo_s"), "");
      EXPECT_EQ(row.at("config_time_lo_s"), "");
      EXPECT_NE(row.at("job_time_hi_s"), "");
    } else {
      EXPECT_EQ(row.at("speedup_lo"), "");
      EXPECT_NE(row.at("speedup_hi"), "");
    }
  }
}

// write_all refuses lo_s <= 0: the chart data draws a missing end at the estimate and says so.
TEST(ChartData, AnUnboundedIntervalIsDrawableAndExplained) {
  const Comparison c = few_steps();
  std::vector<std::string> problems;
  const lb::charts::ChartData d = to_chart_data(c, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  ASSERT_EQ(d.bars.size(), 2u);
  for (const auto& bar : d.bars) {
    SCOPED_TRACE(bar.label);
    EXPECT_GT(bar.lo_s, 0.0);
    EXPECT_LE(bar.lo_s, bar.time_s);
    EXPECT_LE(bar.time_s, bar.hi_s);
    EXPECT_TRUE(std::isfinite(bar.speedup_hi));
  }
  const auto& lap = d.bars[0];  // slowest first
  EXPECT_EQ(lap.label, "Laptop 8 threads");
  EXPECT_EQ(lap.lo_s, lap.time_s);
  EXPECT_DOUBLE_EQ(lap.hi_s, config_labelled(c, "Laptop 8 threads")->time_s->hi);
  EXPECT_TRUE(any_contains(lap.warnings, "job time: the 95% interval has no lower bound"));
  const auto& lumi = d.bars[1];
  EXPECT_EQ(lumi.speedup_lo, lumi.speedup);
  EXPECT_EQ(lumi.speedup_hi, lumi.speedup);
  EXPECT_TRUE(any_contains(lumi.warnings, "speedup: the 95% interval has no lower bound"));
  if (!charts_built()) GTEST_SKIP() << "analyze built without the chart writers";
  TempDir dir;
  const ChartOutcome out = write_chart_data(d, dir.file("charts"), false);
  EXPECT_TRUE(out.problems.empty()) << out.problems.front();
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "charts" / "lumi_vs_laptop_animated.html"));
}

// Should the writers still refuse something, one bad item costs its own chart group only.
TEST(ChartData, OneUndrawableItemDoesNotStopTheOtherCharts) {
  if (!charts_built()) GTEST_SKIP() << "analyze built without the chart writers";
  lb::charts::ChartData d = to_chart_data(mixed());
  ASSERT_FALSE(d.accuracy.empty());
  ASSERT_FALSE(d.bars.empty());
  d.accuracy[0].points[0].time_s = -1;  // cannot be drawn on a log axis
  TempDir dir;
  const ChartOutcome out = write_chart_data(d, dir.file("charts"), false);
  ASSERT_EQ(out.problems.size(), 2u);
  EXPECT_NE(out.problems[0].find("refused the data"), std::string::npos) << out.problems[0];
  EXPECT_NE(out.problems[1].find("accuracy charts not written: chart data: accuracy[0]"), std::string::npos)
      << out.problems[1];
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "charts" / "lumi_vs_laptop_animated.html"));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "charts" / "lumi_vs_laptop_comparison.gp"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "charts" / "lumi_vs_laptop_accuracy_vs_time.html"));
  for (const auto& m : out.messages) EXPECT_EQ(m.find("no configurations to compare"), std::string::npos) << m;
}

// Without a baseline time there are no comparison bars and no sample note of theirs; the energy
// chart still shows at most 40 configurations and must say which (it used to drop the rest silently).
TEST(ChartData, AnEnergyChartSampleIsSaidWhenTheComparisonChartHasNone) {
  std::string csv = "Name,State,Runtime,epochs,total_gpus,nodes,device_type,architecture,train_split_samples\n";
  for (int k = 1; k <= 45; ++k) {
    csv += "g-" + std::to_string(k) + ",finished," + std::to_string(1000 + k) + ",10," + std::to_string(8 * k) + "," +
           std::to_string(k) + ",rocm,vit_b_16,80000\n";
  }
  csv += "g-crashed,crashed,50,10,8,1,rocm,vit_b_16,80000\n";
  ComparisonOptions options;
  options.baseline = "g-crashed";  // crashed: no job time, so no speedups
  const Comparison cmp = build_comparison(analyse({}, csv), options);
  std::vector<std::string> problems;
  const lb::charts::ChartData d = to_chart_data(cmp, problems);
  EXPECT_TRUE(d.bars.empty());
  EXPECT_TRUE(d.sample_note.empty());
  EXPECT_EQ(d.energy.size(), 40u);
  EXPECT_TRUE(any_contains(problems, "energy charts: 40 of 45 configurations shown")) << join(problems, "\n");
}
