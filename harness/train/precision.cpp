#include "harness/train/precision.h"

#include <ATen/autocast_mode.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <stdexcept>

namespace lb {
namespace {

// The autocast switches were renamed in LibTorch 2.x (one function per device type).
bool autocast_enabled(bool cuda) {
#if TORCH_VERSION_MAJOR >= 2
  return at::autocast::is_autocast_enabled(cuda ? at::kCUDA : at::kCPU);
#else
  return cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}
void set_autocast(bool cuda, bool enabled, torch::ScalarType dtype) {
#if TORCH_VERSION_MAJOR >= 2
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
torch::ScalarType autocast_dtype(bool cuda) {
#if TORCH_VERSION_MAJOR >= 2
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
  previous_dtype_ = autocast_dtype(cuda_);
  set_autocast(cuda_, true, p == Precision::bf16 ? torch::kBFloat16 : torch::kHalf);
  at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
  if (!active_) return;
  // As torch.autocast's __exit__: the cast weights are dropped when the outermost scope ends.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(cuda_, was_enabled_, previous_dtype_);
}

LossScaler::LossScaler(bool enabled, double init_scale, double growth_factor, double backoff_factor, int growth_interval)
    : enabled_(enabled), scale_(enabled ? init_scale : 1.0), growth_(growth_factor), backoff_(backoff_factor),
      interval_(growth_interval) {}

torch::Tensor LossScaler::scale_loss(const torch::Tensor& loss) const { return enabled_ ? loss * scale_ : loss; }

bool LossScaler::unscale(const std::vector<torch::Tensor>& params) {
  if (!enabled_) return true;
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> grads;
  for (const auto& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return true;
  const double inv = 1.0 / scale_;
  torch::_foreach_mul_(grads, inv);
  // One reduction and one host read per step, as GradScaler's found_inf.item().
  std::vector<torch::Tensor> bad;
  bad.reserve(grads.size());
  for (const auto& g : grads) bad.push_back(g.isfinite().logical_not().any());
  return !torch::stack(bad).any().item<bool>();
}

void LossScaler::update(bool finite) {
  if (!enabled_) return;
  if (!finite) {
    scale_ *= backoff_;
    clean_steps_ = 0;
  } else if (++clean_steps_ >= interval_) {
    scale_ *= growth_;
    clean_steps_ = 0;
  }
}

}  // namespace lb
