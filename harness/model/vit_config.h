// The ViT variants of torchvision's table plus tiny test configurations, and their analytic cost.
// No LibTorch here: the recorder, the CLI and the analysis use these figures too.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lb {

struct VitConfig {
  std::string name;
  int image_size = 224;
  int patch_size = 16;
  int num_layers = 12;
  int num_heads = 12;
  int hidden_dim = 768;
  int mlp_dim = 3072;
  int num_classes = 1000;
  int in_channels = 3;
  double dropout = 0.0;            // torchvision's default
  double attention_dropout = 0.0;  // torchvision's default
  // How attention lays out q, k and v: false, nn.MultiheadAttention's layout op for op (the CPU's,
  // bit for bit with PyTorch: Adam turns rounding differences into +-lr steps); true, views of the
  // packed in-projection with no copy around the fused attention kernel (the GPU's; the same
  // arithmetic up to rounding, checked against the exact layout on CPU).
  bool packed_attention = false;
  // How the residual adds and the LayerNorms after them run: false, ATen's add, layer_norm (and
  // autocast's cast), bit for bit PyTorch's; true, one fused call per pair (add_layer_norm.h: the
  // GPU kernels, or their CPU reference), the same arithmetic up to the rounding of its sums.
  bool fused_add_norm = false;
  // How the MLP's first product's GELU and bias take their gradients: false, ATen's gelu_backward
  // and a separate sum for the bias; true, one pass writing both (bias_gelu.h): the same forward
  // bits, GELU's input gradient within its last bits (the platform's erf and exp), the bias's
  // gradient summed in another order.
  bool fused_bias_gelu = false;

  int patches_per_side() const { return image_size / patch_size; }
  int seq_length() const { return patches_per_side() * patches_per_side() + 1; }  // + class token
};

// Throws std::invalid_argument naming the known variants when `name` is not one of them.
VitConfig vit_config(const std::string& name, int num_classes);
std::vector<std::string> vit_config_names();

// Multiply-accumulates of one forward pass for one image: patch embedding, attention
// projections, attention scores and weighted sum, MLP and head. LayerNorm, softmax, GELU and
// additions are left out (well under 1% for ViT-B/16), as fvcore and torchvision's table do.
double vit_forward_macs(const VitConfig& c);
inline double vit_forward_flops(const VitConfig& c) { return 2.0 * vit_forward_macs(c); }
// Backward costs about twice the forward pass (gradients for inputs and for weights).
inline double vit_train_flops(const VitConfig& c) { return 3.0 * vit_forward_flops(c); }

// Trainable parameters, counted from the shapes (checked against the built module in tests).
std::int64_t vit_parameter_count(const VitConfig& c);

}  // namespace lb
