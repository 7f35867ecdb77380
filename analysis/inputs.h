// Reads every input analyze was given; what cannot be read is reported by name and skipped.
#pragma once

#include <string>
#include <vector>

#include "analysis/comparison.h"

namespace lb::analysis {

struct InputSpec {
  std::vector<std::string> results;    // results files or directories (searched for *.h5, *.hdf5)
  std::vector<std::string> wandb_csv;  // W&B run-table exports
  std::vector<std::string> reference;  // reference tables (analysis/reference/*.csv format)
};

struct InputReport {
  std::string path;
  std::string kind;  // "results", "journal" (a run not yet folded into its results file), "wandb-csv", "reference"
  bool ok = false;
  size_t runs = 0;
  std::string message;  // the error when !ok, else empty
};

struct LoadedInputs {
  std::vector<RunAnalysis> runs;   // metrics computed, step records released
  std::vector<InputReport> reports;
  std::vector<std::string> messages;  // per-run and per-row problems inside readable inputs
};

LoadedInputs load_inputs(const InputSpec& spec);

// Results files under a directory, recursively, in name order.
std::vector<std::string> results_files_in(const std::string& directory);

}  // namespace lb::analysis
