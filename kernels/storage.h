// What the interfaces of the kernel families in kernels/ share, without the GPU runtime (the
// harness's host code includes it): how an activation or gradient array is stored, and the fixed
// groups of rows their column sums (a LayerNorm's gamma and beta, a bias) add up in. Device code
// uses these too, through kernels/element.h, which adds the conversions.
#pragma once

#include <cstdint>

namespace lb {

// Element type of a kernel's activation or gradient array: float32, or bfloat16 as raw bits rounded
// to nearest even as c10::BFloat16. Sums and statistics stay float32.
enum class Storage : int { f32 = 0, bf16 = 1 };

inline constexpr int storage_bytes(Storage t) { return t == Storage::bf16 ? 2 : 4; }

// A column sum over rows adds each group of kColumnGroupRows rows in row order, then the groups'
// sums in group order, on the CPU and the GPU alike, so that both add the same floats in the same
// order. 64: ViT-B/16 at batch 128 (25,216 rows) gives 394 groups, times the column blocks, enough
// blocks to fill a GPU's compute units.
constexpr int kColumnGroupRows = 64;
inline constexpr std::int64_t column_groups(std::int64_t rows) {
  return (rows + kColumnGroupRows - 1) / kColumnGroupRows;
}

}  // namespace lb
