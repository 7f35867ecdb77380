// Writes results files exactly as docs/hdf5-schema.md describes them (test fixtures and the
// benchmark's generated input). The harness has its own writer; this one only serves tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "common/results_schema.h"

namespace lb::testing {

using AttrValue = std::variant<int64_t, double, std::string>;

// The rows are the schema's own (common/results_schema.h): a field added there is written here.
using StepRow = lb::schema::StepRecord;
using EvalRow = lb::schema::EvaluationRecord;
using SweepRow = lb::schema::AllreduceSweepRecord;
using EnergyRow = lb::schema::EnergyRecord;
// An epoch as a harness that could read no energy counter records it: energy_j NaN, not zero.
struct EpochRow : lb::schema::EpochRecord {
  EpochRow() { energy_j = std::nan(""); }
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
  int64_t file_ = -1, runs_ = -1;
};

// Version 2 (the default): the schema with validation scope, repetitions, adaptive stopping, the
// matrix-product rate and the allreduce sweep (every one of them optional for readers).
void write_results_file(const std::string& path, const std::vector<FixtureRun>& runs, int64_t schema_version = 2);

}  // namespace lb::testing
