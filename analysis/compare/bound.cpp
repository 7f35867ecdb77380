#include "analysis/compare/bound.h"

#include <algorithm>

namespace lb::analysis {

std::string bound_label(double data_wait_fraction, double comm_fraction) {
  if (data_wait_fraction >= kBoundThreshold && data_wait_fraction >= comm_fraction) return "data-bound";
  if (comm_fraction >= kBoundThreshold) return "communication-bound";
  return "compute-bound";
}

std::string run_bound_label(const RunMetrics& m) {
  if (!m.data_wait_fraction || !m.comm_exposed_fraction) return "";
  return bound_label(*m.data_wait_fraction, *m.comm_exposed_fraction);
}

std::optional<BoundSummary> summarize_bound(const ConfigResult& c, const std::vector<RunAnalysis>& runs) {
  double step = 0, wait = 0, comm = 0, compute = 0;
  bool compute_recorded = true;
  std::vector<double> model_rates, gemm_rates;
  size_t n = 0;
  for (size_t r : c.runs) {
    const RunAnalysis& a = runs[r];
    if (!a.in_comparison || a.run.is_imported() || !(a.metrics.steady_step_sum_s > 0)) continue;
    ++n;
    step += a.metrics.steady_step_sum_s;
    wait += a.metrics.steady_data_wait_sum_s;
    comm += a.metrics.steady_comm_sum_s;
    compute_recorded = compute_recorded && a.metrics.steady_compute_sum_s.has_value();
    compute += a.metrics.steady_compute_sum_s.value_or(0);  // used only when every run recorded it
    if (a.metrics.model_flops_per_s) model_rates.push_back(*a.metrics.model_flops_per_s);
    if (a.run.gemm_flops_per_s) gemm_rates.push_back(*a.run.gemm_flops_per_s);
  }
  if (n == 0) return std::nullopt;
  BoundSummary b;
  b.runs = n;
  b.data_wait = wait / step;
  b.comm = comm / step;
  b.compute_recorded = compute_recorded;
  // Without the forward/backward/optimizer breakdown, compute is what is neither wait nor
  // communication (and there is no "other").
  b.compute = compute_recorded ? compute / step : std::max(0.0, 1.0 - b.data_wait - b.comm);
  b.other = std::max(0.0, 1.0 - b.data_wait - b.comm - b.compute);
  b.label = bound_label(b.data_wait, b.comm);
  // Rates: harmonic means over the runs (each rate is work over time for the same work).
  if (model_rates.size() == n) b.model_flops_per_s = harmonic_mean(model_rates);
  if (!gemm_rates.empty()) b.gemm_flops_per_s = harmonic_mean(gemm_rates);
  if (b.model_flops_per_s && b.gemm_flops_per_s && *b.gemm_flops_per_s > 0) {
    b.model_flops_utilisation = *b.model_flops_per_s / *b.gemm_flops_per_s;
  }
  return b;
}

void assess_bounds(Comparison& cmp) {
  for (auto& c : cmp.configs) c.bound = summarize_bound(c, cmp.runs);
}

}  // namespace lb::analysis
