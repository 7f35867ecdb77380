// The GPU path through LibTorch's device-generic API only (c10::Stream, c10::Event's guard
// implementation, the device allocator's statistics): no CUDA or HIP header, so the same code
// builds against LibTorch for CUDA and for ROCm (where HIP devices are LibTorch's "cuda" type).
#pragma once

#include <c10/core/Stream.h>
#include <torch/types.h>

#include <cstdint>
#include <optional>

namespace lb {

// Makes `device` the current GPU of this thread; nothing on CPU.
void use_device(const torch::Device& device);
// The native stream (cudaStream_t / hipStream_t) behind LibTorch's current stream on `device`,
// for our own kernels: nullptr on CPU and for LibTorch's default stream (the runtime's null
// stream). Throws std::logic_error for another stream where LibTorch cannot name it (before 2.7).
void* current_stream(const torch::Device& device);
// Whether our kernels can run on a stream other than LibTorch's default one: they need its native
// handle (c10::Stream::native_handle, after LibTorch 2.6).
bool kernels_follow_side_streams();

// While it lives, a stream from LibTorch's pool is the current one on `device` (graph capture
// needs one other than the default stream), starting after the work queued so far on the previous
// one; at its end the host waits for the stream's work and the previous stream is current again.
// Nothing on CPU.
class SideStream {
 public:
  explicit SideStream(const torch::Device& device);
  ~SideStream();
  SideStream(const SideStream&) = delete;
  SideStream& operator=(const SideStream&) = delete;

 private:
  std::optional<c10::Stream> previous_, stream_;
};

// Waits for the work queued on `device`'s current stream (every step's work: train/train_step.h).
// Nothing on CPU.
void wait_for_device(const torch::Device& device);

// Waits for the work queued on `device`'s current stream, then returns the blocks LibTorch's caching
// allocator keeps unused to the device (LibTorch 2.9+; before, the wait only), so that memory
// reserved by earlier steps can serve a graph capture's own pool. Nothing on CPU.
void release_cached_memory(const torch::Device& device);

// Peak bytes allocated by LibTorch's caching allocator on `device` since the start: 0 on CPU,
// nullopt where this LibTorch has no device-generic allocator statistics (before 2.9).
std::optional<std::int64_t> peak_device_memory(const torch::Device& device);

}  // namespace lb
