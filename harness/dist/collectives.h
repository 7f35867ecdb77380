// Collectives on tensors through LibTorch's own distributed engine (c10d), as PyTorch DDP uses it:
// Gloo for CPU tensors, NCCL for GPU tensors (RCCL in ROCm builds of LibTorch). The process group
// is bootstrapped over MPI: rank 0 starts a c10d TCPStore and broadcasts its address.
#pragma once

#include <torch/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace lb {

class Communicator;

// An allreduce in flight.
class PendingCollective {
 public:
  virtual ~PendingCollective() = default;
  virtual bool done() = 0;  // without waiting
  // CPU: returns when the result is in the tensor. GPU (NCCL): makes the current stream wait for
  // it and returns at once. Throws what the collective failed with.
  virtual void wait() = 0;
};

class Collectives {
 public:
  virtual ~Collectives() = default;
  // "gloo" or "nccl"; the library with its version ("Gloo", "NCCL 2.21.5", "RCCL ...").
  virtual const char* backend() const = 0;
  virtual std::string library() const = 0;
  // Sum over ranks, in place; returns at once.
  virtual std::unique_ptr<PendingCollective> allreduce_sum(torch::Tensor& tensor) = 0;
  virtual void broadcast(torch::Tensor& tensor, int root) = 0;  // blocking
};

// backend: "gloo" (CPU tensors) or "nccl" (GPU tensors). Throws std::runtime_error when the
// backend is not built into this LibTorch, or the group cannot be formed within `timeout`.
std::unique_ptr<Collectives> make_collectives(Communicator& comm, const std::string& backend,
                                              const torch::Device& device, std::chrono::milliseconds timeout);

// Whether this LibTorch has the backend ("gloo", "nccl").
bool collectives_available(const std::string& backend);

}  // namespace lb
