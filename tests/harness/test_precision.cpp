// Mixed precision: bf16 autocast trains the tiny model along the same loss curve as fp32 (within
// the tolerance below), with weights and optimizer state in fp32; the fp16 loss scaler follows
// GradScaler's rules; the fused Adam kernel matches torch::optim on random tensors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <limits>

#include "harness/model/vit.h"
#include "harness/train/optimizer.h"
#include "harness/train/precision.h"
#include "harness/util/torch_version.h"
#include "tests/harness/tensor_compare.h"

namespace lb {
namespace {

// Mean cross-entropy per step over 30 Adam steps of vit_tiny on fixed, learnable data.
std::vector<double> loss_curve(Precision p) {
  torch::manual_seed(7);
  auto model = VisionTransformer(vit_config("vit_tiny", 10));
  {
    torch::NoGradGuard g;
    model->heads->ptr<torch::nn::LinearImpl>(0)->weight.normal_(0, 0.02);
  }
  torch::manual_seed(8);
  auto images = torch::randn({64, 3, 32, 32});
  auto labels = torch::randint(0, 10, {64}, torch::kLong);
  images += labels.view({-1, 1, 1, 1}).to(torch::kFloat) * 0.3;  // make the classes separable
  OptimizerSettings os;
  os.lr = 1e-3;
  auto opt = make_optimizer(model->parameters(), os);
  std::vector<double> curve;
  for (int step = 0; step < 30; ++step) {
    auto idx = torch::arange((step % 4) * 16, (step % 4) * 16 + 16, torch::kLong);
    for (auto& q : model->parameters()) q.mutable_grad() = torch::Tensor();
    torch::Tensor loss;
    {
      AutocastScope autocast(p, torch::Device(torch::kCPU));
      loss = torch::nn::functional::cross_entropy(model->forward(images.index_select(0, idx)), labels.index_select(0, idx));
    }
    loss.backward();
    opt->step();
    curve.push_back(loss.item<double>());
  }
  for (const auto& q : model->parameters()) EXPECT_EQ(q.scalar_type(), torch::kFloat) << "master weights stay fp32";
  return curve;
}

// bf16 keeps 8 bits of mantissa: per-step losses stay within 5% of fp32's, and the run learns as
// much (the final loss within 5%). Seen here: under 1% at every step.
TEST(Precision, Bf16LossCurveFollowsFp32) {
  const auto fp32 = loss_curve(Precision::fp32);
  const auto bf16 = loss_curve(Precision::bf16);
  double worst = 0;
  for (size_t i = 0; i < fp32.size(); ++i) {
    const double e = std::abs(bf16[i] - fp32[i]) / fp32[i];
    if (test::worse(e, worst)) worst = e;
  }
  std::cout << "[ bf16    ] max relative loss difference over 30 steps: " << worst << " (first loss " << fp32.front()
            << ", last " << fp32.back() << " fp32 / " << bf16.back() << " bf16)\n";
  EXPECT_LT(worst, 0.05);
  EXPECT_LT(fp32.back(), 0.8 * fp32.front()) << "the model learns at all";
  EXPECT_LT(bf16.back(), 0.8 * bf16.front());
}

TEST(Precision, AutocastRunsLinearInBf16AndRestoresTheState) {
  auto x = torch::randn({4, 8}), w = torch::randn({3, 8});
  {
    AutocastScope autocast(Precision::bf16, torch::Device(torch::kCPU));
    EXPECT_EQ(torch::linear(x, w).scalar_type(), torch::kBFloat16);
  }
  EXPECT_EQ(torch::linear(x, w).scalar_type(), torch::kFloat);
  AutocastScope off(Precision::fp32, torch::Device(torch::kCPU));
  EXPECT_EQ(torch::linear(x, w).scalar_type(), torch::kFloat);
}

TEST(Precision, NamesAreParsedAndRefused) {
  EXPECT_EQ(parse_precision("bf16"), Precision::bf16);
  EXPECT_STREQ(to_string(Precision::fp16), "fp16");
  EXPECT_THROW(parse_precision("fp8"), std::invalid_argument);
}

// GradScaler's rules, with the scale and the overflow flag on the device (here the CPU: the same
// fused calls as on a GPU from LibTorch 2.4 on).
TEST(LossScaler, FollowsGradScalersRules) {
  LossScaler s(true, torch::kCPU, 1024.0, 2.0, 0.5, 3);
  auto p = torch::ones({4}, torch::requires_grad());
  s.scale_loss((p * 2).sum()).backward();
  EXPECT_DOUBLE_EQ(p.grad()[0].item<double>(), 2048.0);
  s.unscale({p.grad()});
  EXPECT_EQ(s.found_inf().item<float>(), 0.0f);
  EXPECT_DOUBLE_EQ(p.grad()[0].item<double>(), 2.0) << "gradients divided back";
  s.update();
  s.update();
  EXPECT_DOUBLE_EQ(s.scale_value(), 1024.0);
  s.update();  // the third clean step in a row: grow
  EXPECT_DOUBLE_EQ(s.scale_value(), 2048.0);
  {
    torch::NoGradGuard g;
    p.mutable_grad()[1] = std::numeric_limits<float>::infinity();
  }
  s.unscale({p.grad()});
  EXPECT_EQ(s.found_inf().item<float>(), 1.0f) << "an overflow is found";
  s.update();
  EXPECT_DOUBLE_EQ(s.scale_value(), 1024.0) << "and the scale backs off";
  LossScaler off(false);
  EXPECT_DOUBLE_EQ(off.scale_value(), 1.0);
  off.unscale({p.grad()});
  EXPECT_FALSE(off.found_inf().defined()) << "disabled: nothing checked, nothing skipped";
}

// An overflow skips the update on the device: the fused kernel reads found_inf, the others read it
// once on the host; either way the parameters and (ATen) the step counts stay as they were.
TEST(LossScaler, OverflowSkipsTheUpdate) {
  std::vector<FusedKernel> kernels{FusedKernel::harness_cpu};
#if LB_TORCH_AT_LEAST(2, 4)
  kernels.push_back(FusedKernel::aten);
#endif
  for (const auto kernel : kernels) {
    auto p = torch::ones({5}, torch::requires_grad());
    OptimizerSettings os;
    os.fused_kernel = kernel;
    auto opt = make_optimizer({p}, os);
    p.mutable_grad() = torch::full({5}, 0.5f);
    opt->step_unless(torch::ones({}));
    EXPECT_TRUE(torch::equal(p.detach(), torch::ones({5}))) << opt->kernel();
    opt->step_unless(torch::zeros({}));
    EXPECT_FALSE(torch::equal(p.detach(), torch::ones({5}))) << opt->kernel();
    // A skipped step does not count: the first real update has Adam's bias correction of step 1,
    // so every element moved by lr exactly.
    EXPECT_NEAR((1 - p.detach()).max().item<double>(), 1e-3, 1e-7) << opt->kernel();
  }
}

// The fused kernel against torch::optim on random tensors of awkward sizes, with weight decay,
// over several steps: the same update up to rounding.
TEST(FusedAdam, MatchesTorchOptimOnRandomTensors) {
  std::vector<FusedKernel> kernels{FusedKernel::harness_cpu};
#if LB_TORCH_AT_LEAST(2, 4)
  // ATen's multi-tensor kernel, the GPU path, on CPU tensors: the branch a GPU takes, in CI.
  kernels.push_back(FusedKernel::aten);
#endif
  for (const auto kernel : kernels)
  for (const bool adamw : {false, true}) {
    torch::manual_seed(3);
    std::vector<torch::Tensor> a, b;
    for (std::int64_t n : {1, 7, 1000, 70001}) {
      auto t = torch::randn({n});
      a.push_back(t.clone().requires_grad_(true));
      b.push_back(t.clone().requires_grad_(true));
    }
    OptimizerSettings os;
    os.name = adamw ? "adamw" : "adam";
    os.weight_decay = 0.1;
    os.impl = "torch";
    auto ref = make_optimizer(a, os);
    os.impl = "fused";
    os.fused_kernel = kernel;
    auto fused = make_optimizer(b, os);
    EXPECT_STREQ(fused->impl(), "fused");
    EXPECT_STREQ(fused->kernel(), kernel == FusedKernel::aten ? "aten" : "harness_cpu");
    for (int step = 0; step < 5; ++step) {
      for (size_t i = 0; i < a.size(); ++i) {
        auto g = torch::randn_like(a[i]);
        a[i].mutable_grad() = g.clone();
        b[i].mutable_grad() = g.clone();
      }
      ref->set_lr(1e-2 * (step + 1));
      fused->set_lr(1e-2 * (step + 1));
      ref->step();
      fused->step();
    }
    for (size_t i = 0; i < a.size(); ++i) {
      const double err = ((a[i] - b[i]).abs().max() / a[i].abs().max()).item<double>();
      EXPECT_LT(err, 1e-6) << (adamw ? "adamw" : "adam") << " tensor " << i << ", " << fused->kernel();
    }
  }
}

}  // namespace
}  // namespace lb
