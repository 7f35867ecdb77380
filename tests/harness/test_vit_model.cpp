// The model's shape facts without a reference run: torchvision's published counts and costs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "harness/model/add_layer_norm.h"
#include "harness/model/bias_gelu.h"
#include "harness/model/vit.h"
#include "harness/model/vit_config.h"
#include "harness/train/precision.h"
#include "harness/util/torch_version.h"
#include "tests/harness/tensor_compare.h"

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

// The tiny ViT the layout tests compare, built alike but for the layout switches: 10 classes, the
// same seed, a random head (torchvision's zero head would leave the encoder without gradients).
VisionTransformer tiny_with_layout(bool packed_attention, bool fused_add_norm, bool fused_bias_gelu = false) {
  auto c = vit_config("vit_tiny", 10);
  c.packed_attention = packed_attention;
  c.fused_add_norm = fused_add_norm;
  c.fused_bias_gelu = fused_bias_gelu;
  torch::manual_seed(7);
  VisionTransformer m(c);
  torch::NoGradGuard g;
  m->heads->ptr<torch::nn::LinearImpl>(0)->weight.normal_(0, 0.02);
  return m;
}

// How far `actual` is from `expected` on the same images and labels, forward under `precision`'s
// CPU autocast: the logits' relative error and the largest of the gradients' (each relative to its
// tensor's largest value), with that parameter's name.
struct LayoutDistance {
  double logits = 0, gradients = 0;
  std::string worst;
};
LayoutDistance layout_distance(VisionTransformer& expected, VisionTransformer& actual, Precision precision) {
  torch::manual_seed(8);
  const auto images = torch::randn({6, 3, 32, 32});
  const auto labels = torch::randint(0, 10, {6}, torch::kLong);
  torch::Tensor le, la;
  {
    AutocastScope autocast(precision, torch::kCPU);
    le = expected->forward(images);
    la = actual->forward(images);
  }
  LayoutDistance d;
  d.logits = test::relative_error(la, le);
  torch::nn::functional::cross_entropy(le.to(torch::kFloat), labels).backward();
  torch::nn::functional::cross_entropy(la.to(torch::kFloat), labels).backward();
  auto pe = expected->named_parameters();
  for (const auto& p : actual->named_parameters()) {
    const double e = test::relative_error(p.value().grad(), pe[p.key()].grad());
    if (test::worse(e, d.gradients)) d.gradients = e, d.worst = p.key();
  }
  return d;
}

// The distances the layout tests bound keep a NaN: a NaN gradient must fail them, where std::max
// or `e > worst` would drop it and pass.
TEST(VitModel, LayoutDistanceKeepsANaNGradient) {
  auto exact = tiny_with_layout(false, false), broken = tiny_with_layout(false, false);
  auto with_nan = [&](VisionTransformer& m) {
    // A NaN weight in the head: NaN logits, NaN gradients everywhere before it.
    torch::NoGradGuard g;
    m->heads->ptr<torch::nn::LinearImpl>(0)->weight[0][0] = std::nan("");
  };
  with_nan(broken);
  const auto d = layout_distance(exact, broken, Precision::fp32);
  EXPECT_TRUE(std::isnan(d.logits));
  EXPECT_TRUE(std::isnan(d.gradients)) << "worst " << d.worst;
  const auto report = test::compare_named({{"a", torch::ones({2})}, {"b", torch::tensor({1.0, std::nan("")})}},
                                          {{"a", torch::ones({2})}, {"b", torch::ones({2})}}, 1e-6);
  EXPECT_TRUE(std::isnan(report.max_error));
  EXPECT_EQ(report.worst, "b");
  EXPECT_EQ(report.failures.size(), 1u);
}

// The GPU's attention layout (q, k, v as views of the packed product, no copies) on the CPU,
// against PyTorch's layout that the parity tests hold to the bit: the same logits and gradients up
// to rounding. The branch a GPU takes, taken here.
TEST(VitModel, PackedAttentionLayoutEqualsTheExactOne) {
#if LB_TORCH_AT_LEAST(2, 0)
  auto exact = tiny_with_layout(false, false), packed = tiny_with_layout(true, false);
  const auto d = layout_distance(exact, packed, Precision::fp32);
  EXPECT_LT(d.logits, 1e-5) << "logits";
  EXPECT_LT(d.gradients, 1e-4) << "gradients, max relative to each tensor's largest, worst " << d.worst;
#else
  GTEST_SKIP() << "LibTorch 1.13 has no fused attention: the exact layout only";
#endif
}

// ATen's calls that add_layer_norm replaces, as the model makes them: the sum (float32 + the
// branch's dtype -> float32), LayerNorm in float32, and the cast to the branch's dtype that the
// product reading it makes under autocast.
std::pair<torch::Tensor, torch::Tensor> eager_add_layer_norm(const torch::Tensor& residual, const torch::Tensor& branch,
                                                             torch::nn::LayerNorm& ln) {
  auto sum = residual + branch;
  return {sum, ln(sum).to(branch.scalar_type())};
}

torch::nn::LayerNorm random_layer_norm(int dim, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::LayerNorm ln(torch::nn::LayerNormOptions({dim}).eps(1e-6));
  torch::NoGradGuard g;
  ln->weight.normal_(1.0, 0.2);
  ln->bias.normal_(0.0, 0.1);
  return ln;
}

// The fused call (its CPU reference: the arithmetic of the GPU kernels) against ATen's add and
// layer_norm, forward and backward, with gradients reaching it through both outputs as in the model
// (the sum goes on as the residual stream, the normalised output into a product).
// Tolerances: the sum is the same single addition (equal); the rest differs only in the order of
// the rows' and columns' float sums: 1e-5 of each tensor's largest value in float32, and one
// bfloat16 rounding step (2^-7) in bfloat16, where a last-bit change in float can flip a rounding.
TEST(AddLayerNorm, MatchesAtensAddAndLayerNormForwardAndBackward) {
  for (const auto dtype : {torch::kFloat, torch::kBFloat16}) {
    SCOPED_TRACE(c10::toString(dtype));
    const double tol = dtype == torch::kFloat ? 1e-5 : 1.0 / 128;
    auto fused_ln = random_layer_norm(100, 3), eager_ln = random_layer_norm(100, 3);
    torch::manual_seed(4);
    // Rows with an offset each, which the normalisation must remove; rows of 100 end inside a
    // lane's stride (32 lanes), and 3 x 37 rows fill a group of the column sums partly.
    const auto residual = torch::randn({3, 37, 100}) + torch::arange(111).view({3, 37, 1}).remainder(7) - 3;
    const auto branch = (0.5 * torch::randn({3, 37, 100})).to(dtype);
    const auto up_normed = torch::randn({3, 37, 100}), up_sum = 1e-2 * torch::randn({3, 37, 100});
    auto r1 = residual.clone().requires_grad_(), b1 = branch.clone().requires_grad_();
    auto r2 = residual.clone().requires_grad_(), b2 = branch.clone().requires_grad_();
    auto [s1, n1] = add_layer_norm(r1, b1, fused_ln);
    auto [s2, n2] = eager_add_layer_norm(r2, b2, eager_ln);
    ASSERT_EQ(s1.scalar_type(), torch::kFloat);
    ASSERT_EQ(n1.scalar_type(), dtype);
    EXPECT_TRUE(torch::equal(s1, s2)) << "sum";
    EXPECT_LE(test::relative_error(n1, n2), tol) << "normalised output";
    ((n1.to(torch::kFloat) * up_normed).sum() + (s1 * up_sum).sum()).backward();
    ((n2.to(torch::kFloat) * up_normed).sum() + (s2 * up_sum).sum()).backward();
    EXPECT_LE(test::relative_error(r1.grad(), r2.grad()), 1e-5) << "residual's gradient (float32)";
    EXPECT_EQ(b1.grad().scalar_type(), dtype);
    EXPECT_LE(test::relative_error(b1.grad(), b2.grad()), tol) << "branch's gradient";
    EXPECT_LE(test::relative_error(fused_ln->weight.grad(), eager_ln->weight.grad()), 1e-5) << "weight's gradient";
    EXPECT_LE(test::relative_error(fused_ln->bias.grad(), eager_ln->bias.grad()), 1e-5) << "bias's gradient";
  }
}

// When only the sum is used, the normalised output's gradient is zero: the sum's gradient passes
// to both inputs unchanged and the LayerNorm's parameters get none.
TEST(AddLayerNorm, OnlyTheSumUsedPassesItsGradientThrough) {
  auto ln = random_layer_norm(40, 5);
  auto r = torch::randn({6, 40}).requires_grad_(), b = torch::randn({6, 40}).requires_grad_();
  auto up = torch::randn({6, 40});
  (add_layer_norm(r, b, ln).first * up).sum().backward();
  EXPECT_TRUE(torch::equal(r.grad(), up));
  EXPECT_TRUE(torch::equal(b.grad(), up));
  EXPECT_EQ(ln->weight.grad().abs().max().item<float>(), 0.0f);
  EXPECT_EQ(ln->bias.grad().abs().max().item<float>(), 0.0f);
}

TEST(AddLayerNorm, OtherDtypesAndShapesAreRefusedByName) {
  auto ln = random_layer_norm(8, 6);
  auto expect_error = [&](const torch::Tensor& r, const torch::Tensor& b, const std::string& words) {
    try {
      add_layer_norm(r, b, ln);
      ADD_FAILURE() << "no error for " << words;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expect_error(torch::randn({2, 8}), torch::randn({2, 8}).to(torch::kHalf), "the branch is Half, expected Float or BFloat16");
  expect_error(torch::randn({2, 8}).to(torch::kBFloat16), torch::randn({2, 8}), "the residual is BFloat16, expected Float");
  expect_error(torch::randn({2, 8}), torch::randn({3, 8}), "differ in shape");
  expect_error(torch::randn({2, 9}), torch::randn({2, 9}), "not an affine float32 one over the last dimension");
  expect_error(torch::randn({0, 8}), torch::randn({0, 8}), "the tensors are empty");
}

// The GPU's residual path (every add and its LayerNorm fused, VitConfig::fused_add_norm) on the CPU
// through the kernels' reference, against ATen's calls that the CPU runs and the parity tests hold
// to PyTorch's bits: the same logits and gradients up to rounding, in float32 and under bfloat16
// autocast. The branch a GPU takes, taken here.
TEST(VitModel, FusedAddNormEqualsTheExactPath) {
  // Tolerances (logits, gradients): float32 differs in the last bits of the LayerNorms' sums,
  // 1e-5 and 1e-4 as the packed attention layout; under bfloat16 a last-bit difference sometimes
  // flips a bfloat16 rounding of a LayerNorm's output (one step, up to 2^-7 relative), which the
  // products after it carry on: a few 1e-3 (measured 6e-3 in gradients), bounded at 3e-2 for both.
  for (const auto precision : {Precision::fp32, Precision::bf16}) {
    SCOPED_TRACE(to_string(precision));
    const double logit_tol = precision == Precision::fp32 ? 1e-5 : 3e-2;
    const double grad_tol = precision == Precision::fp32 ? 1e-4 : 3e-2;
    auto exact = tiny_with_layout(false, false), fused = tiny_with_layout(false, true);
    const auto d = layout_distance(exact, fused, precision);
    EXPECT_LE(d.logits, logit_tol) << "logits";
    EXPECT_LE(d.gradients, grad_tol) << "gradients, worst " << d.worst;
    std::printf("fused add + LayerNorm vs ATen's calls, %s: logits %.3g, gradients %.3g (%s)\n", to_string(precision),
                d.logits, d.gradients, d.worst.c_str());
  }
}

torch::nn::Linear random_linear(int in, int out, std::uint64_t seed) {
  torch::manual_seed(seed);
  torch::nn::Linear fc(in, out);
  torch::NoGradGuard g;
  fc->bias.normal_(0.0, 0.5);
  return fc;
}

// The fused backward (its CPU reference: the arithmetic of the GPU kernels) against ATen's linear,
// gelu and their backward, in float32 and under bfloat16 autocast. The forward is ATen's calls in
// both (equal). Tolerances for the gradients: GELU's derivative takes erf and exp from std:: here
// and from ATen's vectorised approximations there (last float bits), and the bias's sum runs in
// another order: 1e-5 of each tensor's largest value in float32; in bfloat16 a last-bit difference
// can flip the rounding of an element of GELU's input gradient by one step (up to 2^-7 of it)
// before the products and the sum carry it on: 1/128.
TEST(BiasGelu, MatchesAtensLinearAndGeluForwardAndBackward) {
  for (const auto precision : {Precision::fp32, Precision::bf16}) {
    SCOPED_TRACE(to_string(precision));
    const double tol = precision == Precision::fp32 ? 1e-5 : 1.0 / 128;
    auto fused_fc = random_linear(48, 100, 9), eager_fc = random_linear(48, 100, 9);
    torch::manual_seed(10);
    // 3 x 37 rows: a group of 64 rows of the bias's sum and part of a second.
    const auto x = torch::randn({3, 37, 48}), up = torch::randn({3, 37, 100});
    auto x1 = x.clone().requires_grad_(), x2 = x.clone().requires_grad_();
    torch::Tensor y1, y2;
    {
      AutocastScope autocast(precision, torch::kCPU);
      y1 = linear_gelu(x1, fused_fc);
      y2 = torch::gelu(torch::linear(x2, eager_fc->weight, eager_fc->bias));
    }
    EXPECT_EQ(y1.scalar_type(), precision == Precision::fp32 ? torch::kFloat : torch::kBFloat16);
    EXPECT_TRUE(torch::equal(y1, y2)) << "output";
    (y1.to(torch::kFloat) * up).sum().backward();
    (y2.to(torch::kFloat) * up).sum().backward();
    const double dx = test::relative_error(x1.grad(), x2.grad()),
                 dw = test::relative_error(fused_fc->weight.grad(), eager_fc->weight.grad()),
                 db = test::relative_error(fused_fc->bias.grad(), eager_fc->bias.grad());
    EXPECT_LE(dx, tol) << "input's gradient";
    EXPECT_LE(dw, tol) << "weight's gradient";
    EXPECT_EQ(fused_fc->bias.grad().scalar_type(), torch::kFloat);
    EXPECT_LE(db, tol) << "bias's gradient";
    std::printf("fused GELU + bias backward vs ATen's, %s: gradients of the input %.3g, weight %.3g, bias %.3g\n",
                to_string(precision), dx, dw, db);
  }
}

TEST(BiasGelu, OtherDtypesAndLayersAreRefusedByName) {
  auto expect_error = [](const torch::Tensor& x, const torch::nn::Linear& fc, const std::string& words) {
    try {
      linear_gelu(x, fc);
      ADD_FAILURE() << "no error for " << words;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  auto fc = random_linear(8, 4, 11);
  auto fc64 = random_linear(8, 4, 11);
  fc64->to(torch::kDouble);
  expect_error(torch::randn({2, 8}, torch::kDouble), fc64, "the product is Double, expected Float or BFloat16");
  expect_error(torch::randn({0, 8}), fc, "the input is empty");
  torch::nn::Linear no_bias(torch::nn::LinearOptions(8, 4).bias(false));
  expect_error(torch::randn({2, 8}), no_bias, "has no bias vector");
}

// The GPU's MLP backward (GELU's and the bias's gradients fused, VitConfig::fused_bias_gelu) on the
// CPU through the kernels' reference, against ATen's calls: the same logits (the forward is ATen's
// either way) and the same gradients up to rounding. Tolerance for the gradients as the fused add +
// LayerNorm's: 1e-4 in float32, 3e-2 under bfloat16, where a flipped rounding of one step travels on.
TEST(VitModel, FusedBiasGeluEqualsTheExactPath) {
  for (const auto precision : {Precision::fp32, Precision::bf16}) {
    SCOPED_TRACE(to_string(precision));
    auto exact = tiny_with_layout(false, false), fused = tiny_with_layout(false, false, true);
    const auto d = layout_distance(exact, fused, precision);
    EXPECT_EQ(d.logits, 0.0) << "logits";
    EXPECT_LE(d.gradients, precision == Precision::fp32 ? 1e-4 : 3e-2) << "gradients, worst " << d.worst;
    std::printf("fused GELU + bias backward vs ATen's calls, %s: logits %.3g, gradients %.3g (%s)\n",
                to_string(precision), d.logits, d.gradients, d.worst.c_str());
  }
}

// Everything the GPU layout changes at once (trainer.cpp on a GPU: packed attention where LibTorch
// has it, both fused kernels) against ATen's calls in PyTorch's layout: the CPU twin of
// gpu_step_check's bf16 gradient check, with its bounds (the single changes' bounds: 1e-5 and 1e-4
// in float32, 3e-2 under bfloat16 autocast).
TEST(VitModel, GpuLayoutEqualsTheExactPath) {
  const bool packed = LB_TORCH_AT_LEAST(2, 0);  // LibTorch 1.13: the two fused kernels only
  for (const auto precision : {Precision::fp32, Precision::bf16}) {
    SCOPED_TRACE(to_string(precision));
    auto exact = tiny_with_layout(false, false), gpu = tiny_with_layout(packed, true, true);
    const auto d = layout_distance(exact, gpu, precision);
    EXPECT_LE(d.logits, precision == Precision::fp32 ? 1e-5 : 3e-2) << "logits";
    EXPECT_LE(d.gradients, precision == Precision::fp32 ? 1e-4 : 3e-2) << "gradients, worst " << d.worst;
    std::printf("GPU layout%s vs ATen's calls, %s: logits %.3g, gradients %.3g (%s)\n", packed ? "" : " (unpacked)",
                to_string(precision), d.logits, d.gradients, d.worst.c_str());
  }
}

}  // namespace

}  // namespace lb
