// analyze's command line (docs/analyze.md lists every option).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/compare/comparison.h"
#include "analysis/inputs.h"
#include "analysis/watch/watch_options.h"

namespace lb::analysis {

struct CliOptions {
  InputSpec inputs;
  std::optional<std::string> out;
  ComparisonOptions comparison;
  bool charts = true;
  bool static_images = true;
  bool quiet = false;
  bool help = false;
  bool version = false;
  // --fold-journals: fold the journals of runs whose writers are gone into these results files,
  // then exit (no analysis).
  std::vector<std::string> fold_journals;
  // --watch FILE [--port N] [--bind ADDR]: serve the live page of FILE's runs (no analysis).
  std::optional<watch::WatchOptions> watch;
};

// Throws UsageError with a one-line message naming the option and what was expected.
CliOptions parse_command_line(int argc, const char* const argv[]);
std::string usage_text();

}  // namespace lb::analysis
