// The device's matrix-product rate at the model's own shapes, measured before training: the
// yardstick for model FLOP utilisation (model FLOP/s / this rate), since nominal peaks say little
// about what a laptop's BLAS or a GPU's library reaches on these shapes.
#pragma once

#include <torch/types.h>

#include <string>

#include "harness/train/precision.h"

namespace lb {

struct GemmRate {
  double flops_per_s = 0;  // best sustained rate over the repetitions
  std::string shape;       // "MxKxN"
};

// Times x[M,K] times w[N,K]^T (a linear layer's product, as the model runs it) in the given
// precision for about `seconds` (at least 3 products after one warm-up). seconds <= 0: not measured.
GemmRate measure_gemm_rate(const torch::Device& device, Precision precision, std::int64_t m, std::int64_t k,
                           std::int64_t n, double seconds);

}  // namespace lb
