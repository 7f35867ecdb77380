// The element and column-sum helpers the kernel families' CPU references and GPU kernels share
// (host and device alike): float32 and bfloat16 loads and stores, rounding, the column sums' groups,
// and the largest grid one launch takes. For kernel sources and their tests only: it includes the
// GPU runtime.
#pragma once

#include <cstdint>
#include <cstring>

#include "kernels/gpu_runtime.h"
#include "kernels/storage.h"

namespace lb {

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

// v rounded to t's precision, as a float.
LB_HOST_DEVICE inline float round_to(float v, Storage t) {
  return t == Storage::bf16 ? bits_to_float(std::uint32_t(float_to_bf16(v)) << 16) : v;
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

// One past the last row of column-sum group g.
LB_HOST_DEVICE inline std::int64_t group_end(std::int64_t rows, std::int64_t g) {
  const std::int64_t end = (g + 1) * kColumnGroupRows;
  return rows < end ? rows : end;
}

// Column c's total of the groups' partial sums ([groups, cols]), in group order.
LB_HOST_DEVICE inline float sum_over_groups(const float* partials, std::int64_t groups, int cols, int c) {
  float s = 0;
  for (std::int64_t g = 0; g < groups; ++g) s += partials[g * cols + c];
  return s;
}

// HIP counts a launch's threads along x in 32 bits (CUDA allows 2^31 - 1 blocks): the smaller bound.
inline bool fits_one_launch(std::int64_t blocks, int threads_per_block) {
  return blocks * threads_per_block <= 0xffffffffLL && blocks <= 0x7fffffffLL;
}

}  // namespace lb
