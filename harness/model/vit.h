// torchvision's VisionTransformer in LibTorch, module for module: the parameter names, shapes,
// order and initialisation are those of torchvision.models.vit_b_16 & co., so a state_dict saved
// by torch.save(model.state_dict()) loads as it is and accuracy curves from scratch are comparable.
#pragma once

#include <torch/torch.h>

#include "harness/model/vit_config.h"

namespace lb {

// nn.MultiheadAttention(batch_first=True) as torchvision uses it: packed in_proj, out_proj.
class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(int hidden_dim, int num_heads, double dropout, bool packed = false);
  // x: [B, S, D] -> [B, S, D]
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor in_proj_weight;  // [3D, D]
  torch::Tensor in_proj_bias;    // [3D]
  torch::nn::Linear out_proj{nullptr};

 private:
  int num_heads_;
  double dropout_;
  bool packed_;
};
TORCH_MODULE(SelfAttention);

// Pre-norm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(.)).
class EncoderBlockImpl : public torch::nn::Module {
 public:
  EncoderBlockImpl(const VitConfig& c);
  // x: [B, S, D] -> [B, S, D]
  torch::Tensor forward(const torch::Tensor& x);
  // The two branches, each from its LayerNorm's output to what is added to the residual stream:
  // forward(x) is x1 = x + attention_branch(ln_1(x)), then x1 + mlp_branch(ln_2(x1)). The encoder's
  // fused path calls them between its add_layer_norm calls.
  torch::Tensor attention_branch(const torch::Tensor& normed);
  torch::Tensor mlp_branch(const torch::Tensor& normed);

  torch::nn::LayerNorm ln_1{nullptr};
  SelfAttention self_attention{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::LayerNorm ln_2{nullptr};
  torch::nn::Sequential mlp{nullptr};  // 0: Linear(D, M), 1: GELU, 2: Dropout, 3: Linear(M, D), 4: Dropout

 private:
  // The same modules as mlp[0], mlp[3], mlp[2]: forward runs them through ATen's fused linear.
  torch::nn::Linear fc1_{nullptr}, fc2_{nullptr};
  torch::nn::Dropout mlp_dropout_{nullptr};
  bool fused_bias_gelu_;
};
TORCH_MODULE(EncoderBlock);

class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(const VitConfig& c);
  // x: [B, S, D] -> [B, S, D], float32 (with fused_add_norm: in the dtype of the last block's
  // output, the autocast dtype under autocast, which the head's product would cast to)
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor pos_embedding;        // [1, S, D]
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Sequential layers{nullptr};  // encoder_layer_0 ... encoder_layer_{L-1}
  torch::nn::LayerNorm ln{nullptr};

 private:
  bool fused_add_norm_;
  std::vector<EncoderBlock> blocks_;  // the same modules as `layers`, typed
};
TORCH_MODULE(Encoder);

class VisionTransformerImpl : public torch::nn::Module {
 public:
  // Parameters are initialised with torchvision's scheme from the current torch RNG state.
  explicit VisionTransformerImpl(const VitConfig& c);
  // images: [B, 3, H, W] (normalized) -> logits [B, num_classes]
  torch::Tensor forward(const torch::Tensor& images);

  const VitConfig& config() const { return config_; }
  // Re-initialises heads.head (zeros, as torchvision) for a new class count, e.g. when fine-tuning
  // ImageNet weights on Tiny ImageNet's 200 classes.
  void replace_head(int num_classes);

  torch::nn::Conv2d conv_proj{nullptr};
  torch::Tensor class_token;  // [1, 1, D]
  Encoder encoder{nullptr};
  torch::nn::Sequential heads{nullptr};  // "head": Linear(D, num_classes)

 private:
  VitConfig config_;
};
TORCH_MODULE(VisionTransformer);

// The kernel LibTorch's scaled_dot_product_attention picks for this model's attention with `batch`
// images on `device` in `dtype` (the autocast dtype): "flash_attention", "efficient_attention",
// "cudnn_attention", "math"; "unfused" before LibTorch 2.0.
std::string attention_backend(const VitConfig& c, int batch, const torch::Device& device, torch::ScalarType dtype);

}  // namespace lb
