// Reads every input analyze was given and computes each run's own figures as it goes (so that
// step records are released run by run); what cannot be read is reported by name and skipped.
#pragma once

#include <string>
#include <vector>

#include "analysis/compare/comparison.h"

namespace lb::analysis {

struct InputSpec {
  std::vector<std::string> results;    // results files or directories (searched for *.h5, *.hdf5)
  std::vector<std::string> wandb_csv;  // W&B run-table exports
  std::vector<std::string> reference;  // reference tables (analysis/reference/*.csv format)
};

struct LoadedInputs {
  std::vector<RunAnalysis> runs;   // metrics computed, step records released
  std::vector<InputReport> reports;
  std::vector<std::string> messages;  // per-run and per-row problems inside readable inputs
};

LoadedInputs load_inputs(const InputSpec& spec);

}  // namespace lb::analysis
