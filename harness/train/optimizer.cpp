#include "train/optimizer.h"

#include <stdexcept>

namespace lb {

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const OptimizerSettings& s) {
  if (s.name == "adam")
    return std::make_unique<torch::optim::Adam>(params,
                                                torch::optim::AdamOptions(s.lr).weight_decay(s.weight_decay));
  if (s.name == "adamw")
    return std::make_unique<torch::optim::AdamW>(params,
                                                 torch::optim::AdamWOptions(s.lr).weight_decay(s.weight_decay));
  if (s.name == "sgd")
    return std::make_unique<torch::optim::SGD>(
        params, torch::optim::SGDOptions(s.lr).momentum(s.momentum).weight_decay(s.weight_decay));
  throw std::invalid_argument("unknown optimizer '" + s.name + "' (expected adam, adamw or sgd)");
}

void set_learning_rate(torch::optim::Optimizer& opt, double lr) {
  for (auto& group : opt.param_groups()) group.options().set_lr(lr);
}

void set_momentum(torch::optim::Optimizer& opt, double momentum) {
  for (auto& group : opt.param_groups()) {
    auto& o = group.options();
    if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&o)) {
      adam->betas({momentum, std::get<1>(adam->betas())});
    } else if (auto* adamw = dynamic_cast<torch::optim::AdamWOptions*>(&o)) {
      adamw->betas({momentum, std::get<1>(adamw->betas())});
    } else if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&o)) {
      sgd->momentum(momentum);
    }
  }
}

}  // namespace lb
