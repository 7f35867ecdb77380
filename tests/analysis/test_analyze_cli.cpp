// The analyze program end to end (in-process): inputs, exit codes, messages, output files.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/analyze_app.h"
#include "analysis/chart_output.h"
#include "analysis/output_dir.h"
#include "analysis/results_reader.h"
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
  EXPECT_NE(r.err.find("skipped " + dir.file("future.h5") + ": schema_version 2 is newer"), std::string::npos);
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
  EXPECT_NE(r.err.find("schema_version 2 is newer than this analyze understands (1)"), std::string::npos);
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

TEST(AnalyzeCli, FailedImportedRunsEnterSpeedupsOnlyWhenAskedTo) {
  TempDir dir;
  const std::string csv = dir.write("export.csv",
                                    "Name,State,Runtime,epochs,total_gpus,nodes,device_type,architecture\n"
                                    "ok,finished,963,3,8,1,cuda,vit_b_16\n"
                                    "bad,failed,100,3,16,2,cuda,vit_b_16\n");
  auto speedup_of = [&](const std::string& out, const std::string& label) {
    const auto j = nlohmann::json::parse(read_text(dir.file(out + "/summary.json")));
    for (const auto& c : j["configurations"]) {
      if (c["label"] == label) return c["speedup"];
    }
    return nlohmann::json("missing");
  };
  ASSERT_EQ(run({good_file(dir), "--wandb-csv", csv, "--out", dir.file("a"), "--no-charts", "--quiet"}).code, kExitOk);
  EXPECT_TRUE(speedup_of("a", "LUMI 2 nodes (16 GPUs), W&B export").is_null());
  EXPECT_TRUE(speedup_of("a", "LUMI 1 node (8 GPUs), W&B export").is_object());
  ASSERT_EQ(run({good_file(dir), "--wandb-csv", csv, "--out", dir.file("b"), "--no-charts", "--quiet",
                 "--include-incomplete"}).code,
            kExitOk);
  EXPECT_TRUE(speedup_of("b", "LUMI 2 nodes (16 GPUs), W&B export").is_object());
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
  EXPECT_NEAR(j["max_speedup"]["speedup"]["value"].get<double>(), 75.83 * 3600 * 10 / 3 / 298, 1e-6);
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
  EXPECT_NE(md.find("| baseline | Laptop 8 threads (C1) | extrapolated | yes |"), std::string::npos) << md;
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
