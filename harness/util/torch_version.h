// LibTorch version tests in one spelling. The CPU build supports LibTorch 1.13 (Debian 12) and 2.x;
// every GPU build needs 2.4 (per-device autocast calls, c10::Event::elapsedTime, c10::Stream's
// native handle, ATen's fused Adam on every device), which CMake checks at configure time.
#pragma once

#include <torch/version.h>

#define LB_TORCH_AT_LEAST(major, minor) \
  (TORCH_VERSION_MAJOR > (major) || (TORCH_VERSION_MAJOR == (major) && TORCH_VERSION_MINOR >= (minor)))
