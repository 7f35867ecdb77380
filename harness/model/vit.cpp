#include "harness/model/vit.h"

#include "harness/model/add_layer_norm.h"
#include "harness/model/bias_gelu.h"
#include "harness/util/torch_version.h"

#include <cmath>
#include <tuple>

namespace lb {
namespace {

// torch.nn.init.trunc_normal_(t, mean, std, a, b): inverse-CDF sampling of a normal truncated to
// the absolute interval [a, b], as PyTorch does it (LibTorch 1.13 has no C++ equivalent).
void trunc_normal_(torch::Tensor t, double mean, double std, double a, double b) {
  torch::NoGradGuard no_grad;
  auto norm_cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
  const double l = norm_cdf((a - mean) / std), u = norm_cdf((b - mean) / std);
  t.uniform_(2 * l - 1, 2 * u - 1);
  t.erfinv_();
  t.mul_(std * std::sqrt(2.0));
  t.add_(mean);
  t.clamp_(a, b);
}

// LibTorch 1.13's Linear module computes matmul and then adds the bias, while Python's F.linear
// (ATen's linear) fuses them in one addmm: different rounding. Every linear layer goes through ATen.
torch::Tensor linear(const torch::nn::Linear& layer, const torch::Tensor& x) {
  return torch::linear(x, layer->weight, layer->bias);
}

torch::nn::LayerNorm layer_norm(int dim) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({dim}).eps(1e-6));
}

}  // namespace

SelfAttentionImpl::SelfAttentionImpl(int hidden_dim, int num_heads, double dropout, bool packed)
    : num_heads_(num_heads), dropout_(dropout), packed_(packed) {
  TORCH_CHECK(hidden_dim % num_heads == 0, "hidden_dim ", hidden_dim, " is not divisible by num_heads ",
              num_heads);
  in_proj_weight = register_parameter("in_proj_weight", torch::empty({3 * hidden_dim, hidden_dim}));
  in_proj_bias = register_parameter("in_proj_bias", torch::empty({3 * hidden_dim}));
  // Linear's own init is kaiming_uniform(a=sqrt(5)) as in Python; nn.MultiheadAttention then sets:
  out_proj = register_module("out_proj", torch::nn::Linear(hidden_dim, hidden_dim));
  torch::NoGradGuard no_grad;
  torch::nn::init::xavier_uniform_(in_proj_weight);
  in_proj_bias.zero_();
  out_proj->bias.zero_();
}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x) {
  const auto b = x.size(0), s = x.size(1), d = x.size(2);
  const auto head_dim = d / num_heads_;
  const double p = is_training() ? dropout_ : 0.0;
#if LB_TORCH_AT_LEAST(2, 0)
  if (packed_) {
    // One product gives [B, S, 3D]; q, k and v are views of it ([B, H, S, hd] with strides into
    // the packed rows), which scaled_dot_product_attention's fused kernels take as they are, and
    // their output is [B, S, H, hd] underneath: no copy in or out.
    auto qkv = torch::linear(x, in_proj_weight, in_proj_bias).view({b, s, 3, num_heads_, head_dim});
    auto q = qkv.select(2, 0).transpose(1, 2), k = qkv.select(2, 1).transpose(1, 2), v = qkv.select(2, 2).transpose(1, 2);
    auto out = at::scaled_dot_product_attention(q, k, v, /*attn_mask=*/{}, p, /*is_causal=*/false);  // [B, H, S, hd]
    return linear(out_proj, out.transpose(1, 2).reshape({b, s, d}));                                // [B, S, D]
  }
#endif
  // Op for op what torch.nn.functional.multi_head_attention_forward does for batch_first
  // self-attention, in the same memory layouts, so that results agree to the last bits and an
  // Adam step (which turns even rounding-level gradients into +-lr) matches PyTorch's.
  auto xt = x.transpose(1, 0);                                              // [S, B, D]
  auto qkv = torch::linear(xt, in_proj_weight, in_proj_bias).chunk(3, -1);  // 3 x [S, B, D]
  auto split_heads = [&](const torch::Tensor& t) {
    return t.contiguous().view({s, b * num_heads_, head_dim}).transpose(0, 1);  // [B*H, S, hd]
  };
  auto q = split_heads(qkv[0]), k = split_heads(qkv[1]), v = split_heads(qkv[2]);
#if LB_TORCH_AT_LEAST(2, 0)
  // Fused (flash / memory-efficient) attention where the build has it, as PyTorch 2.x's MHA.
  auto out = at::scaled_dot_product_attention(q.view({b, num_heads_, s, head_dim}),
                                              k.view({b, num_heads_, s, head_dim}),
                                              v.view({b, num_heads_, s, head_dim}), /*attn_mask=*/{}, p,
                                              /*is_causal=*/false);                  // [B, H, S, hd]
  out = out.permute({2, 0, 1, 3}).contiguous().view({s * b, d});
#else
  auto scores = torch::bmm(q / std::sqrt(double(head_dim)), k.transpose(-2, -1));  // [B*H, S, S]
  auto weights = torch::softmax(scores, -1);
  if (p > 0) weights = torch::dropout(weights, p, /*train=*/true);
  auto out = torch::bmm(weights, v);                                  // [B*H, S, hd]
  out = out.transpose(0, 1).contiguous().view({s * b, d});
#endif
  return linear(out_proj, out).view({s, b, d}).transpose(1, 0);       // [B, S, D]
}

std::string attention_backend(const VitConfig& c, int batch, const torch::Device& device, torch::ScalarType dtype) {
#if LB_TORCH_AT_LEAST(2, 0)
  // The model's own layout and dtype, with gradients, as training calls it.
  const auto head_dim = c.hidden_dim / c.num_heads;
  auto qkv = torch::empty({batch, c.seq_length(), 3, c.num_heads, head_dim},
                          torch::TensorOptions().device(device).dtype(dtype).requires_grad(true));
  auto q = qkv.select(2, 0).transpose(1, 2), k = qkv.select(2, 1).transpose(1, 2), v = qkv.select(2, 2).transpose(1, 2);
  // ATen's SDPBackend numbering.
  switch (at::_fused_sdp_choice(q, k, v, {}, c.attention_dropout, false)) {
    case 0: return "math";
    case 1: return "flash_attention";
    case 2: return "efficient_attention";
    case 3: return "cudnn_attention";
    case 4: return "overrideable";
    default: return "error";
  }
#else
  (void)c, (void)batch, (void)device, (void)dtype;
  return "unfused";
#endif
}

EncoderBlockImpl::EncoderBlockImpl(const VitConfig& c) : fused_bias_gelu_(c.fused_bias_gelu) {
  ln_1 = register_module("ln_1", layer_norm(c.hidden_dim));
  self_attention = register_module("self_attention",
                                   SelfAttention(c.hidden_dim, c.num_heads, c.attention_dropout, c.packed_attention));
  dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
  ln_2 = register_module("ln_2", layer_norm(c.hidden_dim));
  fc1_ = torch::nn::Linear(c.hidden_dim, c.mlp_dim);
  fc2_ = torch::nn::Linear(c.mlp_dim, c.hidden_dim);
  mlp_dropout_ = torch::nn::Dropout(c.dropout);
  mlp = register_module("mlp", torch::nn::Sequential(fc1_, torch::nn::GELU(), mlp_dropout_, fc2_,
                                                      torch::nn::Dropout(c.dropout)));
  // torchvision's MLPBlock: xavier_uniform weights, normal(std=1e-6) biases.
  torch::NoGradGuard no_grad;
  for (auto& fc : {fc1_, fc2_}) {
    torch::nn::init::xavier_uniform_(fc->weight);
    torch::nn::init::normal_(fc->bias, 0.0, 1e-6);
  }
}

torch::Tensor EncoderBlockImpl::attention_branch(const torch::Tensor& normed) {
  return dropout(self_attention(normed));
}

torch::Tensor EncoderBlockImpl::mlp_branch(const torch::Tensor& normed) {
  auto h = fused_bias_gelu_ ? linear_gelu(normed, fc1_) : torch::gelu(linear(fc1_, normed));
  return mlp_dropout_(linear(fc2_, mlp_dropout_(h)));
}

torch::Tensor EncoderBlockImpl::forward(const torch::Tensor& input) {
  auto x = attention_branch(ln_1(input)) + input;
  return x + mlp_branch(ln_2(x));
}

EncoderImpl::EncoderImpl(const VitConfig& c) : fused_add_norm_(c.fused_add_norm) {
  pos_embedding = register_parameter("pos_embedding", torch::empty({1, c.seq_length(), c.hidden_dim}));
  {
    torch::NoGradGuard no_grad;
    pos_embedding.normal_(0.0, 0.02);
  }
  dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
  layers = register_module("layers", torch::nn::Sequential());
  for (int i = 0; i < c.num_layers; ++i) {
    blocks_.emplace_back(c);
    layers->push_back("encoder_layer_" + std::to_string(i), blocks_.back());
  }
  ln = register_module("ln", layer_norm(c.hidden_dim));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& x) {
  auto h = dropout(x + pos_embedding);
  if (!fused_add_norm_ || blocks_.empty()) return ln(layers->forward(h));
  // Every residual add meets the LayerNorm that reads its sum in one call: a block's attention
  // branch with its ln_2, its MLP branch with the next block's ln_1 (the last one's with ln). The
  // first ln_1 has no add before it.
  auto normed = blocks_.front()->ln_1(h);
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    auto& block = blocks_[i];
    std::tie(h, normed) = add_layer_norm(h, block->attention_branch(normed), block->ln_2);
    std::tie(h, normed) = add_layer_norm(h, block->mlp_branch(normed), i + 1 < blocks_.size() ? blocks_[i + 1]->ln_1 : ln);
  }
  return normed;
}

VisionTransformerImpl::VisionTransformerImpl(const VitConfig& c) : config_(c) {
  TORCH_CHECK(c.image_size % c.patch_size == 0, "image size ", c.image_size, " is not divisible by patch size ",
              c.patch_size);
  // Registration order = torchvision's state_dict order: class_token, conv_proj, encoder, heads.
  class_token = register_parameter("class_token", torch::zeros({1, 1, c.hidden_dim}));
  conv_proj = register_module(
      "conv_proj", torch::nn::Conv2d(torch::nn::Conv2dOptions(c.in_channels, c.hidden_dim, c.patch_size)
                                         .stride(c.patch_size)));
  encoder = register_module("encoder", Encoder(c));
  heads = register_module("heads", torch::nn::Sequential());
  heads->push_back("head", torch::nn::Linear(c.hidden_dim, c.num_classes));
  torch::NoGradGuard no_grad;
  const double fan_in = double(c.in_channels) * c.patch_size * c.patch_size;
  trunc_normal_(conv_proj->weight, 0.0, std::sqrt(1.0 / fan_in), -2.0, 2.0);
  conv_proj->bias.zero_();
  replace_head(c.num_classes);
}

void VisionTransformerImpl::replace_head(int num_classes) {
  auto head = heads->ptr<torch::nn::LinearImpl>(0);
  if (head->weight.size(0) != num_classes) {
    auto fresh = torch::nn::Linear(config_.hidden_dim, num_classes);
    fresh->to(head->weight.device(), head->weight.scalar_type());
    heads = replace_module("heads", torch::nn::Sequential());
    heads->push_back("head", fresh);
    head = fresh.ptr();
  }
  config_.num_classes = num_classes;
  torch::NoGradGuard no_grad;
  head->weight.zero_();
  head->bias.zero_();
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& images) {
  const auto b = images.size(0);
  auto x = conv_proj(images);                               // [B, D, h, w]
  x = x.flatten(2).transpose(1, 2);                         // [B, h*w, D]
  x = torch::cat({class_token.expand({b, -1, -1}), x}, 1);  // [B, S, D]
  x = encoder(x);
  return linear(heads->ptr<torch::nn::LinearImpl>(0), x.select(1, 0));  // class token -> [B, C]
}

}  // namespace lb
