#include "harness/util/version.h"

#include <torch/version.h>

#include "harness/build_info.h"

namespace lb {

std::string torch_version_string() {
  return std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) + "." +
         std::to_string(TORCH_VERSION_PATCH);
}

std::string harness_version_line() {
  return std::string("harness ") + LB_VERSION + " (git " + LB_GIT_COMMIT + ", LibTorch " + torch_version_string() + ")";
}

}  // namespace lb
