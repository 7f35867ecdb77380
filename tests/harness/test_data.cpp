// Data: subset arithmetic, synthetic determinism, loader order, the guide's HDF5 format.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdlib>

#include "harness/train/settings.h"
#include "harness/data/dataset.h"
#include "harness/data/loader.h"
#include "harness/data/split.h"
#include "harness/model/torch_save_reader.h"
#include "common/errors.h"

namespace lb {
namespace {

TEST(Subset, PercentagesAndCounts) {
  EXPECT_EQ(subset_train_samples("", 80000), 80000);
  EXPECT_EQ(subset_train_samples("1%", 80000), 800);
  EXPECT_EQ(subset_train_samples("2%", 80000), 1600);
  EXPECT_EQ(subset_train_samples("0.5%", 80000), 400);
  EXPECT_EQ(subset_train_samples("800", 80000), 800);
  EXPECT_EQ(subset_train_samples("0.0001%", 80000), 1);  // never empty
  EXPECT_EQ(subset_train_samples("100%", 80001), 80001);
  for (const char* bad : {"0", "-5", "abc", "101%", "5%%", "1e3", "0%"}) EXPECT_THROW(subset_train_samples(bad, 80000), UsageError) << bad;
  EXPECT_THROW(subset_train_samples("80001", 80000), UsageError);
}

TEST(Subset, ValidationFollowsInTheSameProportion) {
  const auto s = make_split(100000, 0.2, 42, "1%");
  EXPECT_EQ(s.full_train, 80000);
  EXPECT_EQ(s.full_val, 20000);
  EXPECT_EQ(s.train.size(), 800u);
  EXPECT_EQ(s.val.size(), 200u);
  const auto full = make_split(100000, 0.2, 42, "");
  // The subset is the head of the same random order: a uniform sample of the split.
  EXPECT_TRUE(std::equal(s.train.begin(), s.train.end(), full.train.begin()));
  EXPECT_TRUE(std::equal(s.val.begin(), s.val.end(), full.val.begin()));
}

TEST(Synthetic, DeterministicFromSeedAndIndex) {
  auto a = make_synthetic_dataset(1000, 200, 7), b = make_synthetic_dataset(1000, 200, 7), c = make_synthetic_dataset(1000, 200, 8);
  EXPECT_EQ(a->labels(), b->labels());
  EXPECT_NE(a->labels(), c->labels());
  const auto n = a->shape().numel();
  std::vector<float> x(2 * n), y(2 * n), z(2 * n);
  a->read_images({3, 900}, x.data());
  b->read_images({3, 900}, y.data());
  c->read_images({3, 900}, z.data());
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  EXPECT_NE(std::vector<float>(x.begin(), x.begin() + n), std::vector<float>(x.begin() + n, x.end()));
  for (float v : x) ASSERT_TRUE(v >= 0.0f && v <= 1.0f);
  // The Tiny ImageNet shapes by default.
  EXPECT_EQ(a->shape().height, 64);
  EXPECT_EQ(a->shape().channels, 3);
  // Reading one sample alone gives the same pixels as reading it in a batch.
  std::vector<float> one(n);
  a->read_images({900}, one.data());
  EXPECT_TRUE(std::equal(one.begin(), one.end(), x.begin() + n));
}

TEST(Synthetic, ClassesDifferMoreThanSamplesWithinAClass) {
  auto d = make_synthetic_dataset(4000, 10, 1);
  const auto n = d->shape().numel();
  std::vector<std::vector<double>> mean(10, std::vector<double>(3, 0.0));
  std::vector<int> count(10, 0);
  std::vector<float> img(n);
  for (std::int64_t i = 0; i < 400; ++i) {
    d->read_images({i}, img.data());
    const int l = d->labels()[i];
    for (int c = 0; c < 3; ++c) {
      double s = 0;
      for (std::int64_t p = 0; p < n / 3; ++p) s += img[c * (n / 3) + p];
      mean[l][c] += s / double(n / 3);
    }
    ++count[l];
  }
  double spread = 0;
  for (int l = 0; l < 10; ++l)
    for (int c = 0; c < 3; ++c) spread += std::abs(mean[l][c] / count[l] - mean[0][c] / count[0]);
  EXPECT_GT(spread / 27, 0.05);  // class colours are far apart
}

std::vector<Batch> drain(BatchLoader& loader, const std::vector<std::vector<std::int64_t>>& batches) {
  loader.start(batches);
  std::vector<Batch> out;
  while (auto b = loader.next()) out.push_back(std::move(*b));
  return out;
}

TEST(Loader, OrderIndependentOfWorkerCount) {
  auto d = make_synthetic_dataset(500, 10, 3);
  const auto split = make_split(500, 0.2, 3, "");
  const auto batches = make_batches(shard_positions(std::int64_t(split.train.size()), 3, 0, 0, 1), split.train, 7);
  const auto spec = guide_preprocess_spec(64, 64, 32);
  BatchLoader one(*d, spec, {1, 1}), many(*d, spec, {4, 3});
  const auto a = drain(one, batches), b = drain(many, batches);
  ASSERT_EQ(a.size(), batches.size());
  ASSERT_EQ(b.size(), batches.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(torch::equal(a[i].images, b[i].images)) << "batch " << i;
    EXPECT_TRUE(torch::equal(a[i].labels, b[i].labels)) << "batch " << i;
    EXPECT_EQ(a[i].images.size(0), std::int64_t(batches[i].size()));
  }
  // Labels arrive in the order the indices were asked for (the reader sorts them internally).
  for (size_t k = 0; k < batches[0].size(); ++k) EXPECT_EQ(a[0].labels[k].item<std::int64_t>(), d->labels()[batches[0][k]]);
}

class FailingDataset : public Dataset {
 public:
  std::int64_t size() const override { return 10; }
  ImageShape shape() const override { return {}; }
  std::string source() const override { return "test"; }
  const std::vector<std::int32_t>& labels() const override { return labels_; }
  void read_images(const std::vector<std::int64_t>&, float*) const override { throw std::runtime_error("disk gone"); }
  std::vector<std::int32_t> labels_ = std::vector<std::int32_t>(10, 0);
};

TEST(Loader, WorkerErrorsReachTheConsumer) {
  FailingDataset d;
  BatchLoader loader(d, guide_preprocess_spec(64, 64, 32), {2, 2});
  loader.start({{0, 1}, {2, 3}});
  EXPECT_THROW(loader.next(), std::runtime_error);
}

// GPU runs take raw batches (preprocessed on the device): the same images, in the same order, as
// they were stored.
TEST(Loader, RawBatchesAreTheStoredImagesInBatchOrder) {
  auto d = make_synthetic_dataset(200, 10, 3);
  LoaderOptions raw;
  raw.workers = 2;
  raw.preprocess = false;
  const auto spec = guide_preprocess_spec(64, 64, 32);
  BatchLoader loader(*d, spec, raw), cooked(*d, spec, {2, 2});
  const std::vector<std::vector<std::int64_t>> batches = {{7, 3, 150, 9}, {1, 0}};
  const auto a = drain(loader, batches), b = drain(cooked, batches);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_FALSE(a[0].preprocessed);
  EXPECT_EQ(a[0].images.sizes(), (std::vector<std::int64_t>{4, 3, 64, 64}));
  std::vector<float> one(3 * 64 * 64);
  d->read_images({150}, one.data());
  EXPECT_TRUE(torch::equal(a[0].images[2], torch::from_blob(one.data(), {3, 64, 64}))) << "image 150 in place 2";
  // Preprocessing the raw batch on the host gives exactly what the host path delivers.
  auto out = torch::empty({4, 3, 32, 32});
  preprocess_cpu(a[0].images.data_ptr<float>(), out.data_ptr<float>(), 4, spec);
  EXPECT_TRUE(torch::equal(out, b[0].images));
  EXPECT_TRUE(torch::equal(a[1].labels, b[1].labels));
}

std::string guide_dir() {
  const char* dir = std::getenv("LB_GUIDE_DATA_DIR");
  if (!dir) throw std::runtime_error("LB_GUIDE_DATA_DIR not set");
  return dir;
}

TEST(GuideHdf5, ReadsWhatH5pyWrote) {
  auto expected = read_torch_save(guide_dir() + "/expected.pt");
  const auto indices = expected->find("indices")->t.to(torch::kLong);
  std::vector<std::int64_t> idx(indices.data_ptr<std::int64_t>(), indices.data_ptr<std::int64_t>() + indices.numel());
  for (const char* file : {"guide_contiguous.h5", "guide_chunked.h5"}) {
    SCOPED_TRACE(file);
    auto d = open_dataset(guide_dir() + "/" + file, 10, 0, 0);
    EXPECT_EQ(d->source(), "hdf5");
    EXPECT_EQ(d->size(), 300);
    EXPECT_EQ(d->shape().height, 64);
    auto images = torch::empty({std::int64_t(idx.size()), 3, 64, 64});
    d->read_images(idx, images.data_ptr<float>());  // ascending: 2, 5, 9, 100, 299 (two runs merge)
    EXPECT_TRUE(torch::equal(images, expected->find("images")->t));
    for (size_t i = 0; i < idx.size(); ++i) EXPECT_EQ(d->labels()[idx[i]], expected->find("labels")->t[i].item<std::int64_t>());
    // Adjacent indices form one hyperslab run.
    auto run = torch::empty({3, 3, 64, 64});
    d->read_images({4, 5, 6}, run.data_ptr<float>());
    EXPECT_TRUE(torch::equal(run[1], expected->find("images")->t[1]));
  }
}

TEST(GuideHdf5, MalformedFilesAreNamedWithTheExpectedLayout) {
  auto message = [&](const std::string& file, int classes = 10) {
    try {
      open_dataset(guide_dir() + "/" + file, classes, 0, 0);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("bad_dtype.h5").find("'images' is not float32"), std::string::npos);
  EXPECT_NE(message("bad_shape.h5").find("'images' has 3 dimensions"), std::string::npos);
  EXPECT_NE(message("no_labels.h5").find("no dataset 'labels'"), std::string::npos);
  EXPECT_NE(message("bad_labels.h5").find("outside [0, 10)"), std::string::npos);
  EXPECT_NE(message("not_hdf5.h5").find("not an HDF5 file"), std::string::npos);
  EXPECT_NE(message("missing.h5").find("no such file"), std::string::npos);
  EXPECT_NE(message("bad_shape.h5").find("expected 'images' float32 [N,3,H,W]"), std::string::npos);
}

}  // namespace
}  // namespace lb
