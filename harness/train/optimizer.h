// The optimizers the harness offers. `torch` runs torch::optim's per-parameter update, built the
// way torch.optim builds it; `fused` runs Adam/AdamW in one pass over each parameter's elements,
// which reads and writes every element once instead of about ten times: ATen's multi-tensor
// _fused_adam_ (LibTorch 2.4+, GPUs and CPUs alike; the GPU default) or our own CPU loop
// (train/fused_adam.cpp; the CPU default, and the only one before 2.4). Each is checked against
// torch.optim: tests/harness/test_vit_parity.cpp, test_precision.cpp (ATen's kernel on CPU
// tensors), tests/device/gpu_step_check.cpp (on a GPU).
#pragma once

#include <torch/types.h>

#include <memory>
#include <string>
#include <vector>

namespace lb {

// Which one-pass kernel a fused Adam runs: ATen's on GPU parameters and ours on CPU ones
// (automatic), or one of them everywhere (tests take ATen's GPU path on CPU tensors this way).
enum class FusedKernel { automatic, aten, harness_cpu };

struct OptimizerSettings {
  std::string name = "adam";  // adam | adamw | sgd
  std::string impl = "auto";  // auto | fused | torch; auto = fused where it exists (Adam/AdamW)
  FusedKernel fused_kernel = FusedKernel::automatic;
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
  // The same, skipped where `found_inf` (a float scalar on the parameters' device, from the fp16
  // loss scaler) is non-zero: ATen's fused kernel reads it on the device; the others read it once
  // on the host.
  virtual void step_unless(const torch::Tensor& found_inf) = 0;
  virtual void set_lr(double lr) = 0;
  // Adam's beta1 / SGD's momentum, as OneCycleLR cycles it.
  virtual void set_first_moment(double value) = 0;
  // "fused" or "torch".
  virtual const char* impl() const = 0;
  // "aten" or "harness_cpu" for fused; "torch" otherwise.
  virtual const char* kernel() const = 0;
};

// Throws std::invalid_argument for an unknown name, an impl the optimizer lacks, or ATen's kernel
// before LibTorch 2.4.
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
