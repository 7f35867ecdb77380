// Inputs that are not what they claim: files that are not regular files or are too large, names
// with terminal escape sequences, values no measurement can have, runs of unknown placement,
// multi-node runs whose gradients did not use the network plugin, and subset accuracy.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "analysis/analyze_app.h"
#include "analysis/input/input_file.h"
#include "analysis/report/chart_output.h"
#include "common/run_journal.h"
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

bool has_control(const std::string& text, bool newlines_allowed) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n' && newlines_allowed) continue;
    if (c < 0x20 || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
        static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      return true;
    }
  }
  return false;
}

const nlohmann::json* config_labelled(const nlohmann::json& j, const std::string& part) {
  for (const auto& c : j["configurations"]) {
    if (c["label"].get<std::string>().find(part) != std::string::npos) return &c;
  }
  return nullptr;
}

bool any_warning(const nlohmann::json& j, const std::string& part) {
  for (const auto& w : j["warnings"]) {
    if (w.get<std::string>().find(part) != std::string::npos) return true;
  }
  return false;
}

const std::string kHeader = "Name,State,Runtime,epochs,total_gpus,nodes,effective_batch_size,device_type,architecture,"
                            "val_accuracy\n";

}  // namespace

// FIFOs and devices are refused in one line each, before anything is opened (an open of a FIFO
// blocks until a writer comes; /dev/zero never ends), and so is a table over the size limit.
TEST(BadInputs, FifosDevicesAndOversizedFilesAreRefusedUnread) {
  TempDir dir;
  const std::string fifo_h5 = dir.file("runs.h5"), fifo_csv = dir.file("export.csv");
  ASSERT_EQ(::mkfifo(fifo_h5.c_str(), 0600), 0);
  ASSERT_EQ(::mkfifo(fifo_csv.c_str(), 0600), 0);
  // A journal beside a results file that is a FIFO too.
  fs::create_directories(lb::journal_dir(dir.file("other.h5")));
  const std::string fifo_journal = lb::journal_dir(dir.file("other.h5")) + "/run-1.jsonl";
  ASSERT_EQ(::mkfifo(fifo_journal.c_str(), 0600), 0);
  // A sparse file just over the table limit: nothing of it is read.
  const std::string big = dir.file("big.csv");
  { std::ofstream(big) << kHeader; }
  fs::resize_file(big, kMaxTableBytes + 1);

  const Result r = run({fifo_h5, dir.file("other.h5"), "--wandb-csv", fifo_csv, "--wandb-csv", "/dev/zero",
                        "--wandb-csv", big, "--out", dir.file("out"), "--quiet"});
  EXPECT_EQ(r.code, kExitNothingAnalysable) << r.err;
  EXPECT_NE(r.err.find(fifo_h5 + ": a FIFO, not a regular file; a results file must be a file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fifo_csv + ": a FIFO, not a regular file; a W&B export must be a file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/dev/zero: a character device, not a regular file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(fifo_journal + ": not a regular file"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(big + ": 256 MiB, more than the 256 MiB limit for a W&B export; not read"), std::string::npos)
      << r.err;
  // One line per refusal.
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) EXPECT_EQ(line.rfind("analyze: ", 0), 0u) << line;
}

// A run name with terminal escape sequences reaches neither the terminal nor summary.md nor the
// CSV as control characters; summary.json keeps it, escaped.
TEST(BadInputs, ControlCharactersNeverReachTheTerminalMarkdownOrCsv) {
  TempDir dir;
  const std::string name = "evil\x1b[2J\x1b]0;pwned\x07\xc2\x9b" "31mrun";
  const std::string csv = dir.write("export.csv", kHeader + "\"" + name + "\",finished,963,10,8,1,256,rocm,vit_b_16,0.98\n"
                                                            "ok-2n,finished,520,10,16,2,512,rocm,vit_b_16,0.97\n");
  const Result r = run({"--wandb-csv", csv, "--out", dir.file("out"), "--no-charts"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  EXPECT_NE(r.out.find("evil[2J]0;pwned31mrun"), std::string::npos) << "the name is shown, without its controls";
  EXPECT_FALSE(has_control(r.out, true));
  EXPECT_FALSE(has_control(r.err, true));
  const std::string md = read_text(dir.file("out/summary.md"));
  EXPECT_FALSE(has_control(md, true));
  EXPECT_GT(std::count(md.begin(), md.end(), '\n'), 20) << "its own line breaks stay: it is Markdown";
  EXPECT_FALSE(has_control(read_text(dir.file("out/benchmark_data.csv")), true));
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  bool kept = false;
  for (const auto& run : j["runs"]) kept = kept || run["run_id"] == name;
  EXPECT_TRUE(kept) << "summary.json keeps the name as it was, escaped";
  EXPECT_NE(read_text(dir.file("out/summary.json")).find("\\u001b"), std::string::npos);
}

// Values no run can have are dropped with a warning naming the run and the value, never used: an
// accuracy of 250% (which would otherwise set a 245% bar), a Runtime of 0 s or a subnormal one
// (a "0 ms" headline, "-nan%" efficiencies), a GPU run on 0 GPUs.
TEST(BadInputs, OutOfRangeValuesAreDroppedWithANamedWarning) {
  TempDir dir;
  const std::string csv = dir.write("export.csv", kHeader +
                                                      "base,finished,963,10,8,1,256,rocm,vit_b_16,98.1\n"
                                                      "two,finished,520,10,16,2,512,rocm,vit_b_16,95\n"
                                                      "huge-acc,finished,300,10,32,4,1024,rocm,vit_b_16,250\n"
                                                      "zero-time,finished,0,10,64,8,2048,rocm,vit_b_16,90\n"
                                                      "tiny-time,finished,1e-310,10,128,16,4096,rocm,vit_b_16,90\n"
                                                      "no-gpus,finished,400,10,0,3,768,rocm,vit_b_16,90\n");
  const Result r = run({"--wandb-csv", csv, "--out", dir.file("out"), "--no-charts", "--quiet"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  EXPECT_DOUBLE_EQ(j["accuracy"]["best"]["accuracy_pct"].get<double>(), 98.1) << "250% is no accuracy";
  for (const auto& c : j["configurations"]) {
    if (!c["quality"]["bar_pct"].is_null()) {
      EXPECT_LE(c["quality"]["bar_pct"].get<double>(), 100.0);
    }
    if (!c["time_s"].is_null()) {
      EXPECT_GT(c["time_s"]["value"].get<double>(), 1.0) << c["label"];
    }
  }
  EXPECT_TRUE(any_warning(j, "run huge-acc: validation accuracy = 250% is outside 0..100%; dropped"));
  EXPECT_TRUE(any_warning(j, "run zero-time: wall_time_s (Runtime) = 0 s is not a usable time"));
  EXPECT_TRUE(any_warning(j, "run tiny-time: wall_time_s (Runtime) = 1e-310 s is not a usable time"));
  EXPECT_TRUE(any_warning(j, "run no-gpus: GPUs of a GPU run = 0: a run needs at least one; treated as unknown"));
  const std::string md = read_text(dir.file("out/summary.md"));
  EXPECT_EQ(md.find("nan"), std::string::npos);
  EXPECT_EQ(md.find(" 0 ms"), std::string::npos);
}

// A subset run's own accuracy (W&B `subset_val_acc`) is read and shown as a subset figure; it never
// stands for a full run's accuracy (the quality bar and the best accuracy ignore it).
TEST(BadInputs, ASubsetAccuracyIsReadAndMarkedAsOne) {
  TempDir dir;
  const std::string csv = dir.write(
      "laptop.csv",
      "Name,State,Runtime,epochs,device_type,architecture,subset_percentage,extrapolated_total_time_hr,"
      "subset_val_acc,pytorch_threads,cpu_model,train_split_samples,val_split_samples\n"
      "lap,finished,2700,3,cpu,vit_b_16,1,75.8,0.96,8,Intel Core i7-1185G7,80000,20000\n");
  const std::string lumi = dir.write("lumi.csv",
                                     "Name,State,Runtime,epochs,total_gpus,nodes,device_type,architecture,val_accuracy,"
                                     "train_split_samples,val_split_samples\n"
                                     "n1,finished,963,3,8,1,rocm,vit_b_16,0.981,80000,20000\n");
  const Result r = run({"--wandb-csv", csv, "--wandb-csv", lumi, "--out", dir.file("out"), "--no-charts", "--quiet"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  const auto* laptop = config_labelled(j, "Laptop");
  ASSERT_TRUE(laptop);
  EXPECT_DOUBLE_EQ((*laptop)["subset_accuracy_pct"].get<double>(), 96.0);
  EXPECT_TRUE((*laptop)["accuracy_reached_pct"].is_null()) << "a subset figure is not a full run's";
  EXPECT_NE((*laptop)["quality"]["reason"].get<std::string>().find("96.0% on their own subset: a subset figure"),
            std::string::npos);
  for (const auto& run : j["runs"]) {
    if (run["run_id"] == "lap") {
      EXPECT_EQ(run["accuracy_scope"], "subset");
    }
  }
  EXPECT_NE(read_text(dir.file("out/summary.md")).find("not recorded (96.0% on its subset)"), std::string::npos);
}

// A configuration that does not state its device ran at neither site as far as analyze can tell:
// no grid intensity, no CO2e, and neither billed nor "own machine".
TEST(BadInputs, UnknownPlacementIsNeitherBilledNorCountedAsALaptop) {
  TempDir dir;
  const std::string csv = dir.write("export.csv",
                                    "Name,State,Runtime,epochs,architecture,val_accuracy\n"
                                    "where,finished,500,10,vit_b_16,0.9\n");
  const Result r = run({"--wandb-csv", csv, "--out", dir.file("out"), "--no-charts", "--quiet"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  const auto* c = config_labelled(j, "unknown configuration");
  ASSERT_TRUE(c);
  EXPECT_TRUE((*c)["co2e_g"].is_null());
  EXPECT_NE((*c)["cost"]["reason"].get<std::string>().find("placement unknown"), std::string::npos);
  const std::string md = read_text(dir.file("out/summary.md"));
  EXPECT_EQ(md.find("(laptop)"), std::string::npos) << md;
  EXPECT_EQ(md.find("own machine"), std::string::npos);
  EXPECT_NE(md.find("unknown (placement not stated)"), std::string::npos);
}

// A run on several nodes whose gradients crossed nodes over TCP (not the network plugin) is named
// among the warnings and marked on its row of summary.md and benchmark_data.csv; one that used
// the plugin, and a one-node run, are not.
TEST(BadInputs, MultiNodeRunsWithoutTheNetworkPluginAreMarked) {
  TempDir dir;
  FixtureRun socket = build_run(lumi_shape("lumi-socket", 2, 0.0002));
  socket.attrs["comm_inter_node"] = std::string("socket");
  socket.attrs["comm_intra_node"] = std::string("P2P/IPC");
  FixtureRun plugin = build_run(lumi_shape("lumi-plugin", 4, 0.0001));
  plugin.attrs["comm_inter_node"] = std::string("plugin: AWS Libfabric");
  FixtureRun one = build_run(lumi_shape("lumi-one", 1, 0.0004));
  one.attrs["comm_inter_node"] = std::string("none");
  write_results_file(dir.file("lumi.h5"), {socket, plugin, one});
  const Result r = run({dir.file("lumi.h5"), "--out", dir.file("out"), "--no-charts", "--quiet"});
  ASSERT_EQ(r.code, kExitOk) << r.err;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  const std::string expected = "inter-node transport: gradients crossed nodes over TCP sockets: RCCL's network plugin was not used";
  EXPECT_TRUE(any_warning(j, "run lumi-socket: " + expected));
  EXPECT_FALSE(any_warning(j, "run lumi-plugin: inter-node"));
  EXPECT_FALSE(any_warning(j, "run lumi-one: inter-node"));
  for (const auto& run : j["runs"]) {
    if (run["run_id"] == "lumi-socket") {
      EXPECT_EQ(run["comm_inter_node"], "socket");
      EXPECT_NE(run["inter_node_warning"].get<std::string>().find(expected), std::string::npos);
    } else {
      EXPECT_TRUE(run["inter_node_warning"].is_null()) << run["run_id"];
    }
  }
  // The row itself carries the mark: summary.md's configuration table and the CSV's row.
  const std::string md = read_text(dir.file("out/summary.md"));
  bool marked_row = false;
  std::istringstream lines(md);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("| ", 0) == 0 && line.find("2 nodes (16 GPUs)") != std::string::npos &&
        line.find("TCP sockets: RCCL's network plugin was not used") != std::string::npos) {
      marked_row = true;
    }
  }
  EXPECT_TRUE(marked_row) << md;
  const std::string csv = read_text(dir.file("out/benchmark_data.csv"));
  std::istringstream rows(csv);
  for (std::string line; std::getline(rows, line);) {
    if (line.rfind("lumi-socket,", 0) == 0) {
      EXPECT_NE(line.find(expected), std::string::npos) << line;
    }
    if (line.rfind("lumi-plugin,", 0) == 0) {
      EXPECT_EQ(line.find("inter-node transport"), std::string::npos) << line;
    }
  }
}

// A chart tool that crashes costs its charts only: analyze exits 0, leaves no empty image, and
// names each chart not drawn, with why, among the summary's warnings.
TEST(BadInputs, ACrashingChartToolIsNamedInTheSummaryAndLeavesNoEmptyImage) {
  if (!charts_built()) GTEST_SKIP() << "analyze is built without the chart writers";
  TempDir dir;
  const std::string bin = dir.file("bin");
  fs::create_directories(bin);
  dir.write("bin/gnuplot", "#!/bin/sh\nstem=$(basename \"$1\" .gp)\n: > \"$stem.png\"\nkill -SEGV $$\n");
  fs::permissions(bin + "/gnuplot", fs::perms::owner_all);
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path ? old_path : "";
  ::setenv("PATH", (bin + ":" + saved).c_str(), 1);
  const std::string csv = dir.write("export.csv", kHeader + "one,finished,963,10,8,1,256,rocm,vit_b_16,0.98\n");
  const Result r = run({"--wandb-csv", csv, "--out", dir.file("out"), "--quiet"});
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_EQ(r.code, kExitOk) << r.err;
  for (const auto& entry : fs::directory_iterator(dir.file("out"))) {
    EXPECT_NE(entry.path().extension(), ".png") << entry.path() << " left behind";
  }
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  EXPECT_TRUE(any_warning(j, "charts: lumi_energy_cost.png/.pdf not drawn: gnuplot failed (killed by signal 11"));
  EXPECT_NE(read_text(dir.file("out/summary.md")).find("lumi_vs_laptop_comparison.png/.pdf not drawn"), std::string::npos);
}
