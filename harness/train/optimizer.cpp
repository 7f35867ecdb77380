#include "harness/train/optimizer.h"

#include <torch/optim.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <stdexcept>

namespace lb {
namespace {

// torch::optim, per parameter: the reference implementation.
class TorchOptimizer : public Optimizer {
 public:
  TorchOptimizer(const std::vector<torch::Tensor>& params, const OptimizerSettings& s) {
    if (s.name == "adam") {
      opt_ = std::make_unique<torch::optim::Adam>(
          params, torch::optim::AdamOptions(s.lr).betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(s.weight_decay));
    } else if (s.name == "adamw") {
      opt_ = std::make_unique<torch::optim::AdamW>(
          params, torch::optim::AdamWOptions(s.lr).betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(s.weight_decay));
    } else {
      opt_ = std::make_unique<torch::optim::SGD>(
          params, torch::optim::SGDOptions(s.lr).momentum(s.momentum).weight_decay(s.weight_decay));
    }
  }
  void step() override { opt_->step(); }
  void set_lr(double lr) override {
    for (auto& group : opt_->param_groups()) group.options().set_lr(lr);
  }
  void set_first_moment(double value) override {
    for (auto& group : opt_->param_groups()) {
      auto& o = group.options();
      if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&o)) {
        adam->betas({value, std::get<1>(adam->betas())});
      } else if (auto* adamw = dynamic_cast<torch::optim::AdamWOptions*>(&o)) {
        adamw->betas({value, std::get<1>(adamw->betas())});
      } else if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&o)) {
        sgd->momentum(value);
      }
    }
  }
  const char* impl() const override { return "torch"; }

 private:
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

// Adam/AdamW, one pass per element: our CPU kernel, or ATen's multi-tensor fused kernel on GPUs.
class FusedAdam : public Optimizer {
 public:
  FusedAdam(const std::vector<torch::Tensor>& params, const OptimizerSettings& s)
      : s_(s), decoupled_(s.name == "adamw") {
    torch::NoGradGuard no_grad;
    for (const auto& p : params) {
      if (!p.requires_grad()) continue;
      if (p.scalar_type() != torch::kFloat || !p.is_contiguous())
        throw std::invalid_argument("--optimizer-impl fused: parameters must be contiguous float32");
      params_.push_back(p);
      exp_avg_.push_back(torch::zeros_like(p));
      exp_avg_sq_.push_back(torch::zeros_like(p));
#if TORCH_VERSION_MAJOR >= 2
      if (p.is_cuda()) steps_.push_back(torch::zeros({}, p.options()));
#endif
    }
  }

  void step() override {
    torch::NoGradGuard no_grad;
    ++step_;
    std::vector<torch::Tensor> p, g, m, v, st;
    for (size_t i = 0; i < params_.size(); ++i) {
      auto& param = params_[i];
      const auto& grad = param.grad();
      if (!grad.defined()) continue;
      if (param.is_cpu()) {
        const auto contiguous = grad.is_contiguous() ? grad : grad.contiguous();
        fused_adam_cpu(param, contiguous, exp_avg_[i], exp_avg_sq_[i],
                       {lr_, beta1_, s_.beta2, s_.eps, s_.weight_decay, decoupled_, step_});
      } else {
        p.push_back(param), g.push_back(grad), m.push_back(exp_avg_[i]), v.push_back(exp_avg_sq_[i]);
#if TORCH_VERSION_MAJOR >= 2
        st.push_back(steps_[i]);
#endif
      }
    }
    if (p.empty()) return;
#if TORCH_VERSION_MAJOR >= 2
    // One launch sequence for every GPU parameter; the kernel increments the step tensors itself.
    if (decoupled_) {
      at::_fused_adamw_(p, g, m, v, {}, st, lr_, beta1_, s_.beta2, s_.weight_decay, s_.eps, false, false);
    } else {
      at::_fused_adam_(p, g, m, v, {}, st, lr_, beta1_, s_.beta2, s_.weight_decay, s_.eps, false, false);
    }
#else
    throw std::runtime_error("--optimizer-impl fused on a GPU needs LibTorch 2.x");
#endif
  }
  void set_lr(double lr) override { lr_ = lr; }
  void set_first_moment(double value) override { beta1_ = value; }
  const char* impl() const override { return "fused"; }

 private:
  OptimizerSettings s_;
  bool decoupled_;
  double lr_ = s_.lr, beta1_ = s_.beta1;
  std::int64_t step_ = 0;
  std::vector<torch::Tensor> params_, exp_avg_, exp_avg_sq_, steps_;
};

}  // namespace

std::unique_ptr<Optimizer> make_optimizer(const std::vector<torch::Tensor>& params, const OptimizerSettings& s) {
  if (s.name != "adam" && s.name != "adamw" && s.name != "sgd")
    throw std::invalid_argument("--optimizer '" + s.name + "': expected adam, adamw or sgd");
  if (s.impl != "auto" && s.impl != "fused" && s.impl != "torch")
    throw std::invalid_argument("--optimizer-impl '" + s.impl + "': expected auto, fused or torch");
  const bool fusable = s.name == "adam" || s.name == "adamw";
  if (s.impl == "fused" && !fusable) throw std::invalid_argument("--optimizer-impl fused: only for adam and adamw");
#if TORCH_VERSION_MAJOR < 2
  const bool on_gpu = !params.empty() && params.front().is_cuda();
  if (s.impl == "fused" && on_gpu) throw std::invalid_argument("--optimizer-impl fused on a GPU needs LibTorch 2.x");
  const bool fused = fusable && (s.impl == "fused" || (s.impl == "auto" && !on_gpu));
#else
  const bool fused = fusable && s.impl != "torch";
#endif
  if (fused) return std::make_unique<FusedAdam>(params, s);
  return std::make_unique<TorchOptimizer>(params, s);
}

}  // namespace lb
