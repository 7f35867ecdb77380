// Writes results files exactly as docs/hdf5-schema.md describes them (test fixtures and the
// benchmark's generated input). The harness has its own writer; this one only serves tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace lb::testing {

using AttrValue = std::variant<int64_t, double, std::string>;

struct StepRow {
  int64_t step = 0;
  int32_t epoch = 0;
  int32_t step_in_epoch = 0;
  int32_t samples = 0;
  uint8_t warmup = 0;
  double data_wait_s = 0, forward_s = 0, backward_s = 0, optimizer_s = 0, comm_exposed_s = 0;
  double total_s = 0;
  float loss = 0;
  double lr = 0;
};

struct EpochRow {
  int32_t epoch = 0;
  double train_time_s = 0, val_time_s = 0, epoch_time_s = 0;
  int64_t train_samples = 0, val_samples = 0;
  double train_loss = 0, train_acc = 0, val_loss = 0, val_top1 = 0, val_top5 = 0;
  double images_per_s = 0, end_wall_s = 0;
  double energy_j = std::nan("");  // schema 2; NaN: not measured
};

struct EvalRow {
  int64_t step = 0;
  int32_t epoch = 0;
  int64_t val_samples = 0;
  double val_loss = 0, val_top1 = 0, val_top5 = 0;
  double val_time_s = 0, end_wall_s = 0;
};

struct SweepRow {
  int64_t bytes = 0;
  double seconds = 0;
  int32_t repeats = 0;
  int32_t ranks = 0;
};

// One row of the `energy` table (schema 2); `counter` is a fixed-length 48-byte string.
struct EnergyRow {
  int32_t epoch = -1;  // -1: the whole run
  char counter[48] = {};
  double joules = 0;
  double seconds = 0;
  uint8_t integrated = 0;
};
EnergyRow energy_row(int32_t epoch, const std::string& counter, double joules, double seconds, bool integrated = false);

struct FixtureRun {
  std::string run_id;
  std::map<std::string, AttrValue> attrs;
  std::vector<StepRow> steps;
  std::vector<EpochRow> epochs;
  bool write_evaluations = true;  // false: a file from before the harness wrote 'evaluations'
  std::vector<EvalRow> evaluations;
  std::vector<std::vector<double>> rank_step_time_s;  // [steps][world_size]
  std::vector<SweepRow> allreduce_sweep;  // written as `allreduce_sweep` when not empty
  std::vector<EnergyRow> energy;          // written as `energy` when not empty
};

// Writes runs one at a time, so a generated file can be larger than memory.
class ResultsFileWriter {
 public:
  // Throws std::runtime_error naming the file on failure.
  explicit ResultsFileWriter(const std::string& path, int64_t schema_version = 2);
  ~ResultsFileWriter();
  ResultsFileWriter(const ResultsFileWriter&) = delete;
  ResultsFileWriter& operator=(const ResultsFileWriter&) = delete;
  void add(const FixtureRun& run);

 private:
  int64_t file_ = -1, runs_ = -1, step_type_ = -1, epoch_type_ = -1, eval_type_ = -1, sweep_type_ = -1;
  int64_t energy_type_ = -1;
};

// Version 2 (the default): the schema with validation scope, repetitions, adaptive stopping, the
// matrix-product rate and the allreduce sweep (every one of them optional for readers).
void write_results_file(const std::string& path, const std::vector<FixtureRun>& runs, int64_t schema_version = 2);

}  // namespace lb::testing
