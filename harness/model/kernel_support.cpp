#include "harness/model/kernel_support.h"

namespace lb {

bool fused_kernels_available(const torch::Device& device) {
#if defined(LB_WITH_GPU_KERNELS)
  (void)device;
  return true;
#else
  return device.is_cpu();
#endif
}

Storage storage_of(torch::ScalarType t) { return t == torch::kBFloat16 ? Storage::bf16 : Storage::f32; }

}  // namespace lb
