// What the autograd functions over kernels/ (add_layer_norm, bias_gelu) share: whether the kernels
// run on a device, and the kernels' storage type of a LibTorch dtype.
#pragma once

#include <torch/types.h>

#include "kernels/storage.h"

namespace lb {

// Whether the fused kernels run on `device`: always on CPUs (their CPU references), on GPUs when
// the harness was built with them (LB_WITH_GPU_KERNELS).
bool fused_kernels_available(const torch::Device& device);

// Storage::bf16 for bfloat16, Storage::f32 otherwise (callers accept float32 and bfloat16 only).
Storage storage_of(torch::ScalarType t);

}  // namespace lb
