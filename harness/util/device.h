// The vendor- and version-specific bits of the GPU path, in one place: making a GPU current, its
// current stream for our own kernels, and LibTorch's memory high-water mark. CPU builds compile
// the CPU answers only (LB_TORCH_GPU is defined when LibTorch was built for CUDA or ROCm).
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace lb {

// Makes `device` the current GPU of this thread (set_device); nothing on CPU.
void use_device(const torch::Device& device);
// The native stream (cudaStream_t / hipStream_t) LibTorch's current stream wraps on `device`;
// nullptr on CPU.
void* current_stream(const torch::Device& device);
// Peak bytes allocated by LibTorch's caching allocator on `device` since the start; 0 on CPU.
std::int64_t peak_device_memory(const torch::Device& device);
// Whether this LibTorch can run on GPUs at all.
bool gpu_build();

}  // namespace lb
