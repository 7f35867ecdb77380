#include "harness/train/optimizer.h"

#include <torch/optim.h>
#include <torch/torch.h>

#include <stdexcept>

#include "harness/util/torch_version.h"

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
  void step_unless(const torch::Tensor& found_inf) override {
    if (found_inf.item<float>() == 0) opt_->step();
  }
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
  const char* kernel() const override { return "torch"; }

 private:
  std::unique_ptr<torch::optim::Optimizer> opt_;
};

// Adam/AdamW, one pass per element: ATen's multi-tensor kernel, or our CPU loop.
class FusedAdam : public Optimizer {
 public:
  FusedAdam(const std::vector<torch::Tensor>& params, const OptimizerSettings& s, bool aten)
      : s_(s), decoupled_(s.name == "adamw"), aten_(aten) {
    torch::NoGradGuard no_grad;
    for (const auto& p : params) {
      if (!p.requires_grad()) continue;
      if (p.scalar_type() != torch::kFloat || !p.is_contiguous())
        throw std::invalid_argument("--optimizer-impl fused: parameters must be contiguous float32");
      params_.push_back(p);
      exp_avg_.push_back(torch::zeros_like(p));
      exp_avg_sq_.push_back(torch::zeros_like(p));
      // ATen's kernel keeps one step count per parameter, as a float scalar on its device.
      if (aten_) steps_.push_back(torch::zeros({}, p.options()));
    }
  }

  void step() override { update(torch::Tensor()); }
  void step_unless(const torch::Tensor& found_inf) override {
    if (aten_) return update(found_inf);
    if (found_inf.item<float>() == 0) update(torch::Tensor());
  }
  void set_lr(double lr) override { lr_ = lr; }
  void set_first_moment(double value) override { beta1_ = value; }
  const char* impl() const override { return "fused"; }
  const char* kernel() const override { return aten_ ? "aten" : "harness_cpu"; }

 private:
  void update(const torch::Tensor& found_inf) {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> p, g, m, v, st;
    for (size_t i = 0; i < params_.size(); ++i) {
      const auto& grad = params_[i].grad();
      if (!grad.defined()) continue;
      p.push_back(params_[i]), g.push_back(grad), m.push_back(exp_avg_[i]), v.push_back(exp_avg_sq_[i]);
      if (aten_) st.push_back(steps_[i]);
    }
    if (p.empty()) return;
    if (!aten_) {
      ++host_step_;
      for (size_t i = 0; i < p.size(); ++i) {
        const auto contiguous = g[i].is_contiguous() ? g[i] : g[i].contiguous();
        fused_adam_cpu(p[i], contiguous, m[i], v[i], {lr_, beta1_, s_.beta2, s_.eps, s_.weight_decay, decoupled_, host_step_});
      }
      return;
    }
#if LB_TORCH_AT_LEAST(2, 4)
    // As torch.optim's _fused_adam: the kernel reads the step counts but never advances them, so
    // they are advanced first (at 0, bias correction 1 - beta^0 is 0 and the update is NaN), and
    // taken back where a found overflow skipped the update.
    torch::_foreach_add_(st, 1);
    // grad_scale stays empty: the loss scaler has unscaled the gradients already.
    if (decoupled_ && found_inf.defined()) {
      at::_fused_adamw_(p, g, m, v, {}, st, lr_, beta1_, s_.beta2, s_.weight_decay, s_.eps, false, false, {}, found_inf);
    } else if (decoupled_) {
      at::_fused_adamw_(p, g, m, v, {}, st, lr_, beta1_, s_.beta2, s_.weight_decay, s_.eps, false, false);
    } else if (found_inf.defined()) {
      at::_fused_adam_(p, g, m, v, {}, st, lr_, beta1_, s_.beta2, s_.weight_decay, s_.eps, false, false, {}, found_inf);
    } else {
      at::_fused_adam_(p, g, m, v, {}, st, lr_, beta1_, s_.beta2, s_.weight_decay, s_.eps, false, false);
    }
    if (found_inf.defined()) torch::_foreach_sub_(st, std::vector<torch::Tensor>(st.size(), found_inf));
#else
    (void)found_inf;
    throw std::logic_error("ATen's fused Adam needs LibTorch 2.4");  // refused by make_optimizer
#endif
  }

  OptimizerSettings s_;
  bool decoupled_, aten_;
  double lr_ = s_.lr, beta1_ = s_.beta1;
  std::int64_t host_step_ = 0;
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
  const bool on_gpu = !params.empty() && !params.front().is_cpu();
  const bool fused = fusable && s.impl != "torch";
  if (!fused) return std::make_unique<TorchOptimizer>(params, s);
  const bool aten = s.fused_kernel == FusedKernel::aten || (s.fused_kernel == FusedKernel::automatic && on_gpu);
  if (aten && !LB_TORCH_AT_LEAST(2, 4))
    throw std::invalid_argument("--optimizer-impl fused on a GPU (ATen's kernel) needs LibTorch 2.4");
  if (!aten && on_gpu) throw std::invalid_argument("the harness's fused Adam kernel runs on CPU tensors only");
  return std::make_unique<FusedAdam>(params, s, aten);
}

}  // namespace lb
