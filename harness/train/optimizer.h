// The optimizers the harness offers, built the way torch.optim builds them, so that a step in
// C++ equals a step in Python (checked by tests/harness/test_vit_parity.cpp).
#pragma once

#include <torch/optim.h>

#include <memory>
#include <string>
#include <vector>

namespace lb {

struct OptimizerSettings {
  std::string name = "adam";  // adam | adamw | sgd
  double lr = 1e-3;
  double weight_decay = 0.0;
  double momentum = 0.9;      // sgd only
};

// Throws std::invalid_argument for an unknown name.
std::unique_ptr<torch::optim::Optimizer> make_optimizer(const std::vector<torch::Tensor>& params,
                                                        const OptimizerSettings& s);

// Learning rate and first-moment coefficient (Adam's beta1, SGD's momentum) of every group,
// as torch.optim.lr_scheduler.OneCycleLR sets them.
void set_learning_rate(torch::optim::Optimizer& opt, double lr);
void set_momentum(torch::optim::Optimizer& opt, double momentum);

}  // namespace lb
