// The three report files analyze writes; each function returns the file's text, or streams it
// (the two that grow with the number of runs: a comparison of 100,000 runs writes hundreds of MB).
// Column and field lists: docs/analyze.md, "Outputs".
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analysis/compare/comparison.h"
#include "analysis/input/run_record.h"
#include "common/format.h"

namespace lb::analysis {

// benchmark_data.csv: one row per run (measured or imported).
void write_benchmark_csv(const Comparison& cmp, std::ostream& out);
// summary.json: the comparison for machines.
void write_summary_json(const Comparison& cmp, const std::vector<InputReport>& inputs, const std::string& version,
                        std::ostream& out);
// summary.md: the comparison for people; also printed on the terminal.
std::string summary_markdown(const Comparison& cmp, const std::vector<InputReport>& inputs);

}  // namespace lb::analysis
