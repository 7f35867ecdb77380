// Versions of this program and of the LibTorch it runs on, for --version and the provenance.
#pragma once

#include <string>

namespace lb {

// "2.6.0": the LibTorch headers this harness was compiled against.
std::string torch_version_string();
// "harness 0.1.0 (git abc123, LibTorch 2.6.0)"
std::string harness_version_line();

}  // namespace lb
