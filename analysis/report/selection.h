// Which configurations a table or a chart lists when there are more than a reader can take in
// (a W&B export of 100,000 runs that state no split sizes is 100,000 configurations). The data
// files (benchmark_data.csv, summary.json) always hold every one; summary.md and the charts list
// a sample and say so.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "analysis/compare/comparison.h"

namespace lb::analysis {

struct Selection {
  std::vector<size_t> shown;  // configuration indices, in the order of the candidates
  size_t left_out = 0;        // candidates not shown
};

// Every candidate when there are at most `cap`; else the ones the headline names (the baseline,
// the fastest, the maximum speedup, the fastest to the target) and the rest spread evenly over
// the candidates' order (slowest to fastest in display order), `cap` in all.
Selection readable_selection(const Comparison& cmp, const std::vector<size_t>& candidates, size_t cap);

// By configuration index (of `configs` in all): whether the selection shows it.
std::vector<bool> shown_mask(const Selection& s, size_t configs);

// "12 of 4,211 configurations shown: ...; all in benchmark_data.csv and summary.json"; empty
// when nothing was left out.
std::string selection_note(const Selection& s, const std::string& what);

}  // namespace lb::analysis
