// GELU's backward with the bias's gradient: CPU reference, GPU kernels and launchers (llm.c's layout:
// one file per kernel family). The GPU computes each element's gradient where it sums it: one thread
// per column and group of rows (storage.h) walks the group's rows in order, storing each gradient
// (rounded to the storage type) and adding the stored value to its column's partial sum; a second,
// small kernel adds the groups' partials in group order and rounds the total. The CPU reference
// writes the gradients, then sums the stored values in the same order (bias_gradient_cpu), so both
// add the same floats in the same order.
#include "kernels/bias_gelu.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/element.h"
#include "kernels/gpu_runtime.h"

// The column sums' equality rests on IEEE addition with subnormals kept, and the gradients' closeness
// to ATen's on accurate erf and exp, which nvcc and hipcc give by default and fast math takes away.
#if defined(__USE_FAST_MATH__) || defined(__FAST_MATH__)
#error "kernels/bias_gelu.cpp must not be compiled with fast math: its kernels must round as its CPU reference"
#endif

namespace lb {
namespace {

constexpr int kColumnThreads = 256;  // GPU: columns per block

LB_HOST_DEVICE inline float erf_f(float x) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  return erff(x);
#else
  return std::erf(x);
#endif
}

LB_HOST_DEVICE inline float exp_f(float x) {
#if defined(__CUDA_ARCH__) || defined(__HIP_DEVICE_COMPILE__)
  return expf(x);
#else
  return std::exp(x);
#endif
}

// d/dx [x * Phi(x)] = Phi(x) + x * phi(x), in ATen's order of operations (GeluBackward, approximate
// 'none'): Phi(x) = 0.5 * (1 + erf(x / sqrt 2)), phi(x) = exp(-x^2 / 2) / sqrt(2 pi).
LB_HOST_DEVICE inline float gelu_gradient(float x, float dy) {
  constexpr float kAlpha = float(0.70710678118654752440);                          // 1 / sqrt(2)
  constexpr float kBeta = float(1.12837916709551257390 * 0.70710678118654752440 * 0.5);  // 1 / sqrt(2 pi)
  const float cdf = 0.5f * (1.0f + erf_f(x * kAlpha));
  const float pdf = exp_f(-0.5f * x * x) * kBeta;
  return dy * (cdf + x * pdf);
}

// Element i's gradient, stored; returns the value stored.
LB_HOST_DEVICE inline float store_gradient(const BiasGeluBackward& b, std::int64_t i) {
  return store(b.d_pre, b.type, i, gelu_gradient(load(b.pre, b.type, i), load(b.d_out, b.type, i)));
}

// Column c of group g: each row's gradient stored, and the sum of the stored values in row order.
LB_HOST_DEVICE inline float group_gradients(const BiasGeluBackward& b, std::int64_t g, int c) {
  float s = 0;
  for (std::int64_t r = g * kColumnGroupRows, end = group_end(b.rows, g); r < end; ++r) s += store_gradient(b, r * b.cols + c);
  return s;
}

// The same sum over values already stored.
float group_sum(const void* x, Storage t, std::int64_t rows, int cols, std::int64_t g, int c) {
  float s = 0;
  for (std::int64_t r = g * kColumnGroupRows, end = group_end(rows, g); r < end; ++r) s += load(x, t, r * cols + c);
  return s;
}

void check(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("bias_gelu: ") + what);
}

void check(const BiasGeluBackward& b, bool gpu) {
  check(b.rows >= 0 && b.cols > 0, "expected rows >= 0 and cols > 0");
  check((b.rows == 0 || (b.pre && b.d_out && b.d_pre)) && b.d_bias, "backward: a pointer is missing");
  check(!gpu || b.partials, "backward: the GPU needs the partials scratch");
}

}  // namespace

void bias_gradient_cpu(std::int64_t rows, int cols, const void* d_pre, Storage type, Storage rounding, float* d_bias) {
  check(rows >= 0 && cols > 0 && (rows == 0 || d_pre) && d_bias,
        "bias gradient: expected rows >= 0, cols > 0 and both pointers");
  const std::int64_t groups = column_groups(rows);
  std::vector<float> partial(std::size_t(groups * cols));
  for (std::int64_t g = 0; g < groups; ++g)
    for (int c = 0; c < cols; ++c) partial[std::size_t(g * cols + c)] = group_sum(d_pre, type, rows, cols, g, c);
  for (int c = 0; c < cols; ++c) d_bias[c] = round_to(sum_over_groups(partial.data(), groups, cols, c), rounding);
}

void bias_gelu_backward_cpu(const BiasGeluBackward& b) {
  check(b, /*gpu=*/false);
  const std::int64_t n = b.rows * b.cols;
  for (std::int64_t i = 0; i < n; ++i) store_gradient(b, i);
  bias_gradient_cpu(b.rows, b.cols, b.d_pre, b.type, b.d_bias_rounding, b.d_bias);
}

#if defined(LB_GPU_KERNELS)
namespace {

// Grid (groups, column blocks): one thread per column and group of rows; a warp's threads read and
// write neighbouring columns of one row.
__global__ void __launch_bounds__(kColumnThreads) gradients_kernel(BiasGeluBackward b) {
  const int c = int(blockIdx.y) * kColumnThreads + int(threadIdx.x);
  const std::int64_t g = blockIdx.x;
  if (c >= b.cols) return;
  b.partials[g * b.cols + c] = group_gradients(b, g, c);
}

__global__ void __launch_bounds__(kColumnThreads) finish_kernel(BiasGeluBackward b, std::int64_t groups) {
  const int c = int(blockIdx.x) * kColumnThreads + int(threadIdx.x);
  if (c >= b.cols) return;
  b.d_bias[c] = round_to(sum_over_groups(b.partials, groups, b.cols, c), b.d_bias_rounding);
}

}  // namespace

void bias_gelu_backward_gpu(const BiasGeluBackward& b, void* stream) {
  check(b, /*gpu=*/true);
  const auto s = static_cast<lbStream_t>(stream);
  const auto groups = column_groups(b.rows);
  const unsigned column_blocks = unsigned((b.cols + kColumnThreads - 1) / kColumnThreads);
  check(fits_one_launch(groups, kColumnThreads) && column_blocks <= 65535,
        "backward: too many rows or columns for one launch");
  if (b.rows > 0) {
    LB_LAUNCH(gradients_kernel, dim3(unsigned(groups), column_blocks), kColumnThreads, s)(b);
    LB_GPU_CHECK(lbGetLastError());
  }
  // With no rows the bias's gradient is zeros, as the reference's.
  LB_LAUNCH(finish_kernel, column_blocks, kColumnThreads, s)(b, groups);
  LB_GPU_CHECK(lbGetLastError());
}
#endif  // LB_GPU_KERNELS

}  // namespace lb
