// Data-parallel gradient averaging in flat buckets, as PyTorch's DDP does it: parameters are
// packed, in reverse registration order (roughly the order backward produces their gradients),
// into contiguous buckets of about `bucket_bytes`; a gradient hook copies each gradient into its
// bucket, and a bucket's non-blocking allreduce starts as soon as its last gradient arrives, so
// communication overlaps the rest of backward. finish() waits for what is left (the exposed
// communication time), scales by 1/world_size and writes the averages into every .grad.
#pragma once

#include <torch/torch.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "dist/communicator.h"

namespace lb {

class GradientSynchronizer {
 public:
  // comm_path: "auto" | "host" | "gpu-aware" (ignored on CPU). Registers hooks on `params`.
  GradientSynchronizer(Communicator& comm, std::vector<torch::Tensor> params, double bucket_bytes,
                       const std::string& comm_path);

  // Call before backward.
  void begin_step();
  // Call after backward; returns the seconds spent waiting for communication.
  double finish();

  // "none" (one rank), "host" (CPU tensors), "host-staged" or "gpu-aware"
  const std::string& path() const { return path_; }
  int bucket_count() const { return int(buckets_.size()); }

 private:
  struct Bucket {
    std::vector<int> params;     // indices into params_
    std::vector<long> offsets;   // element offset of each param in `flat`
    torch::Tensor flat;          // on the parameters' device
    torch::Tensor host;          // pinned host copy when staging
    int pending = 0;             // gradients still missing this step
    bool launched = false;
  };

  void on_grad(int param, const torch::Tensor& grad);
  void launch(Bucket& b);

  Communicator& comm_;
  std::vector<torch::Tensor> params_;
  std::vector<int> bucket_of_, slot_of_;  // per parameter: its bucket and its place in it
  std::vector<char> arrived_;  // per parameter, this step
  std::vector<Bucket> buckets_;
  std::vector<MPI_Request> requests_;
  std::mutex mu_;
  std::string path_;
  bool staged_ = false;
};

// Copies rank 0's values into every rank's tensors (through host memory).
void broadcast_parameters(Communicator& comm, const std::vector<torch::Tensor>& params);

}  // namespace lb
