#include "analysis/report/selection.h"

#include <cmath>

#include "common/format.h"

namespace lb::analysis {

Selection readable_selection(const Comparison& cmp, const std::vector<size_t>& candidates, size_t cap) {
  Selection s;
  if (candidates.size() <= cap) {
    s.shown = candidates;
    return s;
  }
  std::vector<bool> keep(candidates.size(), false);
  size_t kept = 0;
  for (const auto& named : {cmp.baseline, cmp.fastest, cmp.max_speedup, cmp.fastest_to_target}) {
    if (!named) continue;
    for (size_t k = 0; k < candidates.size(); ++k) {
      if (candidates[k] == *named && !keep[k] && kept < cap) {
        keep[k] = true;
        ++kept;
      }
    }
  }
  // The rest evenly over the order, so the range of times stays visible: positions
  // round(j (n - 1) / (m - 1)) of the candidates not yet kept.
  std::vector<size_t> rest;
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (!keep[k]) rest.push_back(k);
  }
  const size_t m = cap - kept;
  if (m == 1 && !rest.empty()) {
    keep[rest.front()] = true;
  } else if (m > 1) {
    for (size_t j = 0; j < m; ++j) {
      const double at = std::round(static_cast<double>(j) * static_cast<double>(rest.size() - 1) / static_cast<double>(m - 1));
      keep[rest[static_cast<size_t>(at)]] = true;
    }
  }
  for (size_t k = 0; k < candidates.size(); ++k) {
    if (keep[k]) s.shown.push_back(candidates[k]);
  }
  s.left_out = candidates.size() - s.shown.size();
  return s;
}

std::vector<bool> shown_mask(const Selection& s, size_t configs) {
  std::vector<bool> mask(configs, false);
  for (size_t i : s.shown) mask[i] = true;
  return mask;
}

std::string selection_note(const Selection& s, const std::string& what) {
  if (s.left_out == 0) return "";
  return std::to_string(s.shown.size()) + " of " + format_count(static_cast<double>(s.shown.size() + s.left_out)) + " " + what +
         " shown: the baseline and the headline's, and the rest sampled evenly from slowest to fastest; every one is in "
         "benchmark_data.csv and summary.json";
}

}  // namespace lb::analysis
