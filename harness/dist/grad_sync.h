// Data-parallel gradient averaging as PyTorch's DDP does it (gradient_as_bucket_view): parameters
// are packed, in reverse registration order (roughly the order backward produces their
// gradients), into contiguous buckets of about `bucket_bytes`, and every parameter's .grad is a
// view into its bucket, so autograd accumulates straight into the buckets and nothing is copied.
// A hook after each gradient's accumulation counts the bucket down; a complete bucket is divided
// by the world size and its asynchronous allreduce starts at once, overlapping the rest of
// backward. Buckets are launched in index order on every rank. On a GPU the allreduce runs on
// NCCL's stream after the compute stream's work so far; nothing waits for the whole device.
#pragma once

#include <torch/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/dist/collectives.h"

namespace lb {

class Communicator;

class GradientSynchronizer {
 public:
  // With one rank (collectives == nullptr) it does nothing and owns no gradients.
  GradientSynchronizer(Communicator& comm, Collectives* collectives, std::vector<torch::Tensor> params,
                       double bucket_bytes);
  ~GradientSynchronizer();
  GradientSynchronizer(const GradientSynchronizer&) = delete;
  GradientSynchronizer& operator=(const GradientSynchronizer&) = delete;

  // True when the gradients live in the buckets: the caller must not reset .grad then.
  bool owns_gradients() const { return !buckets_.empty(); }
  // Before backward: zeroes the buckets (the gradients).
  void begin_step();
  // After backward: launches what is left, then waits (CPU) or makes the current stream wait
  // (GPU) for every bucket. While waiting on CPU, failures reported by other ranks are checked.
  void finish();
  int bucket_count() const { return int(buckets_.size()); }

 private:
  struct Bucket {
    std::vector<int> params;  // indices into params_
    torch::Tensor flat;       // the gradients' storage
    int pending = 0;
    bool ready = false;
    std::unique_ptr<PendingCollective> work;
  };
  void on_accumulated(int param);
  void launch_ready();  // in index order; with mu_ held

  Communicator& comm_;
  Collectives* collectives_;
  std::vector<torch::Tensor> params_;
  std::vector<int> bucket_of_;
  std::vector<Bucket> buckets_;
  std::vector<std::shared_ptr<void>> accumulators_;  // keep the hooked AccumulateGrad nodes alive
  size_t next_launch_ = 0;
  std::mutex mu_;
};

// Copies rank 0's values into every rank's tensors.
void broadcast_parameters(Collectives* collectives, const std::vector<torch::Tensor>& params);

}  // namespace lb
