// How the kernels of kernels/ store their activations and gradients, and the conversions every
// family shares (host and device alike): float32, or bfloat16 as raw bits rounded as c10::BFloat16.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/gpu_runtime.h"

namespace lb {

// Element type of a kernel's activation or gradient array; sums and statistics stay float32.
enum class Storage : int { f32 = 0, bf16 = 1 };

inline constexpr int storage_bytes(Storage t) { return t == Storage::bf16 ? 2 : 4; }

LB_HOST_DEVICE inline float bits_to_float(std::uint32_t u) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  return __uint_as_float(u);
#else
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
#endif
}

LB_HOST_DEVICE inline std::uint32_t float_to_bits(float f) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  return __float_as_uint(f);
#else
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return u;
#endif
}

// c10::BFloat16's conversion: round to nearest even, NaN kept a (quiet) NaN.
LB_HOST_DEVICE inline std::uint16_t float_to_bf16(float f) {
  const std::uint32_t u = float_to_bits(f);
  if ((u & 0x7fffffffu) > 0x7f800000u) return 0x7fc0;
  return std::uint16_t((u + 0x7fffu + ((u >> 16) & 1u)) >> 16);
}

LB_HOST_DEVICE inline float load(const void* p, Storage t, std::int64_t i) {
  if (t == Storage::bf16) return bits_to_float(std::uint32_t(static_cast<const std::uint16_t*>(p)[i]) << 16);
  return static_cast<const float*>(p)[i];
}

// Stores v rounded to t and returns the value stored, as a float.
LB_HOST_DEVICE inline float store(void* p, Storage t, std::int64_t i, float v) {
  if (t == Storage::bf16) {
    const std::uint16_t b = float_to_bf16(v);
    static_cast<std::uint16_t*>(p)[i] = b;
    return bits_to_float(std::uint32_t(b) << 16);
  }
  static_cast<float*>(p)[i] = v;
  return v;
}

// HIP counts a launch's threads along x in 32 bits (CUDA allows 2^31 - 1 blocks): the smaller bound.
inline bool fits_one_launch(std::int64_t blocks, int threads_per_block) {
  return blocks * threads_per_block <= 0xffffffffLL && blocks <= 0x7fffffffLL;
}

}  // namespace lb
