// Mixed precision as PyTorch does it: autocast around the forward pass and the loss (weights,
// gradients and optimizer state stay float32), and for fp16 dynamic loss scaling with
// torch.amp.GradScaler's defaults and its fused calls.
#pragma once

#include <torch/types.h>

#include <string>
#include <vector>

namespace lb {

enum class Precision { fp32, bf16, fp16 };

// Throws std::invalid_argument naming --precision for anything else than fp32, bf16 or fp16.
Precision parse_precision(const std::string& text);
const char* to_string(Precision p);
// The dtype autocast computes in (float32 for fp32).
torch::ScalarType autocast_dtype(Precision p);

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

// GradScaler, kept on the device: the loss is multiplied by the scale before backward; unscale()
// divides the gradients back and flags any non-finite one in found_inf() (then the update is
// skipped, by the optimizer on the device); update() halves the scale after an overflow and doubles
// it after `growth_interval` clean steps. Nothing is read on the host in a step.
class LossScaler {
 public:
  explicit LossScaler(bool enabled, const torch::Device& device = torch::kCPU, double init_scale = 65536.0,
                      double growth_factor = 2.0, double backoff_factor = 0.5, int growth_interval = 2000);
  bool enabled() const { return enabled_; }
  // The scale, a float scalar on the device (1 when disabled).
  const torch::Tensor& scale() const { return scale_; }
  torch::Tensor scale_loss(const torch::Tensor& loss) const;
  // One fused call (LibTorch 2.4+): every gradient divided by the scale, found_inf() set to 1 if any
  // is non-finite. Nothing when disabled.
  void unscale(const std::vector<torch::Tensor>& grads);
  // 1 when the last unscale() met a non-finite gradient, else 0 (float scalar on the device);
  // undefined when disabled.
  const torch::Tensor& found_inf() const { return found_inf_; }
  void update();
  // The scale on the host (a device read: tests, and the recorder where it reads anyway).
  double scale_value() const;

 private:
  bool enabled_;
  double growth_, backoff_;
  int interval_;
  torch::Tensor scale_, growth_tracker_, found_inf_;
};

}  // namespace lb
