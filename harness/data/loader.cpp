#include "harness/data/loader.h"

#include <algorithm>
#include <numeric>


namespace lb {

BatchLoader::BatchLoader(const Dataset& dataset, const PreprocessSpec& spec, const LoaderOptions& options)
    : dataset_(dataset), spec_(spec), options_(options) {
  options_.workers = std::max(1, options_.workers);
  options_.prefetch = std::max(1, options_.prefetch);
}

BatchLoader::~BatchLoader() { stop(); }

void BatchLoader::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
  threads_.clear();
}

void BatchLoader::start(std::vector<std::vector<std::int64_t>> batches) {
  stop();
  batches_ = std::move(batches);
  ready_.clear();
  next_to_claim_ = next_to_return_ = 0;
  stopping_ = false;
  error_ = nullptr;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
}

void BatchLoader::work() {
  for (;;) {
    size_t k;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || next_to_claim_ < std::min(batches_.size(), next_to_return_ + size_t(options_.prefetch)); });
      if (stopping_ || next_to_claim_ >= batches_.size()) return;
      k = next_to_claim_++;
    }
    try {
      Batch b = produce(batches_[k]);
      std::lock_guard<std::mutex> lock(mu_);
      ready_.emplace(k, std::move(b));
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu_);
      if (!error_) error_ = std::current_exception();
      stopping_ = true;
    }
    cv_.notify_all();
  }
}

// Reads in ascending index order (one hyperslab selection per batch), preprocesses into batch order.
Batch BatchLoader::produce(const std::vector<std::int64_t>& indices) const {
  const auto n = std::int64_t(indices.size());
  std::vector<std::int64_t> order(indices.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return indices[a] < indices[b]; });
  std::vector<std::int64_t> sorted(indices.size());
  for (size_t i = 0; i < order.size(); ++i) sorted[i] = indices[order[i]];

  const ImageShape shape = dataset_.shape();
  std::vector<float> raw(size_t(n * shape.numel()));
  dataset_.read_images(sorted, raw.data());

  Batch b;
  b.preprocessed = options_.preprocess;
  const auto host = torch::TensorOptions().dtype(torch::kFloat).pinned_memory(options_.pinned);
  b.images = options_.preprocess ? torch::empty({n, 3, spec_.crop, spec_.crop}, host)
                                 : torch::empty({n, shape.channels, shape.height, shape.width}, host);
  b.labels = torch::empty({n}, torch::TensorOptions().dtype(torch::kLong).pinned_memory(options_.pinned));
  float* out = b.images.data_ptr<float>();
  auto* labels = b.labels.data_ptr<std::int64_t>();
  const std::int64_t out_numel = options_.preprocess ? 3LL * spec_.crop * spec_.crop : shape.numel();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t dest = order[size_t(i)];  // sorted position i belongs at batch position order[i]
    const float* src = raw.data() + i * shape.numel();
    if (options_.preprocess) {
      preprocess_cpu(src, out + dest * out_numel, 1, spec_);
    } else {
      std::copy(src, src + shape.numel(), out + dest * out_numel);
    }
    labels[dest] = dataset_.labels()[size_t(sorted[size_t(i)])];
  }
  return b;
}

std::optional<Batch> BatchLoader::next() {
  std::unique_lock<std::mutex> lock(mu_);
  if (next_to_return_ >= batches_.size()) return std::nullopt;
  cv_.wait(lock, [&] { return error_ || ready_.count(next_to_return_) > 0; });
  if (error_) std::rethrow_exception(error_);
  auto it = ready_.find(next_to_return_);
  Batch b = std::move(it->second);
  ready_.erase(it);
  ++next_to_return_;
  lock.unlock();
  cv_.notify_all();
  return b;
}

}  // namespace lb
