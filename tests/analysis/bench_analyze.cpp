// BM_AnalyzeResultsFile/<runs>/<steps per run>: what analyze does with one results file (read,
// per-run metrics, the comparison, the three report files), timed on a file generated once
// before timing starts. The requirement: 1,000 runs x 10,000 steps in under 3 s; run
//   bench_analyze --benchmark_filter=BM_AnalyzeResultsFile/1000/10000
// The generated files live in the temporary directory and are deleted at exit.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>

#include "analysis/compare/comparison.h"
#include "analysis/inputs.h"
#include "analysis/report/reports.h"
#include "support/results_writer.h"
#include "support/run_builder.h"

namespace fs = std::filesystem;
using namespace lb::analysis;
using namespace lb::testing;

namespace {

const fs::path& work_dir() {
  static const fs::path dir = fs::temp_directory_path() / ("lb_bench_analyze_" + std::to_string(::getpid()));
  return dir;
}

std::string generated_file(int runs, int steps) {
  static std::map<std::pair<int, int>, std::string> files;
  auto it = files.find({runs, steps});
  if (it != files.end()) return it->second;
  fs::create_directories(work_dir());
  const std::string path = (work_dir() / ("results_" + std::to_string(runs) + "x" + std::to_string(steps) + ".h5")).string();
  const auto start = std::chrono::steady_clock::now();
  {
    ResultsFileWriter writer(path);
    for (int i = 0; i < runs; ++i) writer.add(build_run(campaign_run_shape(i, steps)));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "generated %s (%.0f MB) in %.1f s\n", path.c_str(),
               static_cast<double>(fs::file_size(path)) / 1e6, seconds);
  files[{runs, steps}] = path;
  return path;
}

void BM_AnalyzeResultsFile(benchmark::State& state) {
  const int runs = static_cast<int>(state.range(0));
  const int steps = static_cast<int>(state.range(1));
  const std::string path = generated_file(runs, steps);
  const fs::path out = work_dir() / "report";
  fs::create_directories(out);
  size_t configurations = 0;
  for (auto _ : state) {
    LoadedInputs inputs = load_inputs({{path}, {}, {}});
    const Comparison c = build_comparison(std::move(inputs.runs), {});
    std::ofstream csv(out / "benchmark_data.csv"), json(out / "summary.json");
    write_benchmark_csv(c, csv);
    write_summary_json(c, inputs.reports, "bench", json);
    std::ofstream(out / "summary.md") << summary_markdown(c, inputs.reports);
    configurations = c.configs.size();
    if (c.runs.size() != static_cast<size_t>(runs)) state.SkipWithError("not every run was read");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(runs) * steps);
  state.counters["runs"] = runs;
  state.counters["configurations"] = static_cast<double>(configurations);
}
BENCHMARK(BM_AnalyzeResultsFile)
    ->Args({20, 1000})
    ->Args({1000, 10000})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::error_code ec;
  fs::remove_all(work_dir(), ec);
  return 0;
}
