// Background loading: worker threads read and preprocess whole batches into a bounded window of
// `prefetch` batches ahead of the consumer. Batch k always holds the k-th list of indices, whatever
// the number of workers, so the sample order depends on the seed alone. For GPU runs the workers
// only read: batches stay at the stored size (64x64 for Tiny ImageNet, 12x fewer bytes than
// 224x224) in pinned memory, and the trainer copies them without blocking and preprocesses them on
// the device (kernels/preprocess.cpp).
#pragma once

#include <torch/types.h>

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "harness/data/dataset.h"
#include "kernels/preprocess.h"

namespace lb {

struct Batch {
  torch::Tensor images;  // preprocessed [B, 3, S, S], or raw [B, 3, H, W] in [0, 1] when !preprocessed
  torch::Tensor labels;  // [B] int64
  bool preprocessed = true;
};

struct LoaderOptions {
  int workers = 2;
  int prefetch = 4;
  bool preprocess = true;  // false: raw batches for preprocessing on the device
  bool pinned = false;     // page-locked host memory (non-blocking copies to a GPU)
};

class BatchLoader {
 public:
  BatchLoader(const Dataset& dataset, const PreprocessSpec& spec, const LoaderOptions& options);
  ~BatchLoader();
  BatchLoader(const BatchLoader&) = delete;
  BatchLoader& operator=(const BatchLoader&) = delete;

  // Starts producing these batches (dataset indices), abandoning any previous pass.
  void start(std::vector<std::vector<std::int64_t>> batches);
  // The next batch in order; nullopt after the last. Rethrows a worker's error.
  std::optional<Batch> next();

 private:
  void stop();
  void work();
  Batch produce(const std::vector<std::int64_t>& indices) const;

  const Dataset& dataset_;
  PreprocessSpec spec_;
  LoaderOptions options_;
  std::vector<std::vector<std::int64_t>> batches_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<size_t, Batch> ready_;
  size_t next_to_claim_ = 0, next_to_return_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace lb
