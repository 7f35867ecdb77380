// Loading torchvision state_dicts into our module, with the checks a user needs to trust it.
#pragma once

#include <string>

#include "harness/model/vit.h"

namespace lb {

struct LoadWeightsOptions {
  // Leave heads.head as initialised when its shape differs (fine-tuning ImageNet weights on
  // another class count). Without it a shape mismatch there is an error like any other.
  bool replace_head = false;
};

// Copies every tensor of the file into `model`. Throws std::runtime_error listing the first
// missing keys, unexpected keys and shape mismatches when the file does not fit the model.
void load_weights(VisionTransformer& model, const std::string& path, const LoadWeightsOptions& opts = {});

}  // namespace lb
