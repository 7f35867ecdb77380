#include "harness/model/vit_config.h"

#include <stdexcept>

namespace lb {
namespace {

struct Variant {
  const char* name;
  int image, patch, layers, heads, hidden, mlp;
};

// torchvision.models.vision_transformer: vit_b_16 ... vit_h_14 (224 px), then test sizes.
constexpr Variant kVariants[] = {
    {"vit_b_16", 224, 16, 12, 12, 768, 3072},
    {"vit_b_32", 224, 32, 12, 12, 768, 3072},
    {"vit_l_16", 224, 16, 24, 16, 1024, 4096},
    {"vit_l_32", 224, 32, 24, 16, 1024, 4096},
    {"vit_h_14", 224, 14, 32, 16, 1280, 5120},
    // Tiny configurations for tests and for the Slurm test cluster: same code path, seconds to train.
    {"vit_tiny", 32, 8, 2, 4, 64, 128},
    {"vit_micro", 16, 4, 1, 2, 32, 64},
};

}  // namespace

std::vector<std::string> vit_config_names() {
  std::vector<std::string> names;
  for (const auto& v : kVariants) names.emplace_back(v.name);
  return names;
}

VitConfig vit_config(const std::string& name, int num_classes) {
  if (num_classes < 1) throw std::invalid_argument("number of classes must be at least 1");
  for (const auto& v : kVariants) {
    if (name != v.name) continue;
    VitConfig c;
    c.name = v.name;
    c.image_size = v.image;
    c.patch_size = v.patch;
    c.num_layers = v.layers;
    c.num_heads = v.heads;
    c.hidden_dim = v.hidden;
    c.mlp_dim = v.mlp;
    c.num_classes = num_classes;
    return c;
  }
  std::string known;
  for (const auto& n : vit_config_names()) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown model '" + name + "' (expected one of: " + known + ")");
}

double vit_forward_macs(const VitConfig& c) {
  const double patches = double(c.patches_per_side()) * c.patches_per_side();
  const double s = c.seq_length();
  const double d = c.hidden_dim;
  const double embed = patches * c.in_channels * c.patch_size * c.patch_size * d;
  const double qkv_and_out = 4.0 * s * d * d;
  const double scores_and_sum = 2.0 * s * s * d;
  const double mlp = 2.0 * s * d * c.mlp_dim;
  const double head = d * c.num_classes;
  return embed + c.num_layers * (qkv_and_out + scores_and_sum + mlp) + head;
}

std::int64_t vit_parameter_count(const VitConfig& c) {
  const std::int64_t d = c.hidden_dim, m = c.mlp_dim, p = c.patch_size;
  const std::int64_t embed = d * c.in_channels * p * p + d;  // conv_proj weight + bias
  const std::int64_t tokens = d + std::int64_t(c.seq_length()) * d;  // class_token + pos_embedding
  const std::int64_t layer = 2 * d                  // ln_1
                             + 3 * d * d + 3 * d    // in_proj
                             + d * d + d            // out_proj
                             + 2 * d                // ln_2
                             + d * m + m + m * d + d;  // mlp
  const std::int64_t final_ln = 2 * d;
  const std::int64_t head = d * c.num_classes + c.num_classes;
  return embed + tokens + c.num_layers * layer + final_ln + head;
}

}  // namespace lb
