// Data-parallel gradient averaging as PyTorch's DDP does it (gradient_as_bucket_view): parameters
// are packed into contiguous buckets and every parameter's .grad is a view into its bucket, so
// autograd accumulates straight into the buckets and nothing is copied. A hook after each
// gradient's accumulation counts its bucket down; a complete bucket is divided by the world size
// and its asynchronous allreduce starts at once, overlapping the rest of backward. Buckets are
// launched in index order on every rank (collectives must match).
//
// Bucket order, as DDP shapes it: the first step packs parameters in reverse registration order
// (roughly the order backward produces their gradients), with a small first bucket (1 MB, DDP's
// default) so communication starts early; the step records the order in which gradients actually
// became ready, and before the second step the buckets are rebuilt in rank 0's observed order (the
// same on every rank), the first one small again.
//
// On a GPU with NCCL the allreduce runs on NCCL's stream after the compute stream's work so far and
// finish() only makes the compute stream wait: nothing waits for the device. The other backends
// finish on the host; their completion is polled so that rank 0 notices a failed rank.
#pragma once

#include <torch/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "harness/dist/collectives.h"

namespace lb {

class Communicator;

struct BucketPlan {
  double bucket_bytes = 25e6;       // --comm-bucket-mb
  double first_bucket_bytes = 1e6;  // DDP's first bucket: small, so the first allreduce starts early
  bool rebuild = true;              // rebuild by the order seen in the first step
  bool overlap = true;              // launch each bucket when it is complete; false: all at finish()
                                    // (the baseline the overlap is measured against, bench/overlap.sh)
};

class GradientSynchronizer {
 public:
  // With one rank (collectives == nullptr) it does nothing and owns no gradients.
  GradientSynchronizer(Communicator& comm, Collectives* collectives, std::vector<torch::Tensor> params,
                       BucketPlan plan = {});
  ~GradientSynchronizer();
  GradientSynchronizer(const GradientSynchronizer&) = delete;
  GradientSynchronizer& operator=(const GradientSynchronizer&) = delete;

  // True when the gradients live in the buckets: the caller must not reset .grad then.
  bool owns_gradients() const { return !buckets_.empty(); }
  // Before backward: zeroes the buckets (the gradients); before the second step, first rebuilds
  // them in the observed order (collective: rank 0's order is broadcast).
  void begin_step();
  // After backward: launches what is left, then waits (host backends, polled) or makes the current
  // stream wait (NCCL) for every bucket.
  void finish();
  int bucket_count() const { return int(buckets_.size()); }
  // Parameter indices per bucket, in launch order.
  std::vector<std::vector<int>> buckets() const;
  // The order gradients became ready in the first step (this rank's); empty before it.
  const std::vector<int>& observed_order() const { return observed_; }

 private:
  struct Bucket {
    std::vector<int> params;  // indices into params_
    torch::Tensor flat;       // the gradients' storage
    int pending = 0;
    bool ready = false;
    std::unique_ptr<PendingCollective> work;
  };
  void build(const std::vector<int>& order);
  void on_accumulated(int param);
  void launch_ready();  // in index order; with mu_ held

  Communicator& comm_;
  Collectives* collectives_;
  std::vector<torch::Tensor> params_;
  BucketPlan plan_;
  std::vector<int> bucket_of_;
  std::vector<Bucket> buckets_;
  std::vector<std::shared_ptr<void>> accumulators_;  // keep the hooked AccumulateGrad nodes alive
  size_t next_launch_ = 0;
  int steps_begun_ = 0;
  std::vector<int> observed_;
  bool recording_ = false;
  std::mutex mu_;
};

// Copies rank 0's values into every rank's tensors.
void broadcast_parameters(Collectives* collectives, const std::vector<torch::Tensor>& params);

}  // namespace lb
