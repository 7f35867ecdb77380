// Residual add + LayerNorm, forward and backward, as one pass over the rows: CPU reference, GPU
// kernels (HIP or CUDA) and launchers in add_layer_norm.cpp. ViT's pre-norm blocks add a branch (the
// attention's or the MLP's output) to the residual stream and normalise the sum for the next
// product; eager LibTorch runs that as an add, a LayerNorm in fp32 and a cast to the autocast dtype,
// three kernels each reading and writing whole activations, and as many again backward.
//
// The kernels and the references perform the same float operations in the same order (32 lanes
// per row, each summing a strided slice, then a fixed tree; column sums over fixed groups of rows),
// so with contraction off on both sides (kernels/CMakeLists.txt) they agree bit for bit. The
// arithmetic is LayerNorm's, its biased variance in two passes (the mean, then the centred squares;
// ATen updates Welford's running moments instead): against ATen the results agree up to rounding.
#pragma once

#include <cstdint>

#include "kernels/storage.h"

namespace lb {

// The branch, the normalised output and their gradients are float32 or bfloat16 (kernels/storage.h);
// the residual stream, its sum, gamma and beta and the statistics are always float32.

struct AddLayerNormForward {
  std::int64_t rows = 0;
  int cols = 0;
  float eps = 1e-6f;
  const float* residual = nullptr;  // [rows, cols]
  const void* branch = nullptr;     // [rows, cols], branch_type
  Storage branch_type = Storage::f32;
  const float* gamma = nullptr;  // [cols]
  const float* beta = nullptr;   // [cols]
  float* sum = nullptr;          // out [rows, cols]: residual + branch
  void* normed = nullptr;        // out [rows, cols], normed_type: (sum - mean) * rstd * gamma + beta
  Storage normed_type = Storage::f32;
  float* mean = nullptr;  // out [rows]
  float* rstd = nullptr;  // out [rows]: 1 / sqrt(biased variance + eps)
};

struct AddLayerNormBackward {
  std::int64_t rows = 0;
  int cols = 0;
  const void* d_normed = nullptr;  // [rows, cols], d_normed_type
  Storage d_normed_type = Storage::f32;
  const float* d_sum = nullptr;  // [rows, cols]: the sum's gradient from its other users; may be null
  const float* sum = nullptr;    // the forward's outputs
  const float* mean = nullptr;
  const float* rstd = nullptr;
  const float* gamma = nullptr;
  float* d_residual = nullptr;  // out [rows, cols]: the sum's whole gradient
  void* d_branch = nullptr;     // out [rows, cols], d_branch_type: the same, rounded; may be null
  Storage d_branch_type = Storage::f32;
  float* d_gamma = nullptr;  // out [cols]
  float* d_beta = nullptr;   // out [cols]
  // GPU only: 2 * column_groups(rows) * cols floats of scratch for the column sums (storage.h).
  float* partials = nullptr;
};

// CPU references. Throw std::invalid_argument for a missing pointer or a non-positive size.
void add_layer_norm_forward_cpu(const AddLayerNormForward& f);
void add_layer_norm_backward_cpu(const AddLayerNormBackward& b);

#if defined(LB_WITH_GPU_KERNELS)
// The same on the GPU: device pointers, launched on `stream` (a hipStream_t or cudaStream_t).
void add_layer_norm_forward_gpu(const AddLayerNormForward& f, void* stream);
void add_layer_norm_backward_gpu(const AddLayerNormBackward& b, void* stream);
#endif

}  // namespace lb
