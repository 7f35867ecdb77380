// Round trip through a real results file: fixtures are read the way analyze reads them.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/input/results_reader.h"
#include "support/results_writer.h"
#include "support/run_builder.h"
#include "support/temp_dir.h"

namespace lb::testing {

inline std::vector<lb::analysis::RunRecord> round_trip(const std::vector<FixtureRun>& runs) {
  TempDir dir;
  write_results_file(dir.file("r.h5"), runs);
  auto result = lb::analysis::read_results_file(dir.file("r.h5"));
  if (!result.ok) throw std::runtime_error(result.error);
  return std::move(result.runs);
}

inline lb::analysis::RunRecord round_trip(const RunShape& shape) { return round_trip({build_run(shape)}).front(); }

}  // namespace lb::testing
