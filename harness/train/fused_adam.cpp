// Adam/AdamW on CPU in one pass: each element of param, grad, exp_avg and exp_avg_sq is read once
// and param, exp_avg, exp_avg_sq written once (28 bytes per element), where torch.optim's
// per-parameter Adam makes about ten passes (about 80 bytes). The update is memory-bound, so this
// is what the laptop's optimizer time is made of. The arithmetic is torch.optim.Adam's (same
// formula and order); results differ from it only by rounding (checked in test_vit_parity.cpp).
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <cmath>
#include <stdexcept>

#include "harness/train/optimizer.h"

namespace lb {
namespace {

// Compiled for the best vector unit the CPU has (AVX-512, AVX2, baseline), chosen at load time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void adam_kernel(
    float* __restrict p, const float* __restrict g, float* __restrict m, float* __restrict v, std::int64_t n,
    float b1, float one_minus_b1, float b2, float one_minus_b2, float step_size, float inv_bc2_sqrt, float eps,
    float l2, float decay) {
  for (std::int64_t i = 0; i < n; ++i) {
    float grad = g[i];
    float param = p[i];
    if (l2 != 0.0f) grad = grad + l2 * param;   // Adam: weight decay through the gradient
    param = param * decay;                      // AdamW: decoupled (decay = 1 - lr * wd, else 1)
    const float mi = m[i] * b1 + one_minus_b1 * grad;
    const float vi = v[i] * b2 + one_minus_b2 * grad * grad;
    const float denom = std::sqrt(vi) * inv_bc2_sqrt + eps;
    m[i] = mi;
    v[i] = vi;
    p[i] = param - step_size * (mi / denom);
  }
}

}  // namespace

void fused_adam_cpu(torch::Tensor& param, const torch::Tensor& grad, torch::Tensor& exp_avg, torch::Tensor& exp_avg_sq,
                    const AdamStep& s) {
  for (const torch::Tensor* t : {static_cast<const torch::Tensor*>(&param), &grad,
                                  static_cast<const torch::Tensor*>(&exp_avg), static_cast<const torch::Tensor*>(&exp_avg_sq)}) {
    if (!t->device().is_cpu() || t->scalar_type() != torch::kFloat || !t->is_contiguous())
      throw std::invalid_argument("fused Adam needs contiguous float32 CPU tensors");
  }
  const double bc1 = 1.0 - std::pow(s.beta1, double(s.step));
  const double bc2 = 1.0 - std::pow(s.beta2, double(s.step));
  const float step_size = float(s.lr / bc1);
  const float inv_bc2_sqrt = float(1.0 / std::sqrt(bc2));
  const float l2 = s.decoupled ? 0.0f : float(s.weight_decay);
  const float decay = s.decoupled ? float(1.0 - s.lr * s.weight_decay) : 1.0f;
  float* p = param.data_ptr<float>();
  const float* g = grad.data_ptr<float>();
  float* m = exp_avg.data_ptr<float>();
  float* v = exp_avg_sq.data_ptr<float>();
  // Grain: large enough that small tensors (biases, norms) stay on one thread.
  at::parallel_for(0, param.numel(), 1 << 16, [&](std::int64_t begin, std::int64_t end) {
    adam_kernel(p + begin, g + begin, m + begin, v + begin, end - begin, float(s.beta1), float(1.0 - s.beta1),
                float(s.beta2), float(1.0 - s.beta2), step_size, inv_bc2_sqrt, float(s.eps), l2, decay);
  });
}

}  // namespace lb
