// Residual add + LayerNorm forward and backward: CPU reference, GPU kernels and launchers (llm.c's
// layout: one file per kernel family). Every row is 32 lanes, lane l summing columns l, l + 32, ...
// in order, the lanes' partials then folded in a fixed tree (16, 8, 4, 2, 1); the CPU reference
// walks the same lanes and the same tree, so both round alike. The lane count is the algorithm's,
// not the hardware's: an AMD wavefront (64) and an NVIDIA warp (32) give the same sums.
#include "kernels/add_layer_norm.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/gpu_runtime.h"
#include "kernels/element.h"

// The reference's equality rests on IEEE division and square root and on subnormals kept, which
// nvcc and hipcc give by default and fast-math takes away.
#if defined(__USE_FAST_MATH__) || defined(__FAST_MATH__)
#error "kernels/add_layer_norm.cpp must not be compiled with fast math: its kernels must round as its CPU reference"
#endif

namespace lb {
namespace {

constexpr int kLanes = 32;          // per row, in the CPU reference and the kernels alike
constexpr int kRowsPerBlock = 4;    // GPU: rows per block of the row kernels (4 x 32 threads)
constexpr int kColumnThreads = 256;  // GPU: columns per block of the column sums

// The per-element formulas, shared by the reference and the kernels.
LB_HOST_DEVICE inline float normalized(float sum, float mean, float rstd) { return (sum - mean) * rstd; }
LB_HOST_DEVICE inline float input_gradient(float g, float xhat, float mean_g, float mean_g_xhat, float rstd) {
  return (g - mean_g - xhat * mean_g_xhat) * rstd;
}

// One lane's share of one row (columns lane, lane + kLanes, ... in order, from `base`): the steps
// the reference takes for every lane in turn and each GPU thread for its own lane, so that both
// sum in the same order by construction.
LB_HOST_DEVICE inline float lane_add(const AddLayerNormForward& f, std::int64_t base, int lane) {
  float p = 0;
  for (int c = lane; c < f.cols; c += kLanes) {
    const float s = f.residual[base + c] + load(f.branch, f.branch_type, base + c);
    f.sum[base + c] = s;
    p += s;
  }
  return p;
}

LB_HOST_DEVICE inline float lane_centred_squares(const AddLayerNormForward& f, std::int64_t base, int lane, float mean) {
  float p = 0;
  for (int c = lane; c < f.cols; c += kLanes) {
    const float d = f.sum[base + c] - mean;
    p += d * d;
  }
  return p;
}

LB_HOST_DEVICE inline void lane_normalize(const AddLayerNormForward& f, std::int64_t base, int lane, float mean,
                                          float rstd) {
  for (int c = lane; c < f.cols; c += kLanes)
    store(f.normed, f.normed_type, base + c, normalized(f.sum[base + c], mean, rstd) * f.gamma[c] + f.beta[c]);
}

// Sums of g = d_normed * gamma and of g * xhat over the lane's columns.
LB_HOST_DEVICE inline void lane_gradient_sums(const AddLayerNormBackward& b, std::int64_t base, int lane, float mean,
                                              float rstd, float* sum_g, float* sum_g_xhat) {
  float p1 = 0, p2 = 0;
  for (int c = lane; c < b.cols; c += kLanes) {
    const float xhat = normalized(b.sum[base + c], mean, rstd);
    const float g = load(b.d_normed, b.d_normed_type, base + c) * b.gamma[c];
    p1 += g;
    p2 += g * xhat;
  }
  *sum_g = p1;
  *sum_g_xhat = p2;
}

LB_HOST_DEVICE inline void lane_gradients(const AddLayerNormBackward& b, std::int64_t base, int lane, float mean,
                                          float rstd, float mean_g, float mean_g_xhat) {
  for (int c = lane; c < b.cols; c += kLanes) {
    const float xhat = normalized(b.sum[base + c], mean, rstd);
    const float g = load(b.d_normed, b.d_normed_type, base + c) * b.gamma[c];
    const float dx = input_gradient(g, xhat, mean_g, mean_g_xhat, rstd);
    const float total = b.d_sum ? dx + b.d_sum[base + c] : dx;
    b.d_residual[base + c] = total;
    if (b.d_branch) store(b.d_branch, b.d_branch_type, base + c, total);
  }
}

// Column c's sums of d_normed * xhat and of d_normed over group g's rows, in row order.
LB_HOST_DEVICE inline void group_column_sums(const AddLayerNormBackward& b, std::int64_t g, int c, float* sum_g,
                                             float* sum_b) {
  const std::int64_t n = b.cols;
  float sg = 0, sb = 0;
  for (std::int64_t r = g * kColumnGroupRows, end = group_end(b.rows, g); r < end; ++r) {
    const float dy = load(b.d_normed, b.d_normed_type, r * n + c);
    sg += dy * normalized(b.sum[r * n + c], b.mean[r], b.rstd[r]);
    sb += dy;
  }
  *sum_g = sg;
  *sum_b = sb;
}

// The reference's fold of the lanes' partials, in the kernels' order.
float tree_sum(float* p) {
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int l = 0; l < w; ++l) p[l] += p[l + w];
  return p[0];
}

void check(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("add_layer_norm: ") + what);
}

void check(const AddLayerNormForward& f) {
  check(f.rows >= 0 && f.cols > 0, "expected rows >= 0 and cols > 0");
  check(f.residual && f.branch && f.gamma && f.beta && f.sum && f.normed && f.mean && f.rstd,
        "forward: a pointer is missing");
}

void check(const AddLayerNormBackward& b, bool gpu) {
  check(b.rows >= 0 && b.cols > 0, "expected rows >= 0 and cols > 0");
  check(b.d_normed && b.sum && b.mean && b.rstd && b.gamma && b.d_residual && b.d_gamma && b.d_beta,
        "backward: a pointer is missing");
  check(!gpu || b.partials, "backward: the GPU needs the partials scratch");
}

}  // namespace

void add_layer_norm_forward_cpu(const AddLayerNormForward& f) {
  check(f);
  const int n = f.cols;
  for (std::int64_t r = 0; r < f.rows; ++r) {
    const std::int64_t base = r * n;
    float p[kLanes];
    for (int l = 0; l < kLanes; ++l) p[l] = lane_add(f, base, l);
    const float mean = tree_sum(p) / float(n);
    for (int l = 0; l < kLanes; ++l) p[l] = lane_centred_squares(f, base, l, mean);
    const float var = tree_sum(p) / float(n);
    const float rstd = 1.0f / std::sqrt(var + f.eps);
    for (int l = 0; l < kLanes; ++l) lane_normalize(f, base, l, mean, rstd);
    f.mean[r] = mean;
    f.rstd[r] = rstd;
  }
}

void add_layer_norm_backward_cpu(const AddLayerNormBackward& b) {
  check(b, /*gpu=*/false);
  const int n = b.cols;
  for (std::int64_t r = 0; r < b.rows; ++r) {
    const std::int64_t base = r * n;
    const float mean = b.mean[r], rstd = b.rstd[r];
    float p1[kLanes], p2[kLanes];
    for (int l = 0; l < kLanes; ++l) lane_gradient_sums(b, base, l, mean, rstd, &p1[l], &p2[l]);
    const float mean_g = tree_sum(p1) / float(n), mean_g_xhat = tree_sum(p2) / float(n);
    for (int l = 0; l < kLanes; ++l) lane_gradients(b, base, l, mean, rstd, mean_g, mean_g_xhat);
  }
  // Column sums: each group of rows in row order, then the groups in order.
  const std::int64_t groups = column_groups(b.rows);
  std::vector<float> pg(std::size_t(groups) * n), pb(pg.size());
  for (std::int64_t g = 0; g < groups; ++g)
    for (int c = 0; c < n; ++c) group_column_sums(b, g, c, &pg[std::size_t(g * n + c)], &pb[std::size_t(g * n + c)]);
  for (int c = 0; c < n; ++c) {
    b.d_gamma[c] = sum_over_groups(pg.data(), groups, n, c);
    b.d_beta[c] = sum_over_groups(pb.data(), groups, n, c);
  }
}

#if defined(LB_GPU_KERNELS)
namespace {

// The block's rows each fold their lanes' values `v` in tree_sum's order; every thread of the block
// calls it (rows past the end with v = 0), since it synchronises the block.
__device__ float block_tree_sum(float (*buf)[kLanes], float v) {
  const int lane = threadIdx.x, row = threadIdx.y;
  __syncthreads();  // the previous call's readers are done with buf
  buf[row][lane] = v;
  __syncthreads();
  for (int w = kLanes / 2; w > 0; w /= 2) {
    if (lane < w) buf[row][lane] += buf[row][lane + w];
    __syncthreads();
  }
  return buf[row][0];
}

// Block (kLanes, kRowsPerBlock): one row per threadIdx.y.
__global__ void __launch_bounds__(kLanes * kRowsPerBlock) forward_kernel(AddLayerNormForward f) {
  __shared__ float buf[kRowsPerBlock][kLanes];
  const std::int64_t r = std::int64_t(blockIdx.x) * kRowsPerBlock + threadIdx.y;
  const bool valid = r < f.rows;
  const int n = f.cols, lane = threadIdx.x;
  const std::int64_t base = valid ? r * n : 0;
  const float mean = block_tree_sum(buf, valid ? lane_add(f, base, lane) : 0.0f) / float(n);
  const float var = block_tree_sum(buf, valid ? lane_centred_squares(f, base, lane, mean) : 0.0f) / float(n);
  const float rstd = 1.0f / sqrtf(var + f.eps);
  if (!valid) return;
  lane_normalize(f, base, lane, mean, rstd);
  if (lane == 0) {
    f.mean[r] = mean;
    f.rstd[r] = rstd;
  }
}

__global__ void __launch_bounds__(kLanes * kRowsPerBlock) backward_rows_kernel(AddLayerNormBackward b) {
  __shared__ float buf[kRowsPerBlock][kLanes];
  const std::int64_t r = std::int64_t(blockIdx.x) * kRowsPerBlock + threadIdx.y;
  const bool valid = r < b.rows;
  const int n = b.cols, lane = threadIdx.x;
  const std::int64_t base = valid ? r * n : 0;
  const float mean = valid ? b.mean[r] : 0.0f, rstd = valid ? b.rstd[r] : 0.0f;
  float p1 = 0, p2 = 0;
  if (valid) lane_gradient_sums(b, base, lane, mean, rstd, &p1, &p2);
  const float mean_g = block_tree_sum(buf, p1) / float(n);
  const float mean_g_xhat = block_tree_sum(buf, p2) / float(n);
  if (!valid) return;
  lane_gradients(b, base, lane, mean, rstd, mean_g, mean_g_xhat);
}

// Grid (groups, column blocks): one thread per column and group of rows.
__global__ void __launch_bounds__(kColumnThreads) backward_columns_kernel(AddLayerNormBackward b, std::int64_t groups) {
  const int c = int(blockIdx.y) * kColumnThreads + int(threadIdx.x);
  const std::int64_t g = blockIdx.x;
  const int n = b.cols;
  if (c >= n) return;
  group_column_sums(b, g, c, &b.partials[g * n + c], &b.partials[(groups + g) * n + c]);
}

__global__ void __launch_bounds__(kColumnThreads) backward_finish_kernel(AddLayerNormBackward b, std::int64_t groups) {
  const int c = int(blockIdx.x) * kColumnThreads + int(threadIdx.x);
  if (c >= b.cols) return;
  b.d_gamma[c] = sum_over_groups(b.partials, groups, b.cols, c);
  b.d_beta[c] = sum_over_groups(b.partials + groups * b.cols, groups, b.cols, c);
}

}  // namespace

void add_layer_norm_forward_gpu(const AddLayerNormForward& f, void* stream) {
  check(f);
  if (f.rows == 0) return;
  const auto blocks = (f.rows + kRowsPerBlock - 1) / kRowsPerBlock;
  check(fits_one_launch(blocks, kLanes * kRowsPerBlock), "forward: too many rows for one launch");
  LB_LAUNCH(forward_kernel, unsigned(blocks), dim3(kLanes, kRowsPerBlock), static_cast<lbStream_t>(stream))(f);
  LB_GPU_CHECK(lbGetLastError());
}

void add_layer_norm_backward_gpu(const AddLayerNormBackward& b, void* stream) {
  check(b, /*gpu=*/true);
  const auto s = static_cast<lbStream_t>(stream);
  const auto groups = column_groups(b.rows);
  const auto row_blocks = (b.rows + kRowsPerBlock - 1) / kRowsPerBlock;
  const unsigned column_blocks = unsigned((b.cols + kColumnThreads - 1) / kColumnThreads);
  check(fits_one_launch(row_blocks, kLanes * kRowsPerBlock) && fits_one_launch(groups, kColumnThreads) &&
            column_blocks <= 65535,
        "backward: too many rows or columns for one launch");
  if (b.rows > 0) {
    LB_LAUNCH(backward_rows_kernel, unsigned(row_blocks), dim3(kLanes, kRowsPerBlock), s)(b);
    LB_GPU_CHECK(lbGetLastError());
    LB_LAUNCH(backward_columns_kernel, dim3(unsigned(groups), column_blocks), kColumnThreads, s)(b, groups);
    LB_GPU_CHECK(lbGetLastError());
  }
  // With no rows the column sums are zeros, as the reference's.
  LB_LAUNCH(backward_finish_kernel, column_blocks, kColumnThreads, s)(b, groups);
  LB_GPU_CHECK(lbGetLastError());
}
#endif  // LB_GPU_KERNELS

}  // namespace lb
