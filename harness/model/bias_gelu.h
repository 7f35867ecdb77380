// gelu(linear(x, fc)) whose backward runs kernels/bias_gelu (the CPU reference on CPU tensors, the
// HIP or CUDA kernels on GPU tensors): GELU's input gradient and the bias's gradient in one pass,
// where eager LibTorch reads that gradient twice. The forward is ATen's linear and gelu, the same
// calls and bits as eager: only the backward differs, in the last bits of GELU's input gradient
// (the platform's erf and exp, not ATen's) and in the order of the bias's sum.
#pragma once

#include <torch/nn/modules/linear.h>
#include <torch/types.h>

namespace lb {

// torch::gelu(torch::linear(x, fc->weight, fc->bias)) (the exact GELU), under autocast as eager
// autocasts it; gradients flow to x, fc's weight and fc's bias. The product's output must be
// float32 or bfloat16 (under fp16 autocast, use the unfused calls). Throws std::invalid_argument for
// another dtype, std::logic_error on a GPU without the kernels (fused_kernels_available,
// kernel_support.h).
torch::Tensor linear_gelu(const torch::Tensor& x, const torch::nn::Linear& fc);

}  // namespace lb
