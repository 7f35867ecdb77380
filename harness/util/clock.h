// Monotonic time in seconds; on GPU the caller synchronizes the device before reading it.
#pragma once

#include <chrono>

namespace lb {

inline double now_s() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace lb
