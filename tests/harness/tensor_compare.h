// Golden-file comparison of tensors, as llm.c checks its tensors against PyTorch: the error of a
// tensor is max|actual - expected| / max|expected| (infinity-norm relative error), so entries that
// happen to be near zero do not dominate; the report names the first mismatching tensors.
#pragma once

#include <torch/torch.h>

#include <cmath>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace lb::test {

inline double relative_error(const torch::Tensor& actual, const torch::Tensor& expected) {
  auto a = actual.detach().to(torch::kDouble), e = expected.detach().to(torch::kDouble);
  const double scale = e.abs().max().item<double>();
  const double diff = (a - e).abs().max().item<double>();
  return scale > 0 ? diff / scale : diff;
}

// Whether error `e` replaces `worst` as the largest so far, a NaN (a NaN in either tensor:
// relative_error returns one) replacing any number and never replaced: std::max and `e > worst`
// both drop a NaN, and a test bounding the maximum would pass.
inline bool worse(double e, double worst) { return std::isnan(e) || (!std::isnan(worst) && e > worst); }

struct CompareReport {
  double max_error = 0;
  std::string worst;
  std::vector<std::string> failures;  // "key: error"
  std::string summary(size_t listed = 5) const {
    std::ostringstream os;
    os << failures.size() << " tensors above tolerance; max error " << max_error << " in " << worst;
    for (size_t i = 0; i < std::min(listed, failures.size()); ++i) os << "\n  " << failures[i];
    return os.str();
  }
};

inline CompareReport compare_named(const std::vector<std::pair<std::string, torch::Tensor>>& actual,
                                   const std::vector<std::pair<std::string, torch::Tensor>>& expected,
                                   double tolerance) {
  CompareReport r;
  for (const auto& [key, e] : expected) {
    auto it = std::find_if(actual.begin(), actual.end(), [&](const auto& kv) { return kv.first == key; });
    if (it == actual.end()) {
      r.failures.push_back(key + ": missing");
      continue;
    }
    if (it->second.sizes() != e.sizes()) {
      r.failures.push_back(key + ": shape differs");
      continue;
    }
    const double err = relative_error(it->second, e);
    if (worse(err, r.max_error) || r.worst.empty()) r.max_error = err, r.worst = key;
    if (!(err <= tolerance)) r.failures.push_back(key + ": " + std::to_string(err));
  }
  return r;
}

}  // namespace lb::test
