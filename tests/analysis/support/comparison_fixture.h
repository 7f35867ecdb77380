// Shapes of typical runs and a shortcut from shapes (and imported tables) to a Comparison.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "analysis/compare/comparison.h"
#include "analysis/input/table_import.h"
#include "analysis/report/reports.h"
#include "support/fixture_io.h"

namespace lb::testing {

// A laptop subset run: 8 threads, batch 32, 3 epochs, `fraction` of the split.
inline RunShape laptop_shape(const std::string& id, int64_t threads, double fraction, double per_sample_s) {
  RunShape s;
  s.run_id = id;
  s.threads = threads;
  s.subset_fraction = fraction;
  s.per_sample_s = per_sample_s;
  s.val_per_sample_s = per_sample_s / 3;
  return s;
}

// A full-split LUMI run: `nodes` nodes of 8 GPUs, 32 per GPU, 3 epochs.
inline RunShape lumi_shape(const std::string& id, int64_t nodes, double per_sample_s) {
  RunShape s;
  s.run_id = id;
  s.device = "rocm";
  s.nodes = nodes;
  s.world_size = 8 * nodes;
  s.gpus = 8 * nodes;
  s.threads = 7;
  s.per_sample_s = per_sample_s;
  s.val_per_sample_s = per_sample_s / 3;
  s.startup_s = 20;
  s.warmup_extra_s = 0.0;
  s.overhead_s = 1.0;
  s.teardown_s = 0;
  return s;
}

// A laptop subset run cut to 3 steps of which 1 warm-up, with noisy step times: 2 steady steps,
// so the t interval of its job time (1 df) reaches below zero.
inline RunShape few_steps_shape(const std::string& id = "few-1") {
  RunShape s;
  s.run_id = id;
  s.subset_fraction = 96.0 / 80000;  // 96 train samples: 3 steps of 32
  s.epochs = 1;
  s.warmup_steps = 1;
  s.noise = 0.5;
  return s;
}

inline std::vector<lb::analysis::RunAnalysis> analyse(const std::vector<RunShape>& shapes,
                                                      const std::string& imported_csv = "") {
  std::vector<FixtureRun> fixtures;
  for (const auto& s : shapes) fixtures.push_back(build_run(s));
  std::vector<lb::analysis::RunAnalysis> out;
  if (!fixtures.empty()) {
    for (auto& r : round_trip(fixtures)) out.push_back(lb::analysis::analyse_run(std::move(r)));
  }
  if (!imported_csv.empty()) {
    auto t = lb::analysis::import_run_table_text(imported_csv, "ref.csv", lb::analysis::TableKind::Reference);
    if (!t.ok) throw std::runtime_error(t.error);
    for (auto& r : t.runs) out.push_back(lb::analysis::analyse_run(std::move(r)));
  }
  return out;
}

inline const lb::analysis::ConfigResult* config_labelled(const lb::analysis::Comparison& c, const std::string& label) {
  for (const auto& k : c.configs) {
    if (k.label == label) return &k;
  }
  return nullptr;
}

inline bool contains_text(const std::vector<std::string>& list, const std::string& text) {
  for (const auto& s : list) {
    if (s.find(text) != std::string::npos) return true;
  }
  return false;
}

// summary.json and benchmark_data.csv of a comparison, as analyze writes them.
inline std::string summary_json_text(const lb::analysis::Comparison& c) {
  std::ostringstream out;
  lb::analysis::write_summary_json(c, {}, "test", out);
  return out.str();
}

inline std::string benchmark_csv_text(const lb::analysis::Comparison& c) {
  std::ostringstream out;
  lb::analysis::write_benchmark_csv(c, out);
  return out.str();
}

}  // namespace lb::testing
