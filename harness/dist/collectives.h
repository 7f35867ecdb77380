// Collectives on tensors, as PyTorch DDP uses them, through LibTorch's own distributed engine
// (c10d), on a store every rank reaches (Communicator::make_store):
//  - nccl:  c10d's NCCL process group for GPU tensors (RCCL in ROCm builds of LibTorch);
//  - gloo:  c10d's Gloo process group, CPU tensors (and GPU tensors through host copies), in
//           LibTorch builds that ship Gloo's headers (Debian's do; PyTorch's wheels do not);
//  - store: the sum taken through the c10d store itself, with host copies on a side thread and the
//           device order kept by events: slow, for checking the gradient path where neither of the
//           others can run (two ranks sharing one GPU, which NCCL refuses, in a LibTorch without
//           Gloo's headers).
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
  // CPU: returns when the result is in the tensor. GPU: makes the current stream wait for it and
  // returns at once (nccl, store) or when the copy back is queued (gloo). Throws what the
  // collective failed with.
  virtual void wait() = 0;
};

enum class CommBackend { gloo, nccl, store };
const char* to_string(CommBackend backend);

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual CommBackend backend() const = 0;
  // The library with its version ("Gloo", "NCCL 2.21.5", "RCCL 2.18.3", "c10d store"), as LibTorch
  // reports it at run time.
  virtual std::string library() const = 0;
  // Sum over ranks, in place; returns at once.
  virtual std::unique_ptr<PendingCollective> allreduce_sum(torch::Tensor& tensor) = 0;
  virtual void broadcast(torch::Tensor& tensor, int root) = 0;  // blocking
};

// Throws std::runtime_error when the backend is not in this LibTorch (or this build), or the group
// cannot be formed within `timeout`. Collective: every rank calls it, in the same order.
std::unique_ptr<Collectives> make_collectives(Communicator& comm, CommBackend backend,
                                              std::chrono::milliseconds timeout);

// Whether this build can form the backend's process group.
bool collectives_available(CommBackend backend);

}  // namespace lb
