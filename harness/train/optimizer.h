// The optimizers the harness offers. `torch` runs torch::optim's per-parameter update, built the
// way torch.optim builds it; `fused` runs Adam/AdamW in one pass over each parameter's elements
// (train/fused_adam.cpp on CPU, ATen's _fused_adam_ on GPUs with LibTorch 2.x), which reads and
// writes every element once instead of about ten times. Both are checked against torch.optim in
// tests/harness/test_vit_parity.cpp.
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace lb {

struct OptimizerSettings {
  std::string name = "adam";  // adam | adamw | sgd
  std::string impl = "auto";  // auto | fused | torch; auto = fused where it exists (Adam/AdamW)
  double lr = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.9;      // sgd only
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Applies one update from the parameters' .grad (parameters without a gradient are skipped).
  virtual void step() = 0;
  virtual void set_lr(double lr) = 0;
  // Adam's beta1 / SGD's momentum, as OneCycleLR cycles it.
  virtual void set_first_moment(double value) = 0;
  // "fused" or "torch".
  virtual const char* impl() const = 0;
};

// Throws std::invalid_argument for an unknown name or an impl the optimizer lacks.
std::unique_ptr<Optimizer> make_optimizer(const std::vector<torch::Tensor>& params, const OptimizerSettings& s);

// The fused update on CPU float32 tensors (contiguous): Adam (decoupled = false) or AdamW. Exposed
// for the benchmark and its test against torch::optim.
struct AdamStep {
  double lr, beta1, beta2, eps, weight_decay;
  bool decoupled;  // AdamW
  std::int64_t step;  // 1 for the first update
};
void fused_adam_cpu(torch::Tensor& param, const torch::Tensor& grad, torch::Tensor& exp_avg,
                    torch::Tensor& exp_avg_sq, const AdamStep& s);

}  // namespace lb
