// The backward of a biased product's GELU: the GELU's input gradient and the bias's gradient in one
// pass over the rows: CPU reference, GPU kernels (HIP or CUDA) and launchers in bias_gelu.cpp.
// ViT's MLP computes gelu(x W^T + b); eager LibTorch's backward runs GELU's backward (reading the
// output's gradient and the GELU's input, writing the input's gradient) and then, for the bias, a
// separate sum over the rows that reads that whole gradient again; under autocast that sum comes
// out in bf16 (the dtype of the bias's autocast copy) and a cast takes it back to float32. Here one
// kernel writes the gradient and sums it by columns as it goes, in groups of rows, and a small
// second one adds the groups' sums and rounds the total to the dtype eager's sum would have, storing
// it as float. The forward stays ATen's (addmm with the bias, then gelu): PyTorch's bits.
//
// GELU is torchvision's exact one, x * Phi(x), whose derivative is Phi(x) + x * phi(x); the formula
// is ATen's, in float. Its erf and exp are the platform's (the device's erff and expf, the host's
// std::erf and std::exp), which may differ in the last float bits between a GPU and the host; the
// column sums are the same float additions in the same order everywhere (storage.h's groups of rows),
// so given the same gradients they agree bit for bit.
#pragma once

#include <cstdint>

#include "kernels/storage.h"

namespace lb {

struct BiasGeluBackward {
  std::int64_t rows = 0;
  int cols = 0;
  const void* pre = nullptr;    // [rows, cols]: the GELU's input, x W^T + b
  const void* d_out = nullptr;  // [rows, cols]: the gradient of gelu(pre)
  Storage type = Storage::f32;  // of pre, d_out and d_pre
  void* d_pre = nullptr;        // out [rows, cols]: d_out * gelu'(pre), rounded to type
  float* d_bias = nullptr;      // out [cols]: the column sums of d_pre as stored (rounded) ...
  Storage d_bias_rounding = Storage::f32;  // ... rounded to this type's precision, stored as float
  // GPU only: column_groups(rows) * cols floats of scratch for the column sums (storage.h).
  float* partials = nullptr;
};

// CPU references. Throw std::invalid_argument for a missing pointer (the arrays may be null when
// there are no rows), rows < 0 or cols < 1.
void bias_gelu_backward_cpu(const BiasGeluBackward& b);
// The bias's gradient alone: the column sums of `d_pre` [rows, cols] in the order of the above,
// rounded to `rounding`'s precision.
void bias_gradient_cpu(std::int64_t rows, int cols, const void* d_pre, Storage type, Storage rounding, float* d_bias);

#if defined(LB_WITH_GPU_KERNELS)
// The same on the GPU: device pointers, launched on `stream` (a hipStream_t or cudaStream_t).
void bias_gelu_backward_gpu(const BiasGeluBackward& b, void* stream);
#endif

}  // namespace lb
