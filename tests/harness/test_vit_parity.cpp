// The C++ ViT against torchvision: same weights and batch give the same logits, and the same
// optimizer steps give the same parameters. The reference directory is written by
// reference/make_vit_reference.py (a ctest fixture) into the folder LB_VIT_REFERENCE_DIR names.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>
#include <fstream>

#include "harness/model/torch_save_reader.h"
#include "harness/model/vit.h"
#include "harness/model/weights.h"
#include "tensor_compare.h"
#include "harness/train/optimizer.h"

namespace lb {
namespace {

constexpr double kTolerance = 1e-5;  // fp32, one thread, as the issue states
constexpr double kFusedTolerance = 1e-3;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class VitParity : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = env("LB_VIT_REFERENCE_DIR");
    if (dir_.empty()) GTEST_FAIL() << "LB_VIT_REFERENCE_DIR not set";
    std::ifstream(dir_ + "/model.txt") >> model_name_;
    if (model_name_.empty()) GTEST_FAIL() << dir_ << "/model.txt missing";
    torch::set_num_threads(1);
    auto batch = read_torch_save(dir_ + "/batch.pt");
    images_ = batch->find("images")->t;
    labels_ = batch->find("labels")->t;
    logits_ = batch->find("logits")->t;
    loss_ = batch->find("loss")->t;
    num_classes_ = int(logits_.size(1));
  }

  VisionTransformer load() {
    torch::manual_seed(123);  // our own init is overwritten entirely by the file
    VisionTransformer model(vit_config(model_name_, num_classes_));
    load_weights(model, dir_ + "/weights.pt");
    model->train();
    return model;
  }

  std::vector<std::pair<std::string, torch::Tensor>> state(VisionTransformer& model) {
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& p : model->named_parameters()) out.emplace_back(p.key(), p.value());
    return out;
  }

  std::string dir_, model_name_;
  torch::Tensor images_, labels_, logits_, loss_;
  int num_classes_ = 0;
};

TEST_F(VitParity, KeysAreTorchvisionsInOrder) {
  std::ifstream in(dir_ + "/keys.txt");
  std::vector<std::string> expected;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) expected.push_back(line);
  VisionTransformer model(vit_config(model_name_, num_classes_));
  std::vector<std::string> actual;
  for (const auto& p : model->named_parameters()) actual.push_back(p.key());
  EXPECT_EQ(actual, expected);
}

TEST_F(VitParity, LogitsMatch) {
  auto model = load();
  auto logits = model->forward(images_);
  const double err = test::relative_error(logits, logits_);
  EXPECT_LE(err, kTolerance) << "logits max relative error " << err;
  auto loss = torch::nn::functional::cross_entropy(logits, labels_);
  EXPECT_LE(test::relative_error(loss, loss_), kTolerance);
  std::cout << "[ parity  ] " << model_name_ << " logits max relative error " << err << "\n";
}

class VitParityStep : public VitParity, public ::testing::WithParamInterface<std::tuple<std::string, std::string>> {};

// Both implementations against torch.optim: `torch` (torch::optim, per parameter) and `fused`
// (one pass per element; same formula, rounding may differ in the last bits).
TEST_P(VitParityStep, ParametersMatchAfterSteps) {
  const std::string optimizer = std::get<0>(GetParam());
  auto model = load();
  OptimizerSettings s;
  s.name = optimizer;
  s.impl = std::get<1>(GetParam());
  s.lr = 1e-3;
  s.weight_decay = optimizer == "adamw" ? 0.05 : 0.0;  // as make_vit_reference.py
  auto opt = make_optimizer(model->parameters(), s);
  const int steps = 2;
  for (int i = 0; i < steps; ++i) {
    for (auto& p : model->parameters()) p.mutable_grad() = torch::Tensor();
    torch::nn::functional::cross_entropy(model->forward(images_), labels_).backward();
    opt->step();
  }
  auto expected = read_state_dict(dir_ + "/after_" + optimizer + ".pt");
  auto actual = state(model);
  double tolerance = kTolerance;
  if (s.impl == "fused") {
    // The fused update rounds differently in the last bit; Adam turns that, one step later, into
    // +-lr noise where the gradient is rounding noise itself: the attention key bias, whose
    // gradient is exactly zero in exact arithmetic. As in ddp_equivalence.cpp, that third of
    // in_proj_bias is left out and the tolerance is 1e-3, as for Adam there (seen: 2.1e-5 with
    // LibTorch 1.13, 1.3e-4 with 2.6, whose attention is the fused kernel).
    tolerance = kFusedTolerance;
    auto drop_key_bias = [](std::vector<std::pair<std::string, torch::Tensor>>& dict) {
      for (auto& [key, t] : dict) {
        if (key.find("in_proj_bias") == std::string::npos) continue;
        const auto d = t.size(0) / 3;
        t = torch::cat({t.narrow(0, 0, d), t.narrow(0, 2 * d, d)});
      }
    };
    drop_key_bias(actual);
    drop_key_bias(expected);
  }
  auto report = test::compare_named(actual, expected, tolerance);
  std::cout << "[ parity  ] " << model_name_ << " " << optimizer << " (" << opt->impl() << ") after " << steps
            << " steps: max relative error " << report.max_error << " (" << report.worst << ")\n";
  EXPECT_TRUE(report.failures.empty()) << report.summary();
}

INSTANTIATE_TEST_SUITE_P(Optimizers, VitParityStep,
                         ::testing::Combine(::testing::Values("adam", "adamw"), ::testing::Values("torch", "fused")),
                         [](const auto& info) { return std::get<0>(info.param) + "_" + std::get<1>(info.param); });

// torchvision's scheme, tensor by tensor: a fresh C++ model's statistics against a fresh Python
// model's (different random streams, so statistics, not values).
TEST_F(VitParity, InitialisationFollowsTorchvision) {
  auto stats = read_torch_save(dir_ + "/init_stats.pt");
  torch::manual_seed(0);
  VisionTransformer model(vit_config(model_name_, num_classes_));
  auto params = model->named_parameters();
  for (const auto& [key, value] : stats->entries) {
    SCOPED_TRACE(key);
    auto* p = params.find(key);
    ASSERT_NE(p, nullptr);
    auto ref = value->t.to(torch::kDouble);
    const double ref_mean = ref[0].item<double>(), ref_std = ref[1].item<double>();
    const double ref_min = ref[2].item<double>(), ref_max = ref[3].item<double>();
    auto t = p->to(torch::kDouble);
    const double mean = t.mean().item<double>(), std = t.numel() > 1 ? t.std().item<double>() : 0.0;
    if (ref_std == 0) {  // constants: zeros and ones
      EXPECT_EQ(t.min().item<double>(), ref_min);
      EXPECT_EQ(t.max().item<double>(), ref_max);
      continue;
    }
    // Sample statistics of n draws: allow 6 standard errors plus 2% for small tensors.
    const double n = double(t.numel());
    EXPECT_NEAR(std, ref_std, ref_std * (0.02 + 6.0 / std::sqrt(2 * n)));
    EXPECT_NEAR(mean, ref_mean, 6.0 * ref_std / std::sqrt(n) + std::abs(ref_mean) * 0.02);
    // Bounded distributions (uniform, truncated normal) keep their bounds.
    EXPECT_LE(t.max().item<double>(), std::max(ref_max, 0.0) * 1.5 + 1e-12);
  }
}

TEST_F(VitParity, WrongClassCountIsListedAndReplaceHeadFixesIt) {
  VisionTransformer other(vit_config(model_name_, num_classes_ + 3));
  try {
    load_weights(other, dir_ + "/weights.pt");
    FAIL() << "expected a shape mismatch";
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("heads.head.weight (file [" + std::to_string(num_classes_)), std::string::npos) << m;
    EXPECT_NE(m.find("--replace-head"), std::string::npos) << m;
  }
  LoadWeightsOptions o;
  o.replace_head = true;
  load_weights(other, dir_ + "/weights.pt", o);
  auto file = read_state_dict(dir_ + "/weights.pt");
  auto params = other->named_parameters();
  EXPECT_TRUE(torch::equal(*params.find("conv_proj.weight"), file[1].second));  // file order: class_token, conv_proj.weight
  EXPECT_EQ(params.find("heads.head.weight")->abs().max().item<double>(), 0.0);  // torchvision's fresh head
}

TEST_F(VitParity, ForeignFilesAreRefusedWithTheirName) {
  const std::string legacy = dir_ + "/legacy.pt";
  std::ofstream(legacy) << "\x80\x02not a zip";
  try {
    read_state_dict(legacy);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("legacy.pt: not a torch.save zip archive"), std::string::npos) << e.what();
  }
  try {
    read_state_dict(dir_ + "/missing.pt");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot open"), std::string::npos);
  }
  VisionTransformer model(vit_config(model_name_, num_classes_));
  try {
    load_weights(model, dir_ + "/batch.pt");  // a dict of tensors, but not this model's
    FAIL();
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("missing (class_token"), std::string::npos) << m;
    EXPECT_NE(m.find("unexpected (images"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace lb
