// The analyze program end to end (in-process): inputs, exit codes, messages, output files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/analyze_app.h"
#include "analysis/report/chart_output.h"
#include "analysis/report/output_dir.h"
#include "analysis/input/results_reader.h"
#include "support/comparison_fixture.h"

using namespace lb::analysis;
using namespace lb::testing;
namespace fs = std::filesystem;

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result run(std::vector<std::string> args) {
  args.insert(args.begin(), "analyze");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = run_analyze(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

std::string good_file(const TempDir& dir, const std::string& name = "laptop.h5") {
  write_results_file(dir.file(name), {build_run(laptop_shape("lap-1", 8, 0.01, 0.01)),
                                      build_run(lumi_shape("lumi-1", 1, 0.0002))});
  return dir.file(name);
}

// Changes the working directory for one scope.
class ChangeDir {
 public:
  explicit ChangeDir(const fs::path& to) : from_(fs::current_path()) { fs::current_path(to); }
  ~ChangeDir() { fs::current_path(from_); }

 private:
  fs::path from_;
};

}  // namespace

TEST(AnalyzeCli, WritesTheThreeDataFilesAndPrintsTheSummary) {
  TempDir dir;
  const Result r = run({good_file(dir), "--out", dir.file("report"), "--no-charts"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  for (const char* f : {"benchmark_data.csv", "summary.json", "summary.md"}) {
    EXPECT_TRUE(fs::exists(dir.path() / "report" / f)) << f;
  }
  EXPECT_EQ(r.out, read_text(dir.file("report/summary.md")));
  EXPECT_NE(r.out.find("## Time per configuration"), std::string::npos);
  const auto j = nlohmann::json::parse(read_text(dir.file("report/summary.json")));
  EXPECT_EQ(j["baseline"]["label"], "Laptop 8 threads");
  EXPECT_EQ(j["configurations"].size(), 2u);
}

TEST(AnalyzeCli, UnreadableAndForeignInputsAreNamedAndSkipped) {
  TempDir dir;
  const std::string good = good_file(dir);
  const std::string text = dir.write("notes.h5", "plain text");
  write_results_file(dir.file("future.h5"), {build_run(RunShape{})}, kSupportedSchemaVersion + 1);
  const std::string csv = dir.write("not_wandb.csv", "a,b\n1,2\n");
  const Result r = run({good, text, dir.file("future.h5"), dir.file("gone.h5"), "--wandb-csv", csv, "--out",
                        dir.file("out"), "--no-charts", "--quiet"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.err.find("skipped " + text + ": not an HDF5 file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("skipped " + dir.file("future.h5") + ": schema_version " +
                       std::to_string(kSupportedSchemaVersion + 1) + " is newer"),
            std::string::npos);
  EXPECT_NE(r.err.find("skipped " + dir.file("gone.h5") + ": cannot open"), std::string::npos);
  EXPECT_NE(r.err.find("skipped " + csv + ": not a W&B run-table export"), std::string::npos);
  EXPECT_TRUE(r.out.empty());  // --quiet
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  EXPECT_EQ(j["inputs"].size(), 5u);
  EXPECT_EQ(j["runs"].size(), 2u);
}

TEST(AnalyzeCli, NothingAnalysableExitsOne) {
  TempDir dir;
  write_results_file(dir.file("future.h5"), {build_run(RunShape{})}, kSupportedSchemaVersion + 1);
  const Result r = run({dir.file("future.h5"), "--out", dir.file("out")});
  EXPECT_EQ(r.code, kExitNothingAnalysable);
  EXPECT_NE(r.err.find("schema_version " + std::to_string(kSupportedSchemaVersion + 1) +
                       " is newer than this analyze understands (" + std::to_string(kSupportedSchemaVersion) + ")"),
            std::string::npos);
  EXPECT_NE(r.err.find("nothing to analyse"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.file("out")));
}

TEST(AnalyzeCli, UsageErrorsExitTwoAndNameTheOption) {
  TempDir dir;
  const std::string good = good_file(dir);
  const Result none = run({});
  EXPECT_EQ(none.code, kExitUsage);
  EXPECT_NE(none.err.find("no input"), std::string::npos);
  const Result epochs = run({good, "--epochs", "three"});
  EXPECT_EQ(epochs.code, kExitUsage);
  EXPECT_NE(epochs.err.find("--epochs 'three': expected a whole number"), std::string::npos);
  EXPECT_EQ(run({good, "--epochs", "0"}).code, kExitUsage);
  const Result unknown = run({good, "--frobnicate"});
  EXPECT_EQ(unknown.code, kExitUsage);
  EXPECT_NE(unknown.err.find("frobnicate"), std::string::npos);
  const Result target = run({good, "--target-accuracy", "eighty"});
  EXPECT_EQ(target.code, kExitUsage);
  EXPECT_NE(target.err.find("analyze: --target-accuracy 'eighty': expected a validation accuracy in percent"),
            std::string::npos)
      << target.err;
  EXPECT_EQ(run({good, "--target-accuracy", "0"}).code, kExitUsage);
  EXPECT_EQ(run({good, "--target-accuracy", "100.5"}).code, kExitUsage);
  const Result margin = run({good, "--quality-margin", "-3"});
  EXPECT_EQ(margin.code, kExitUsage);
  EXPECT_NE(margin.err.find("analyze: --quality-margin '-3': expected percentage points from 0 to 100"),
            std::string::npos)
      << margin.err;
  EXPECT_EQ(std::count(margin.err.begin(), margin.err.end(), '\n'), 1) << "one line";
  const Result baseline = run({good, "--baseline", "nope", "--out", dir.file("o"), "--no-charts"});
  EXPECT_EQ(baseline.code, kExitUsage);
  EXPECT_NE(baseline.err.find("--baseline 'nope'"), std::string::npos);
  EXPECT_EQ(run({"--help"}).code, kExitOk);
  const Result version = run({"--version"});
  EXPECT_EQ(version.code, kExitOk);
  EXPECT_NE(version.out.find("analyze (lumibench)"), std::string::npos);
}

TEST(AnalyzeCli, OutputNeverGoesIntoTheSourceChartsFolder) {
  TempDir dir;
  const std::string good = good_file(dir);
  // A charts/ folder as in the source tree: recognized by its chart_data.h.
  fs::create_directories(dir.path() / "src" / "charts");
  dir.write("src/charts/chart_data.h", "// marker");
  EXPECT_TRUE(is_source_charts_dir(dir.file("src/charts")));
  EXPECT_TRUE(is_source_charts_dir(dir.file("src/charts/report")));
  EXPECT_FALSE(is_source_charts_dir(dir.file("src")));
  const Result explicit_out = run({good, "--out", dir.file("src/charts/report")});
  EXPECT_EQ(explicit_out.code, kExitUsage);
  EXPECT_NE(explicit_out.err.find("--out"), std::string::npos);
  {
    ChangeDir in(dir.path() / "src" / "charts");
    const Result by_default = run({good, "--no-charts"});
    EXPECT_EQ(by_default.code, kExitUsage);
    EXPECT_NE(by_default.err.find("no --out given"), std::string::npos);
  }
  EXPECT_FALSE(fs::exists(dir.path() / "src" / "charts" / kDefaultOutputDir));
  // Elsewhere the default is used as documented.
  {
    ChangeDir in(dir.path() / "src");
    EXPECT_EQ(run({good, "--no-charts", "--quiet"}).code, kExitOk);
  }
  EXPECT_TRUE(fs::exists(dir.path() / "src" / kDefaultOutputDir / "summary.md"));
#ifdef LB_SOURCE_CHARTS_DIR_FOR_TEST
  // The real source tree's charts/ folder.
  EXPECT_TRUE(is_source_charts_dir(LB_SOURCE_CHARTS_DIR_FOR_TEST));
#endif
}

TEST(AnalyzeCli, DirectoriesAreSearchedForResultsFiles) {
  TempDir dir;
  fs::create_directories(dir.path() / "runs" / "lumi");
  write_results_file(dir.file("runs/laptop.h5"), {build_run(laptop_shape("lap-1", 8, 0.01, 0.01))});
  write_results_file(dir.file("runs/lumi/n1.hdf5"), {build_run(lumi_shape("lumi-1", 1, 0.0002))});
  dir.write("runs/readme.txt", "not a results file");
  const Result r = run({dir.file("runs"), "--out", dir.file("out"), "--no-charts", "--quiet"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  EXPECT_EQ(j["runs"].size(), 2u);
  fs::create_directories(dir.path() / "empty");
  const Result empty = run({dir.file("empty"), "--out", dir.file("out2")});
  EXPECT_EQ(empty.code, kExitNothingAnalysable);
  EXPECT_NE(empty.err.find("directory holds no .h5"), std::string::npos);
}

// A failed import enters times and speedups only with --include-incomplete, and then only with the
// epochs it completed: its partial Runtime is never scaled as if it had run its planned epochs
// (100 s for 2 of 3 epochs is 50 s per epoch, not 33 s). Without a completed-epochs column it has
// no estimate at all.
TEST(AnalyzeCli, FailedImportedRunsEnterSpeedupsOnlyWhenAskedTo) {
  TempDir dir;
  const std::string csv = dir.write("export.csv",
                                    "Name,State,Runtime,epochs,completed_epochs,total_gpus,nodes,device_type,architecture\n"
                                    "ok,finished,963,3,3,8,1,cuda,vit_b_16\n"
                                    "bad,failed,100,3,2,16,2,cuda,vit_b_16\n"
                                    "unsaid,failed,100,3,,32,4,cuda,vit_b_16\n");
  auto config_of = [&](const std::string& out, const std::string& label) {
    const auto j = nlohmann::json::parse(read_text(dir.file(out + "/summary.json")));
    for (const auto& c : j["configurations"]) {
      if (c["label"] == label) return c;
    }
    return nlohmann::json("missing");
  };
  ASSERT_EQ(run({good_file(dir), "--wandb-csv", csv, "--out", dir.file("a"), "--no-charts", "--quiet"}).code, kExitOk);
  EXPECT_TRUE(config_of("a", "LUMI 2 nodes (16 GPUs), W&B export")["speedup"].is_null());
  EXPECT_TRUE(config_of("a", "LUMI 1 node (8 GPUs), W&B export")["speedup"].is_object());
  ASSERT_EQ(run({good_file(dir), "--wandb-csv", csv, "--out", dir.file("b"), "--no-charts", "--quiet",
                 "--include-incomplete"}).code,
            kExitOk);
  const auto j = nlohmann::json::parse(read_text(dir.file("b/summary.json")));
  const double epochs = j["job"]["epochs"];
  const auto bad = config_of("b", "LUMI 2 nodes (16 GPUs), W&B export");
  ASSERT_TRUE(bad["speedup"].is_object());
  EXPECT_DOUBLE_EQ(bad["time_s"]["value"].get<double>(), 100.0 * epochs / 2) << "its 2 completed epochs, not its 3 planned";
  EXPECT_EQ(bad["time_s"]["kind"], "imported, extrapolated");
  const auto unsaid = config_of("b", "LUMI 4 nodes (32 GPUs), W&B export");
  EXPECT_TRUE(unsaid["speedup"].is_null());
  EXPECT_NE(unsaid["not_comparable_reason"].get<std::string>().find("does not say how many"), std::string::npos)
      << unsaid["not_comparable_reason"];
}

TEST(AnalyzeCli, ReferenceFileAloneGivesAFullComparison) {
  TempDir dir;
  const Result r = run({"--reference", LB_REFERENCE_CSV, "--out", dir.file("out"), "--no-charts", "--epochs", "10"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  EXPECT_EQ(j["job"]["epochs"], 10);
  EXPECT_EQ(j["configurations"].size(), 10u);
  // At the guide's own 10 epochs its 1-node run is imported, not extrapolated.
  for (const auto& c : j["configurations"]) {
    if (c["label"] == "LUMI 1 node (8 GPUs), LUMI AI guide") {
      EXPECT_EQ(c["time_s"]["value"], 963);
      EXPECT_EQ(c["time_s"]["kind"], "imported");
      EXPECT_FALSE(c["time_s"]["extrapolated"].get<bool>());
      EXPECT_NEAR(c["vs_1_gpu"]["efficiency"]["value"].get<double>(), 7224.0 / 963.0 / 8.0, 1e-9);
    }
  }
  EXPECT_EQ(j["baseline"]["label"], "Laptop 1 thread, LUMI AI guide");
  // The guide's laptop runs state no batch, optimizer or weights: no GPU run can be shown to have
  // done their work, so the headline names none (it did before: 4 nodes at 62.6% accuracy, while
  // one node reached 98.1%). Every speedup is still in the table.
  EXPECT_TRUE(j["max_speedup"].is_null());
  EXPECT_TRUE(j["fastest"].is_null());
  bool four_nodes_listed = false;
  for (const auto& n : j["not_in_headline"]) {
    if (n["label"] != "LUMI 4 nodes (32 GPUs), LUMI AI guide") continue;
    four_nodes_listed = true;
    const std::string reason = n["reason"];
    EXPECT_NE(reason.find("did other work than the baseline"), std::string::npos) << reason;
    EXPECT_NE(reason.find("below the quality bar: 62.6% < 93.1%"), std::string::npos) << reason;
  }
  EXPECT_TRUE(four_nodes_listed);
  for (const auto& c : j["configurations"]) {
    if (c["label"] == "LUMI 4 nodes (32 GPUs), LUMI AI guide") {
      EXPECT_NEAR(c["speedup"]["value"].get<double>(), 75.83 * 3600 * 10 / 3 / 298, 1e-6);
      EXPECT_EQ(c["quality"]["status"], "below");
      EXPECT_DOUBLE_EQ(c["speedup_accuracy_pct"].get<double>(), 62.6);
      EXPECT_TRUE(c["baseline_accuracy_pct"].is_null());
    }
  }
}

// The case that once stopped every chart: a subset run of 3 steps (1 warm-up) as the baseline,
// with the reference table. Its interval has no lower bound; every output and chart is written.
TEST(AnalyzeCli, AFewStepRunGivesPositiveIntervalsAndAllCharts) {
  TempDir dir;
  write_results_file(dir.file("few.h5"), {build_run(few_steps_shape("few-1"))});
  const Result r = run({dir.file("few.h5"), "--reference", LB_REFERENCE_CSV, "--out", dir.file("report"),
                        "--no-static-images", "--quiet"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.err.find("chart data"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("charts: comparison charts skipped"), std::string::npos) << r.err;
  const std::string md = read_text(dir.file("report/summary.md"));
  // No guide configuration did its work (epochs differ), and the baseline itself has no accuracy
  // while its task has a bar (the guide's runs share its splits): the headline names no fastest.
  EXPECT_NE(md.find("| baseline | Laptop 8 threads (C1) | extrapolated | yes |"), std::string::npos) << md;
  EXPECT_NE(md.find("Fastest: none"), std::string::npos) << md;
  EXPECT_NE(md.find("at most"), std::string::npos);
  const auto j = nlohmann::json::parse(read_text(dir.file("report/summary.json")));
  for (const auto& c : j["configurations"]) {
    for (const char* figure : {"time_s", "speedup"}) {
      if (c[figure].is_null() || c[figure]["lo"].is_null()) continue;
      EXPECT_GT(c[figure]["lo"].get<double>(), 0.0) << c["label"] << " " << figure;
    }
  }
  if (!charts_built()) GTEST_SKIP() << "analyze built without the chart writers";
  EXPECT_TRUE(fs::exists(dir.path() / "report" / "lumi_vs_laptop_animated.html"));
  EXPECT_TRUE(fs::exists(dir.path() / "report" / "lumi_scaling_efficiency_animated.html"));
}

// The W&B export end to end, with a target: runs without counts stay apart, the fastest
// run (27.5%) is not in the headline, time to accuracy and the target line reach every output.
TEST(AnalyzeCli, WandbExportWithATargetAccuracy) {
  TempDir dir;
  const Result r = run({"--wandb-csv", LB_TEST_DATA_DIR "/wandb_vit_runs.csv", "--target-accuracy", "95%",
                        "--out", dir.file("out"), "--no-static-images", "--quiet"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  int unknown = 0;
  for (const auto& c : j["configurations"]) {
    if (c["placement_unknown"].get<bool>()) {
      ++unknown;
      EXPECT_EQ(c["runs"], 1);
      EXPECT_TRUE(c["vs_1_node"].is_null());
      EXPECT_TRUE(c["vs_1_gpu"].is_null());
    }
  }
  EXPECT_EQ(unknown, 3);
  EXPECT_EQ(j["quality"]["target_accuracy_pct"], 95.0);
  // The 2-node run trained the same task with the larger global batch scaling out gives, and met the
  // 95% target: the fastest that did.
  EXPECT_NE(j["fastest"]["label"].get<std::string>().find("2 nodes"), std::string::npos) << j["fastest"];
  EXPECT_EQ(j["fastest_to_target"]["label"], "LUMI 2 nodes (16 GPUs), W&B wandb_vit_runs (run vit-2node)");
  const std::string md = read_text(dir.file("out/summary.md"));
  EXPECT_NE(md.find("unknown configuration (run vit-nocount-b)"), std::string::npos);
  EXPECT_NE(md.find("Fastest to 95% validation accuracy"), std::string::npos);
  const std::string csv = read_text(dir.file("out/benchmark_data.csv"));
  EXPECT_NE(csv.find("time_to_target_s"), std::string::npos);
  if (!charts_built()) GTEST_SKIP() << "analyze built without the chart writers";
  const std::string html = read_text(dir.file("out/lumi_vs_laptop_accuracy_vs_time.html"));
  EXPECT_NE(html.find("target 95% (--target-accuracy)"), std::string::npos);
}
