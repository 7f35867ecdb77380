// The GPU residual-add + LayerNorm kernels, forward and backward, against their CPU reference on the
// same random rows: float32 and bfloat16 branches, with and without the sum's gradient from its other
// users and the branch's gradient, row counts that end inside a block, inside a group of the column
// sums and on its edge, fewer columns than lanes. Built by hipcc (HIP) or nvcc (CUDA), and by the
// host compiler on the CPU's emulated runtime (kernels/gpu_emulation.h, every test run); exits 77
// (ctest: skipped) with the reason when no GPU is visible.
//
// Tolerance: none. Kernels and reference perform the same float operations in the same order
// (add_layer_norm.cpp: the 32 lanes' strided partials, the fixed tree, the groups of the column sums)
// with contraction off on both sides, IEEE division and square root and subnormals kept (fast math
// is refused at compile time), so every output must equal the reference bit for bit: a wrong lane,
// tree or group order changes last bits only, which a tolerance would let through. The largest
// difference is printed beside the count of differing elements, to tell an order slip (last bits)
// from a wrong formula.
#include <cstdint>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/add_layer_norm.h"
#include "kernels/gpu_runtime.h"
#include "tests/kernels/gpu_test_util.h"

namespace {

using lb::Storage;
using lb::test::bf16_bits;
using lb::test::compare;
using lb::test::Device;

struct Case {
  const char* name;
  std::int64_t rows;
  int cols;
  Storage type;  // the branch's, the normed output's and their gradients'
  bool with_d_sum;
  bool with_d_branch;
};

bool run(const Case& k) {
  const std::size_t n = std::size_t(k.rows) * k.cols, width = std::size_t(lb::storage_bytes(k.type));
  std::mt19937 rng(std::uint32_t(k.rows * 131 + k.cols));
  std::normal_distribution<float> normal(0.f, 1.f);
  auto random = [&](std::size_t count, float scale, float shift) {
    std::vector<float> v(count);
    for (auto& x : v) x = shift + scale * normal(rng);
    return v;
  };
  // A residual stream with a per-row offset (LayerNorm must remove it), a smaller branch.
  auto residual = random(n, 1.f, 0.f);
  for (std::int64_t r = 0; r < k.rows; ++r)
    for (int c = 0; c < k.cols; ++c) residual[std::size_t(r * k.cols + c)] += float(r % 7) - 3.f;
  const auto branch_f = random(n, 0.5f, 0.f), gamma = random(std::size_t(k.cols), 0.2f, 1.f),
             beta = random(std::size_t(k.cols), 0.1f, 0.f), d_normed_f = random(n, 1e-3f, 0.f),
             d_sum = random(n, 1e-3f, 0.f);
  const auto branch_b = bf16_bits(branch_f), d_normed_b = bf16_bits(d_normed_f);
  const void* branch = k.type == Storage::f32 ? static_cast<const void*>(branch_f.data()) : branch_b.data();
  const void* d_normed = k.type == Storage::f32 ? static_cast<const void*>(d_normed_f.data()) : d_normed_b.data();

  // CPU reference.
  std::vector<float> sum(n), mean(std::size_t(k.rows)), rstd(mean.size()), d_res(n), d_gamma(std::size_t(k.cols)),
      d_beta(d_gamma.size());
  std::vector<char> normed(n * width), d_branch(n * width);
  lb::AddLayerNormForward f;
  f.rows = k.rows;
  f.cols = k.cols;
  f.residual = residual.data();
  f.branch = branch;
  f.branch_type = f.normed_type = k.type;
  f.gamma = gamma.data();
  f.beta = beta.data();
  f.sum = sum.data();
  f.normed = normed.data();
  f.mean = mean.data();
  f.rstd = rstd.data();
  lb::add_layer_norm_forward_cpu(f);
  lb::AddLayerNormBackward b;
  b.rows = k.rows;
  b.cols = k.cols;
  b.d_normed = d_normed;
  b.d_normed_type = b.d_branch_type = k.type;
  b.d_sum = k.with_d_sum ? d_sum.data() : nullptr;
  b.sum = sum.data();
  b.mean = mean.data();
  b.rstd = rstd.data();
  b.gamma = gamma.data();
  b.d_residual = d_res.data();
  b.d_branch = k.with_d_branch ? d_branch.data() : nullptr;
  b.d_gamma = d_gamma.data();
  b.d_beta = d_beta.data();
  lb::add_layer_norm_backward_cpu(b);

  // The same on the GPU.
  Device dev;
  lb::AddLayerNormForward gf = f;
  gf.residual = dev.upload(residual);
  gf.branch = k.type == Storage::f32 ? static_cast<const void*>(dev.upload(branch_f)) : dev.upload(branch_b);
  gf.gamma = dev.upload(gamma);
  gf.beta = dev.upload(beta);
  gf.sum = dev.alloc<float>(n);
  gf.normed = dev.alloc<char>(n * width);
  gf.mean = dev.alloc<float>(mean.size());
  gf.rstd = dev.alloc<float>(rstd.size());
  lb::add_layer_norm_forward_gpu(gf, nullptr);
  lb::AddLayerNormBackward gb = b;
  gb.d_normed = k.type == Storage::f32 ? static_cast<const void*>(dev.upload(d_normed_f)) : dev.upload(d_normed_b);
  gb.d_sum = k.with_d_sum ? dev.upload(d_sum) : nullptr;
  gb.sum = gf.sum;
  gb.mean = gf.mean;
  gb.rstd = gf.rstd;
  gb.gamma = gf.gamma;
  gb.d_residual = dev.alloc<float>(n);
  gb.d_branch = k.with_d_branch ? dev.alloc<char>(n * width) : nullptr;
  gb.d_gamma = dev.alloc<float>(d_gamma.size());
  gb.d_beta = dev.alloc<float>(d_beta.size());
  gb.partials = dev.alloc<float>(std::size_t(2 * lb::column_groups(k.rows) * k.cols));
  lb::add_layer_norm_backward_gpu(gb, nullptr);
  LB_GPU_CHECK(lbDeviceSynchronize());

  struct Output {
    const char* name;
    const void* gpu_device;
    const void* cpu;
    Storage type;
    std::size_t count;
  } outputs[] = {{"sum", gf.sum, sum.data(), Storage::f32, n},
                 {"normed", gf.normed, normed.data(), k.type, n},
                 {"mean", gf.mean, mean.data(), Storage::f32, mean.size()},
                 {"rstd", gf.rstd, rstd.data(), Storage::f32, rstd.size()},
                 {"d_residual", gb.d_residual, d_res.data(), Storage::f32, n},
                 {"d_branch", gb.d_branch, d_branch.data(), k.type, n},
                 {"d_gamma", gb.d_gamma, d_gamma.data(), Storage::f32, d_gamma.size()},
                 {"d_beta", gb.d_beta, d_beta.data(), Storage::f32, d_beta.size()}};
  bool ok = true;
  for (const auto& o : outputs) {
    if (!o.gpu_device) continue;  // the branch's gradient, where not asked for
    const auto w = std::size_t(lb::storage_bytes(o.type));
    const auto gpu = dev.download(static_cast<const char*>(o.gpu_device), o.count * w);
    const auto c = compare(gpu.data(), o.cpu, o.type, o.count);
    ok = ok && c.differing == 0;
    std::printf("%s add_layer_norm %s, %s: %zu of %zu differ from the reference, max error %.3g of the largest\n",
                c.differing == 0 ? "ok  " : "FAIL", k.name, o.name, c.differing, o.count, c.worst);
  }
  return ok;
}

}  // namespace

int main() {
  const Case cases[] = {
      {"ViT-B rows (2 x 197), 768 columns, bf16, the sum's gradient", 394, 768, Storage::bf16, true, true},
      {"600 rows (10 groups of the column sums, the last partial), 100 columns, f32", 600, 100, Storage::f32, false, true},
      {"128 rows (2 whole groups), 33 columns, bf16, no branch gradient", 128, 33, Storage::bf16, true, false},
      {"7 rows, 7 columns (fewer than the lanes), f32, the sum's gradient", 7, 7, Storage::f32, true, true},
  };
  return lb::test::run_cases(cases, run);
}
