// What recording costs (google/benchmark; bench/recorder.sh runs the full sizes, ctest a tiny one):
//   BM_FlushAfterEarlierRuns/<MB>  one flush of 100 steps while the results file already holds <MB>
//                                  of earlier runs: must not grow with <MB>
//   BM_FoldAfterEarlierRuns/<MB>   the end of a run (the fold, once per run): grows with <MB>
//   BM_QueueStep                   what the step loop pays per step (no I/O)
//   BM_SimulatedStep/<record>      a 10 ms step of busy work, with (1) and without (0) the
//                                  recorder's calls and its writer thread: the overhead
// Options besides google/benchmark's: --dir DIR (where the files go; default the temp folder).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "common/results_file.h"
#include "harness/record/recorder.h"

namespace {
namespace fs = std::filesystem;

std::string g_dir = fs::temp_directory_path().string();

lb::schema::StepRecord step_row(std::int64_t i, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0.1, 1.0);
  lb::schema::StepRecord r;
  r.step = i;
  r.samples = 32;
  r.data_wait_s = u(rng) * 1e-3;
  r.forward_s = u(rng);
  r.backward_s = 2 * u(rng);
  r.optimizer_s = u(rng) * 0.1;
  r.comm_exposed_s = u(rng) * 0.01;
  r.total_s = r.forward_s + r.backward_s;
  r.loss = float(u(rng));
  r.lr = 1e-3;
  return r;
}

// A results file holding about `mb` MB of earlier runs (random timings: they do not compress).
std::string file_with_earlier_runs(int mb) {
  static std::map<int, std::string> made;
  if (auto it = made.find(mb); it != made.end()) return it->second;
  const std::string path = g_dir + "/lb_bench_recorder_" + std::to_string(mb) + "mb_" + std::to_string(::getpid()) + ".h5";
  fs::remove(path);
  std::mt19937_64 rng(1);
  const std::int64_t rows_per_run = 200000;  // about 20 MB of steps per run
  std::int64_t written = 0;
  for (int run = 0; written < std::int64_t(mb) << 20; ++run) {
    lb::RunData r;
    r.run_id = "earlier-" + std::to_string(run);
    r.attrs.status = "completed";
    for (std::int64_t i = 0; i < rows_per_run; ++i) r.steps.push_back(step_row(i, rng));
    r.rank_step_time_s.resize(r.steps.size(), 1.0);
    lb::add_run_to_results_file(path, r);
    written = std::int64_t(fs::file_size(path));
  }
  if (mb == 0) {
    lb::RunData r;
    r.run_id = "earlier-0";
    lb::add_run_to_results_file(path, r);
  }
  made[mb] = path;
  return path;
}

void BM_FlushAfterEarlierRuns(benchmark::State& state) {
  const std::string path = file_with_earlier_runs(int(state.range(0)));
  state.counters["file_MB"] = double(fs::file_size(path)) / (1 << 20);
  std::mt19937_64 rng(2);
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto rec = std::make_unique<lb::Recorder>(path, "bench-" + std::to_string(run++), 1);
    rec->flush();
    for (int i = 0; i < 100; ++i) rec->add_step(step_row(i, rng), {1.0});
    state.ResumeTiming();
    rec->flush();  // 100 steps: append and fdatasync
    state.PauseTiming();
    const std::string journal = rec->journal_path();
    rec.reset();
    fs::remove(journal);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_FlushAfterEarlierRuns)->Arg(0)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_FoldAfterEarlierRuns(benchmark::State& state) {
  const std::string path = file_with_earlier_runs(int(state.range(0)));
  const std::string copy = path + ".fold";
  std::mt19937_64 rng(3);
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::copy_file(path, copy, fs::copy_options::overwrite_existing);
    lb::Recorder rec(copy, "bench-" + std::to_string(run++), 1);
    for (int i = 0; i < 1000; ++i) rec.add_step(step_row(i, rng), {1.0});
    rec.flush();
    state.ResumeTiming();
    rec.finish();  // once per run: copy, add the run, rename
  }
  fs::remove(copy);
  state.counters["file_MB"] = double(fs::file_size(path)) / (1 << 20);
}
BENCHMARK(BM_FoldAfterEarlierRuns)->Arg(0)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_QueueStep(benchmark::State& state) {
  const std::string path = g_dir + "/lb_bench_queue_" + std::to_string(::getpid()) + ".h5";
  lb::Recorder rec(path, "queue", 8);
  std::mt19937_64 rng(4);
  const auto row = step_row(0, rng);
  const std::vector<double> ranks(8, 1.0);
  std::int64_t i = 0;
  for (auto _ : state) {
    rec.add_step(row, ranks);
    if (++i % 100 == 0) rec.request_flush();
  }
  state.SetItemsProcessed(state.iterations());
  const std::string journal = rec.journal_path();
  rec.flush();
  fs::remove(journal);
}
BENCHMARK(BM_QueueStep);

// Busy work of a fixed size (about 10 ms here), as a training step's compute.
double busy(std::int64_t n) {
  double x = 0.5;
  for (std::int64_t i = 0; i < n; ++i) x = std::sqrt(x + 1.0 + 1e-9 * double(i));
  return x;
}

void BM_SimulatedStep(benchmark::State& state) {
  const bool record = state.range(0) != 0;
  const std::string path = g_dir + "/lb_bench_sim_" + std::to_string(::getpid()) + ".h5";
  std::unique_ptr<lb::Recorder> rec;
  if (record) rec = std::make_unique<lb::Recorder>(path, "sim", 1);
  std::mt19937_64 rng(5);
  double sink = 0;
  std::int64_t step = 0;
  auto last_flush = std::chrono::steady_clock::now();
  for (auto _ : state) {
    sink += busy(2'000'000);
    if (rec) {
      rec->add_step(step_row(step++, rng), {1.0});
      // A flush every 0.2 s: 50 times the default rate, to make the writer's share visible.
      if (std::chrono::steady_clock::now() - last_flush > std::chrono::milliseconds(200)) {
        rec->request_flush();
        last_flush = std::chrono::steady_clock::now();
      }
    }
  }
  benchmark::DoNotOptimize(sink);
  if (rec) {
    state.counters["writer_cpu_s"] = rec->writer_seconds();
    const std::string journal = rec->journal_path();
    rec->flush();
    rec.reset();
    fs::remove(journal);
  }
}
BENCHMARK(BM_SimulatedStep)->Arg(0)->Arg(1)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) {
      g_dir = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  int n = int(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& e : fs::directory_iterator(g_dir)) {
    const auto name = e.path().filename().string();
    if (name.rfind("lb_bench_", 0) == 0 && name.find("_" + std::to_string(::getpid())) != std::string::npos)
      fs::remove_all(e.path());
  }
  return 0;
}
