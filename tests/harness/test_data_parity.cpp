// The data pipeline and the schedule against PyTorch (reference/make_data_reference.py, a ctest
// fixture; its folder is LB_DATA_REFERENCE_DIR): the same split, shards, learning rates and pixels.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "harness/data/split.h"
#include "harness/model/torch_save_reader.h"
#include "kernels/preprocess.h"
#include "harness/train/schedule.h"

namespace lb {
namespace {

std::shared_ptr<PickleValue> reference(const std::string& file) {
  const char* dir = std::getenv("LB_DATA_REFERENCE_DIR");
  if (!dir) throw std::runtime_error("LB_DATA_REFERENCE_DIR not set");
  return read_torch_save(std::string(dir) + "/" + file);
}

std::vector<std::int64_t> as_vector(const torch::Tensor& t) {
  auto c = t.to(torch::kLong).contiguous();
  return std::vector<std::int64_t>(c.data_ptr<std::int64_t>(), c.data_ptr<std::int64_t>() + c.numel());
}

TEST(DataParity, SplitIsTorchRandomSplit) {
  auto ref = reference("split.pt");
  for (auto [n, seed, vf] : {std::tuple{1000, 42, 0.2}, std::tuple{37, 7, 0.3}}) {
    SCOPED_TRACE(n);
    const auto s = make_split(n, vf, std::uint64_t(seed), "");
    const std::string key = "split_" + std::to_string(n) + "_" + std::to_string(seed);
    EXPECT_EQ(s.train, as_vector(ref->find(key + "_train")->t));
    EXPECT_EQ(s.val, as_vector(ref->find(key + "_val")->t));
  }
}

TEST(DataParity, ShardsAreDistributedSamplers) {
  auto ref = reference("split.pt");
  for (auto [n, world] : {std::pair{10, 3}, std::pair{64, 4}, std::pair{7, 2}, std::pair{5, 8}}) {
    for (int epoch : {0, 3}) {
      std::vector<std::int64_t> all;
      for (int rank = 0; rank < world; ++rank) {
        SCOPED_TRACE(testing::Message() << n << " " << world << " " << epoch << " " << rank);
        const auto shard = shard_positions(n, 11, epoch, rank, world);
        const auto key = "shard_" + std::to_string(n) + "_" + std::to_string(world) + "_" + std::to_string(epoch) + "_" +
                         std::to_string(rank);
        EXPECT_EQ(shard, as_vector(ref->find(key)->t));
        all.insert(all.end(), shard.begin(), shard.end());
      }
      // The union of the shards is the whole epoch's permutation (plus DistributedSampler's padding).
      std::sort(all.begin(), all.end());
      all.erase(std::unique(all.begin(), all.end()), all.end());
      EXPECT_EQ(all.size(), size_t(n));
    }
  }
}

TEST(DataParity, OneCycleMatchesTorchOneCycleLR) {
  auto ref = reference("schedule.pt");
  const auto lr = ref->find("lr")->t, beta1 = ref->find("beta1")->t;
  const auto total = ref->find("total")->t.item<std::int64_t>();
  LrSchedule s("onecycle", 1e-3, total, ref->find("pct_start")->t.item<double>());
  for (std::int64_t i = 0; i < total; ++i) {
    EXPECT_NEAR(s.at(i).lr, lr[i].item<double>(), 1e-12) << "step " << i;
    EXPECT_NEAR(s.at(i).momentum, beta1[i].item<double>(), 1e-12) << "step " << i;
  }
}

// Both resize modes against torchvision's, whichever torchvision is installed (0.14 or 0.21).
TEST(DataParity, PreprocessMatchesTorchvisionTransforms) {
  auto ref = reference("preprocess.pt");
  for (auto [name, crop] : {std::pair{"guide", 224}, std::pair{"tiny", 32}, std::pair{"rect", 32}, std::pair{"big", 224}}) {
    for (const bool antialias : {true, false}) {
      const std::string mode = antialias ? "aa" : "plain";
      SCOPED_TRACE(std::string(name) + " " + mode);
      auto input = ref->find(std::string(name) + "_input")->t.contiguous();
      auto expected = ref->find(std::string(name) + "_" + mode + "_expected")->t;
      const auto spec = guide_preprocess_spec(int(input.size(2)), int(input.size(3)), crop, antialias);
      auto out = torch::empty({input.size(0), 3, crop, crop});
      preprocess_cpu(input.data_ptr<float>(), out.data_ptr<float>(), int(input.size(0)), spec);
      const double err = (out - expected).abs().max().item<double>();
      EXPECT_LE(err, 1e-5) << "max abs error " << err;
      std::cout << "[ parity  ] preprocess " << name << " (" << mode << "): max abs error " << err << "\n";
    }
  }
}

}  // namespace
}  // namespace lb
