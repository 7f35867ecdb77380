#include "harness/train/gemm_probe.h"

#include <torch/torch.h>

#include <algorithm>

#include "harness/util/clock.h"

namespace lb {
namespace {
void wait_for(const torch::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize(d.index());  // setup only, never inside a step
}
}  // namespace

GemmRate measure_gemm_rate(const torch::Device& device, Precision precision, std::int64_t m, std::int64_t k,
                           std::int64_t n, double seconds) {
  GemmRate r;
  r.shape = std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n);
  if (seconds <= 0) return r;
  torch::NoGradGuard no_grad;
  const auto dtype = precision == Precision::bf16 ? torch::kBFloat16
                     : precision == Precision::fp16 ? torch::kHalf
                                                    : torch::kFloat;
  auto opts = torch::TensorOptions().device(device).dtype(dtype);
  auto x = torch::randn({m, k}, opts), w = torch::randn({n, k}, opts);
  const double flops = 2.0 * double(m) * double(k) * double(n);
  auto y = torch::linear(x, w);  // warm-up: library selection, allocation
  wait_for(device);
  const double t_end = now_s() + seconds;
  for (int rep = 0; rep < 3 || now_s() < t_end; ++rep) {
    const double t0 = now_s();
    y = torch::linear(x, w);
    wait_for(device);
    const double dt = now_s() - t0;
    if (dt > 0) r.flops_per_s = std::max(r.flops_per_s, flops / dt);
    if (rep > 1000) break;
  }
  return r;
}

}  // namespace lb
