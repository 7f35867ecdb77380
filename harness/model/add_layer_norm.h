// The residual add and the LayerNorm after it as one autograd function over kernels/add_layer_norm
// (the CPU reference on CPU tensors, the HIP or CUDA kernels on GPU tensors): the GPU's path through
// ViT's pre-norm blocks, and on the CPU the same code, checked against ATen's add and layer_norm.
#pragma once

#include <torch/nn/modules/normalization.h>
#include <torch/types.h>

#include <utility>

namespace lb {

// {residual + branch, layer_norm(residual + branch)} with ln's weight, bias and eps, as eager
// LibTorch computes `x = residual + branch; y = ln(x)`; gradients flow to residual, branch, ln's
// weight and bias. residual: float32 [..., C]; branch: the same shape in float32 or bfloat16. The
// sum is float32; the normalised output is in the branch's dtype: under autocast the branch is a
// product's output, so that is the dtype of the product reading it, which eager would cast to.
// Throws std::invalid_argument for other dtypes or shapes, std::logic_error on a GPU without the
// kernels (fused_kernels_available, kernel_support.h).
std::pair<torch::Tensor, torch::Tensor> add_layer_norm(const torch::Tensor& residual, const torch::Tensor& branch,
                                                       const torch::nn::LayerNorm& ln);

}  // namespace lb
