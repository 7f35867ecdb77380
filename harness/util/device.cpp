#include "harness/util/device.h"

#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>

#include <stdexcept>

// What this LibTorch offers device-generically is checked by CMake (cmake/Dependencies.cmake):
// LB_TORCH_DEVICE_ALLOCATOR, the caching allocators of every device type as one interface with
// statistics (2.9); LB_TORCH_STREAM_NATIVE_HANDLE, c10::Stream's native handle (after 2.6).
#if defined(LB_TORCH_DEVICE_ALLOCATOR)
#include <c10/core/CachingDeviceAllocator.h>
#endif

namespace lb {

void use_device(const torch::Device& device) {
  if (device.is_cpu()) return;
  c10::impl::VirtualGuardImpl(device.type()).setDevice(device);
}

void* current_stream(const torch::Device& device) {
  if (device.is_cpu()) return nullptr;
  const c10::impl::VirtualGuardImpl impl(device.type());
  const auto stream = impl.getStream(device);
  // LibTorch's default stream on CUDA and ROCm is the runtime's null stream, whose handle is 0.
  if (stream == impl.getDefaultStream(device)) return nullptr;
#if defined(LB_TORCH_STREAM_NATIVE_HANDLE)
  return stream.native_handle();
#else
  throw std::logic_error("our GPU kernels run on LibTorch's default stream only: this LibTorch has no "
                         "c10::Stream::native_handle to name another one");
#endif
}

bool kernels_follow_side_streams() {
#if defined(LB_TORCH_STREAM_NATIVE_HANDLE)
  return true;
#else
  return false;
#endif
}

SideStream::SideStream(const torch::Device& device) {
  if (device.is_cpu()) return;
  const c10::impl::VirtualGuardImpl impl(device.type());
  const auto stream = impl.getStreamFromGlobalPool(device);
  c10::Event queued(device.type());
  queued.record(impl.getStream(device));
  queued.block(stream);
  previous_ = impl.exchangeStream(stream);
  stream_ = stream;
}

SideStream::~SideStream() {
  if (!stream_) return;
  try {
    stream_->synchronize();
  } catch (...) {
    // Ending a run that failed on the device: its error is reported already, and a destructor
    // that threw would end the process before the results are written.
  }
  c10::impl::VirtualGuardImpl(stream_->device_type()).exchangeStream(*previous_);
}

void wait_for_device(const torch::Device& device) {
  if (device.is_cpu()) return;
  c10::impl::VirtualGuardImpl(device.type()).getStream(device).synchronize();
}

void release_cached_memory(const torch::Device& device) {
  if (device.is_cpu()) return;
  wait_for_device(device);
#if defined(LB_TORCH_DEVICE_ALLOCATOR)
  c10::getDeviceAllocator(device.type())->emptyCache();
#endif
}

std::optional<std::int64_t> peak_device_memory(const torch::Device& device) {
  if (device.is_cpu()) return 0;
#if defined(LB_TORCH_DEVICE_ALLOCATOR)
  const auto stats = c10::getDeviceAllocator(device.type())->getDeviceStats(device.index());
  return std::int64_t(stats.allocated_bytes[0].peak);  // index 0: all pools together
#else
  return std::nullopt;
#endif
}

}  // namespace lb
