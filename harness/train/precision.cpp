#include "harness/train/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>

#include "harness/util/torch_version.h"

#include <stdexcept>

namespace lb {
namespace {

// The autocast switches were renamed in LibTorch 2.x (one function per device type).
bool autocast_enabled(bool cuda) {
#if LB_TORCH_AT_LEAST(2, 4)
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}
void set_autocast(bool cuda, bool enabled, torch::ScalarType dtype) {
#if LB_TORCH_AT_LEAST(2, 4)
  at::autocast::set_autocast_enabled(cuda ? at::kCUDA : at::kCPU, enabled);
  at::autocast::set_autocast_dtype(cuda ? at::kCUDA : at::kCPU, dtype);
#else
  if (cuda) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}
torch::ScalarType current_autocast_dtype(bool cuda) {
#if LB_TORCH_AT_LEAST(2, 4)
  return at::autocast::get_autocast_dtype(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

}  // namespace

Precision parse_precision(const std::string& text) {
  if (text == "fp32") return Precision::fp32;
  if (text == "bf16") return Precision::bf16;
  if (text == "fp16") return Precision::fp16;
  throw std::invalid_argument("--precision '" + text + "': expected fp32, bf16 or fp16");
}

torch::ScalarType autocast_dtype(Precision p) {
  return p == Precision::bf16 ? torch::kBFloat16 : p == Precision::fp16 ? torch::kHalf : torch::kFloat;
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::fp32: return "fp32";
    case Precision::bf16: return "bf16";
    case Precision::fp16: return "fp16";
  }
  return "?";
}

AutocastScope::AutocastScope(Precision p, const torch::Device& device) {
  if (p == Precision::fp32) return;
  active_ = true;
  cuda_ = device.is_cuda();
  was_enabled_ = autocast_enabled(cuda_);
  previous_dtype_ = current_autocast_dtype(cuda_);
  set_autocast(cuda_, true, p == Precision::bf16 ? torch::kBFloat16 : torch::kHalf);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // As torch.autocast's __exit__: the cast weights are dropped when the outermost scope ends.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, was_enabled_, previous_dtype_);
}

LossScaler::LossScaler(bool enabled, const torch::Device& device, double init_scale, double growth_factor,
                       double backoff_factor, int growth_interval)
    : enabled_(enabled), growth_(growth_factor), backoff_(backoff_factor), interval_(growth_interval) {
  const auto f = torch::TensorOptions().dtype(torch::kFloat).device(device);
  scale_ = torch::full({}, enabled ? init_scale : 1.0, f);
  if (!enabled) return;
  growth_tracker_ = torch::zeros({}, f.dtype(torch::kInt));
  found_inf_ = torch::zeros({}, f);
}

torch::Tensor LossScaler::scale_loss(const torch::Tensor& loss) const { return enabled_ ? loss * scale_ : loss; }

void LossScaler::unscale(const std::vector<torch::Tensor>& grads) {
  if (!enabled_) return;
  torch::NoGradGuard no_grad;
  found_inf_.zero_();
  if (grads.empty()) return;
  const auto inv = scale_.reciprocal();
#if LB_TORCH_AT_LEAST(2, 4)
  at::_amp_foreach_non_finite_check_and_unscale_(grads, found_inf_, inv);
#else
  // LibTorch 1.13 has the fused call for CUDA only; fp16 runs on GPUs only, so this serves the
  // CPU tests of the rules. The same result: divided by the scale, overflow flagged.
  for (const auto& g : grads) {
    g.mul_(inv);
    found_inf_.copy_(torch::max(found_inf_, g.isfinite().logical_not().any().to(torch::kFloat)));
  }
#endif
}

void LossScaler::update() {
  if (!enabled_) return;
  torch::NoGradGuard no_grad;
#if LB_TORCH_AT_LEAST(2, 4)
  at::_amp_update_scale_(scale_, growth_tracker_, found_inf_, growth_, backoff_, interval_);
#else
  const auto overflow = found_inf_.gt(0);
  const auto tracker = torch::where(overflow, torch::zeros_like(growth_tracker_), growth_tracker_ + 1);
  const auto grow = tracker.ge(interval_);
  scale_.copy_(torch::where(overflow, scale_ * backoff_, torch::where(grow, scale_ * growth_, scale_)));
  growth_tracker_.copy_(torch::where(grow, torch::zeros_like(tracker), tracker));
#endif
}

double LossScaler::scale_value() const { return scale_.item<double>(); }

}  // namespace lb
