// The GPU kernels of GELU's backward with the bias's gradient against their CPU reference on the same
// random rows: bfloat16 (the bias's gradient rounded to it, as the harness asks) and float32, row
// counts that end inside a group of the column sums and on its edge, columns that end inside a
// block, no rows at all, and GELU's edge inputs (zeros, its derivative's zero near -0.75, tails where
// exp underflows). Built by hipcc (HIP) or nvcc (CUDA), and by the host compiler on the CPU's
// emulated runtime (kernels/gpu_emulation.h, every test run); exits 77 (ctest: skipped) with the
// reason when no GPU is visible.
//
// Tolerances, from the arithmetic (bias_gelu.h):
// - The bias's gradient: none. The kernels sum the gradients they stored in the reference's order,
//   so the GPU's d_bias must equal, bit for bit, the reference's column sums of the GPU's own d_pre.
// - The gradients d_pre: none on the emulated runtime, where the kernels call the host's erf and
//   exp: bit for bit. On a GPU the device's erff and expf (within 2 ulp, as CUDA and HIP document
//   them) may differ from the host's in the last bits, on the same float arguments (the kernels
//   and the reference compute those alike): Phi = 0.5 (1 + erf) then by about 2 ulp of 1, and
//   x phi(x), whose size is at most 0.25, by about 4 ulp of 0.25; with the product by dy rounded
//   once more, |gpu - cpu| <= 6e-7 |dy| (1 ulp of float is 1.2e-7 of 1): the bound is 1e-6 |dy|,
//   absolute in dy so it holds where the terms cancel (near -0.75) and tight in the tails (where
//   the derivative is 0 or 1). Rounded to bfloat16, two values that close may still fall either
//   side of a rounding boundary: one bfloat16 step apart, at most 2^-7 of the larger.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/bias_gelu.h"
#include "kernels/gpu_runtime.h"
#include "tests/kernels/gpu_test_util.h"

namespace {

using lb::Storage;
using lb::test::as_float;
using lb::test::bf16_bits;
using lb::test::compare;
using lb::test::Device;

#if defined(LB_GPU_EMULATION)
constexpr bool kExactGradients = true;  // the host's erf and exp on both sides
#else
constexpr bool kExactGradients = false;
#endif

struct Case {
  const char* name;
  std::int64_t rows;
  int cols;
  Storage type;
  bool edges;  // the first row holds GELU's edge inputs
};

// Inputs where GELU's derivative is special: zeros, its zero (-0.7518), where Phi and x phi are
// both small (-5), where exp(-x^2 / 2) is subnormal (+-13.5) or zero (+-20, +-1e4).
constexpr float kEdges[] = {0.0f, -0.0f, -0.7518f, 0.7518f, -5.0f, 5.0f, -10.0f, 10.0f,
                            -13.5f, 13.5f, -20.0f, 20.0f, -1e4f, 1e4f};

bool run(const Case& k) {
  const std::size_t n = std::size_t(k.rows) * std::size_t(k.cols), width = std::size_t(lb::storage_bytes(k.type));
  std::mt19937 rng(std::uint32_t(k.rows * 131 + k.cols));
  std::normal_distribution<float> normal(0.f, 1.f);
  auto random = [&](float scale) {
    std::vector<float> v(n);
    for (auto& x : v) x = scale * normal(rng);
    return v;
  };
  auto pre_f = random(2.f);
  const auto d_out_f = random(1e-3f);
  if (k.edges)
    for (std::size_t i = 0; i < sizeof kEdges / sizeof kEdges[0] && i < n; ++i) pre_f[i] = kEdges[i];
  const auto pre_b = bf16_bits(pre_f), d_out_b = bf16_bits(d_out_f);
  const bool f32 = k.type == Storage::f32;
  const void* pre = f32 ? static_cast<const void*>(pre_f.data()) : pre_b.data();
  const void* d_out = f32 ? static_cast<const void*>(d_out_f.data()) : d_out_b.data();

  // CPU reference.
  std::vector<char> d_pre(n * width);
  std::vector<float> d_bias(std::size_t(k.cols));
  lb::BiasGeluBackward b;
  b.rows = k.rows;
  b.cols = k.cols;
  b.pre = pre;
  b.d_out = d_out;
  b.type = b.d_bias_rounding = k.type;
  b.d_pre = d_pre.data();
  b.d_bias = d_bias.data();
  lb::bias_gelu_backward_cpu(b);

  // The same on the GPU.
  Device dev;
  lb::BiasGeluBackward g = b;
  g.pre = f32 ? static_cast<const void*>(dev.upload(pre_f)) : dev.upload(pre_b);
  g.d_out = f32 ? static_cast<const void*>(dev.upload(d_out_f)) : dev.upload(d_out_b);
  g.d_pre = dev.alloc<char>(n * width);
  g.d_bias = dev.alloc<float>(d_bias.size());
  g.partials = dev.alloc<float>(std::size_t(lb::column_groups(k.rows) * k.cols));
  lb::bias_gelu_backward_gpu(g, nullptr);
  LB_GPU_CHECK(lbDeviceSynchronize());
  const auto gpu_d_pre = dev.download(static_cast<const char*>(g.d_pre), n * width);
  const auto gpu_d_bias = dev.download(g.d_bias, d_bias.size());

  bool ok = true;
  // d_pre: bit for bit where exact (the bytes: -0 is not +0), else within the bound above.
  const auto same = compare(gpu_d_pre.data(), d_pre.data(), k.type, n);
  std::size_t outside = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double gv = as_float(gpu_d_pre.data(), k.type, i), cv = as_float(d_pre.data(), k.type, i);
    const double dy = as_float(d_out, k.type, i);
    const double step = f32 ? 0.0 : std::ldexp(std::fmax(std::fabs(gv), std::fabs(cv)), -7);
    const double bound = kExactGradients ? 0.0 : 1e-6 * std::fabs(dy) + step;
    outside += !(std::fabs(gv - cv) <= bound);
  }
  if (kExactGradients) outside = std::max(outside, same.differing);
  ok = ok && outside == 0;
  std::printf("%s bias_gelu %s, d_pre: %zu of %zu outside the bound (%s), %zu differ, max error %.3g of the largest\n",
              outside == 0 ? "ok  " : "FAIL", k.name, outside, n, kExactGradients ? "exact" : "device erf and exp",
              same.differing, same.worst);
  // d_bias: the reference's sums of the GPU's own d_pre, bit for bit.
  std::vector<float> sums(d_bias.size());
  lb::bias_gradient_cpu(k.rows, k.cols, gpu_d_pre.data(), k.type, k.type, sums.data());
  const auto summed = compare(gpu_d_bias.data(), sums.data(), Storage::f32, sums.size());
  ok = ok && summed.differing == 0;
  std::printf("%s bias_gelu %s, d_bias: %zu of %zu differ from the sums of the GPU's d_pre, max error %.3g of the largest\n",
              summed.differing == 0 ? "ok  " : "FAIL", k.name, summed.differing, sums.size(), summed.worst);
  // And against the reference's own d_bias: a check where the gradients are equal (emulated), a
  // figure on a GPU, where it follows d_pre's last bits and the check above holds the sums.
  const auto against = compare(gpu_d_bias.data(), d_bias.data(), Storage::f32, d_bias.size());
  if (kExactGradients) ok = ok && against.differing == 0;
  std::printf("%s bias_gelu %s, d_bias: %zu of %zu differ from the reference's, max error %.3g of the largest%s\n",
              !kExactGradients ? "info" : against.differing == 0 ? "ok  " : "FAIL", k.name, against.differing,
              d_bias.size(), against.worst, kExactGradients ? "" : " (follows d_pre)");
  return ok;
}

}  // namespace

int main() {
  const Case cases[] = {
      {"ViT-B MLP rows (2 x 197), 3072 columns, bf16, edge inputs", 394, 3072, Storage::bf16, true},
      {"600 rows (10 groups, the last partial), 100 columns, f32, edge inputs", 600, 100, Storage::f32, true},
      {"128 rows (2 whole groups), 300 columns (a partial block), bf16", 128, 300, Storage::bf16, false},
      {"7 rows, 7 columns, f32", 7, 7, Storage::f32, false},
      {"no rows, 5 columns (zeros), f32", 0, 5, Storage::f32, false},
  };
  return lb::test::run_cases(cases, run);
}
