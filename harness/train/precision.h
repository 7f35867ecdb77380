// Mixed precision as PyTorch does it: autocast around the forward pass and the loss (weights,
// gradients and optimizer state stay float32), and for fp16 dynamic loss scaling with
// torch.cuda.amp.GradScaler's defaults.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace lb {

enum class Precision { fp32, bf16, fp16 };

// Throws std::invalid_argument naming --precision for anything else than fp32, bf16 or fp16.
Precision parse_precision(const std::string& text);
const char* to_string(Precision p);

// torch.autocast(device_type, dtype) for the scope's lifetime; nothing for fp32.
class AutocastScope {
 public:
  AutocastScope(Precision p, const torch::Device& device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool active_ = false, cuda_ = false, was_enabled_ = false;
  torch::ScalarType previous_dtype_ = torch::kFloat;
};

// GradScaler: the loss is multiplied by `scale()` before backward; unscale() divides the gradients
// back and says whether any is non-finite (then the step is skipped); update() halves the scale
// after an overflow and doubles it after `growth_interval` clean steps.
class LossScaler {
 public:
  explicit LossScaler(bool enabled, double init_scale = 65536.0, double growth_factor = 2.0,
                      double backoff_factor = 0.5, int growth_interval = 2000);
  bool enabled() const { return enabled_; }
  double scale() const { return scale_; }
  torch::Tensor scale_loss(const torch::Tensor& loss) const;
  // Returns true when every gradient is finite (after dividing by the scale).
  bool unscale(const std::vector<torch::Tensor>& params);
  void update(bool finite);

 private:
  bool enabled_;
  double scale_, growth_, backoff_;
  int interval_, clean_steps_ = 0;
};

}  // namespace lb
