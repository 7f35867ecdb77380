#include "harness/util/device.h"

#include <c10/core/impl/VirtualGuardImpl.h>

#if defined(LB_TORCH_GPU)
#if defined(USE_ROCM) && __has_include(<c10/hip/HIPStream.h>)
#include <c10/hip/HIPCachingAllocator.h>
#include <c10/hip/HIPStream.h>
#else
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAStream.h>
#endif
#endif

namespace lb {

void use_device(const torch::Device& device) {
  if (!device.is_cuda()) return;
  c10::impl::VirtualGuardImpl(c10::DeviceType::CUDA).setDevice(device);
}

bool gpu_build() {
#if defined(LB_TORCH_GPU)
  return true;
#else
  return false;
#endif
}

void* current_stream(const torch::Device& device) {
  if (!device.is_cuda()) return nullptr;
#if defined(LB_TORCH_GPU)
#if defined(USE_ROCM) && __has_include(<c10/hip/HIPStream.h>)
  return c10::hip::getCurrentHIPStream(device.index()).stream();
#else
  return c10::cuda::getCurrentCUDAStream(device.index()).stream();
#endif
#else
  return nullptr;
#endif
}

std::int64_t peak_device_memory(const torch::Device& device) {
  if (!device.is_cuda()) return 0;
#if defined(LB_TORCH_GPU)
#if defined(USE_ROCM) && __has_include(<c10/hip/HIPStream.h>)
  const auto stats = c10::hip::HIPCachingAllocator::getDeviceStats(device.index());
#else
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(device.index());
#endif
  return std::int64_t(stats.allocated_bytes[0].peak);  // index 0: all pools together
#else
  return 0;
#endif
}

}  // namespace lb
