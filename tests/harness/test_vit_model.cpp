// The model's shape facts without a reference run: torchvision's published counts and costs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "harness/model/vit.h"
#include "harness/model/vit_config.h"
#include "harness/util/torch_version.h"

namespace lb {
namespace {

std::int64_t count_parameters(VisionTransformer& m) {
  std::int64_t n = 0;
  for (const auto& p : m->parameters()) n += p.numel();
  return n;
}

TEST(VitModel, VitB16HasTorchvisionsParameterCountAndKeys) {
  VisionTransformer model(vit_config("vit_b_16", 1000));
  EXPECT_EQ(count_parameters(model), 86567656);  // torchvision's table for vit_b_16
  EXPECT_EQ(model->named_parameters().size(), 152u);
  EXPECT_EQ(vit_parameter_count(model->config()), 86567656);
}

TEST(VitModel, AnalyticParameterCountMatchesModuleForEveryVariant) {
  for (const auto& name : {"vit_b_32", "vit_tiny", "vit_micro"}) {
    VisionTransformer model(vit_config(name, 200));
    EXPECT_EQ(count_parameters(model), vit_parameter_count(model->config())) << name;
  }
}

TEST(VitModel, ForwardCostOfVitB16IsTorchvisionsFigure) {
  // torchvision lists 17.56 GFLOPS (multiply-accumulates) for vit_b_16 at 224 px.
  const auto c = vit_config("vit_b_16", 1000);
  EXPECT_NEAR(vit_forward_macs(c) / 1e9, 17.56, 0.01);
  EXPECT_NEAR(vit_forward_flops(c) / 1e9, 35.1, 0.05);
  EXPECT_DOUBLE_EQ(vit_train_flops(c), 3 * vit_forward_flops(c));
  EXPECT_NEAR(vit_forward_macs(vit_config("vit_l_16", 1000)) / 1e9, 61.55, 0.1);
  EXPECT_NEAR(vit_forward_macs(vit_config("vit_b_32", 1000)) / 1e9, 4.41, 0.01);
}

TEST(VitModel, UnknownVariantNamesTheKnownOnes) {
  try {
    vit_config("vit_x_99", 10);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("vit_b_16"), std::string::npos);
  }
}

TEST(VitModel, OutputShapeAndHeadReplacement) {
  VisionTransformer model(vit_config("vit_tiny", 10));
  auto logits = model->forward(torch::randn({3, 3, 32, 32}));
  EXPECT_EQ(logits.sizes(), (std::vector<std::int64_t>{3, 10}));
  model->replace_head(7);
  EXPECT_EQ(model->forward(torch::randn({2, 3, 32, 32})).sizes(), (std::vector<std::int64_t>{2, 7}));
  EXPECT_NE(model->named_parameters().find("heads.head.weight"), nullptr);
}

TEST(VitModel, DropoutIsOffByDefaultSoTrainAndEvalAgree) {
  torch::manual_seed(1);
  VisionTransformer model(vit_config("vit_tiny", 5));
  {
    torch::NoGradGuard g;
    for (auto& p : model->parameters()) p.normal_(0, 0.05);
  }
  auto x = torch::randn({2, 3, 32, 32});
  model->train();
  auto a = model->forward(x);
  model->eval();
  EXPECT_TRUE(torch::allclose(a, model->forward(x)));
}

// The GPU's attention layout (q, k, v as views of the packed product, no copies) on the CPU,
// against PyTorch's layout that the parity tests hold to the bit: the same logits and gradients up
// to rounding. The branch a GPU takes, taken here.
TEST(VitModel, PackedAttentionLayoutEqualsTheExactOne) {
#if LB_TORCH_AT_LEAST(2, 0)
  auto make = [](bool packed) {
    auto c = vit_config("vit_tiny", 10);
    c.packed_attention = packed;
    torch::manual_seed(7);
    VisionTransformer m(c);
    torch::NoGradGuard g;
    m->heads->ptr<torch::nn::LinearImpl>(0)->weight.normal_(0, 0.02);
    return m;
  };
  auto exact = make(false), packed = make(true);
  torch::manual_seed(8);
  const auto images = torch::randn({6, 3, 32, 32});
  const auto labels = torch::randint(0, 10, {6}, torch::kLong);
  auto le = exact->forward(images), lp = packed->forward(images);
  EXPECT_LT(((le - lp).abs().max() / le.abs().max()).item<double>(), 1e-5) << "logits";
  torch::nn::functional::cross_entropy(le, labels).backward();
  torch::nn::functional::cross_entropy(lp, labels).backward();
  auto pe = exact->named_parameters();
  double worst = 0;
  for (const auto& p : packed->named_parameters()) {
    const auto& ge = pe[p.key()].grad();
    worst = std::max(worst, ((p.value().grad() - ge).abs().max() / ge.abs().max().clamp_min(1e-30)).item<double>());
  }
  EXPECT_LT(worst, 1e-4) << "gradients, max relative to each tensor's largest";
#else
  GTEST_SKIP() << "LibTorch 1.13 has no fused attention: the exact layout only";
#endif
}

}  // namespace

}  // namespace lb
