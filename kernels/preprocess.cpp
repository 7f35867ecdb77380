// Resize -> CenterCrop -> Normalize: CPU reference, GPU kernel and launcher (llm.c's layout: one
// file per kernel family). Plain bilinear sampling is ATen's upsample_bilinear2d with
// align_corners=False; antialiased sampling is ATen's _upsample_bilinear2d_aa (PIL's triangle
// filter widened by the scale), which equals plain bilinear when upscaling.
#include "kernels/preprocess.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "kernels/gpu_runtime.h"

namespace lb {
namespace {

constexpr int kBlock = 256;   // GPU: output pixels per block
constexpr int kMaxTaps = 64;  // antialiasing taps per output pixel and axis (scale up to ~30)

// Source coordinate of output index `o` (ATen's area_pixel_compute_source_index, linear mode).
struct Tap {
  int i0, i1;
  float w0, w1;
};

LB_HOST_DEVICE inline Tap make_tap(int o, int in, int out) {
  const float scale = float(in) / float(out);
  float src = scale * (o + 0.5f) - 0.5f;
  if (src < 0) src = 0;
  Tap t;
  t.i0 = int(src);
  t.i1 = t.i0 + (t.i0 < in - 1 ? 1 : 0);
  t.w1 = src - float(t.i0);
  t.w0 = 1.0f - t.w1;
  return t;
}

// Antialiased taps of output index `o`: `count` weights starting at input index `first`, summing
// to one (ATen's _compute_indices_weights_aa with the linear filter).
LB_HOST_DEVICE inline int make_aa_taps(int o, int in, int out, int* first, float* w) {
  const float scale = float(in) / float(out);
  const float support = scale >= 1.0f ? scale : 1.0f;
  const float invscale = scale >= 1.0f ? 1.0f / scale : 1.0f;
  const float center = scale * (o + 0.5f);
  int xmin = int(center - support + 0.5f);
  if (xmin < 0) xmin = 0;
  int xmax = int(center + support + 0.5f);
  if (xmax > in) xmax = in;
  int count = xmax - xmin;
  if (count > kMaxTaps) count = kMaxTaps;
  float total = 0;
  for (int j = 0; j < count; ++j) {
    float x = (float(j + xmin) - center + 0.5f) * invscale;
    x = x < 0 ? -x : x;
    w[j] = x < 1.0f ? 1.0f - x : 0.0f;
    total += w[j];
  }
  if (total != 0)
    for (int j = 0; j < count; ++j) w[j] /= total;
  *first = xmin;
  return count;
}

struct AaTaps {
  int first = 0, count = 0;
  float w[kMaxTaps];
};

// Separable: along the width first (the two source rows an output row needs, only the cropped
// columns), then along the height over contiguous rows, which the compiler vectorises. Each
// output is r.w0 * (q.w0 * a0 + q.w1 * a1) + r.w1 * (q.w0 * b0 + q.w1 * b1), the same arithmetic in
// the same order as the GPU kernel's, so the two agree to the last bit where no FMA is contracted.
void preprocess_bilinear_cpu(const float* src, float* dst, int n, const PreprocessSpec& s) {
  std::vector<Tap> rows(size_t(s.crop)), cols(size_t(s.crop));
  for (int y = 0; y < s.crop; ++y) rows[size_t(y)] = make_tap(y + s.top, s.in_h, s.resize_h);
  for (int x = 0; x < s.crop; ++x) cols[size_t(x)] = make_tap(x + s.left, s.in_w, s.resize_w);
  const long in_plane = long(s.in_h) * s.in_w, out_plane = long(s.crop) * s.crop;
  const size_t w = size_t(s.crop);
  std::vector<float> across(size_t(s.in_h) * w);  // every source row, resized along the width
  std::vector<char> done(size_t(s.in_h));
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) {
      const float* in = src + (long(i) * 3 + c) * in_plane;
      float* out = dst + (long(i) * 3 + c) * out_plane;
      const float mean = s.mean[c], inv_std = 1.0f / s.std[c];
      std::fill(done.begin(), done.end(), 0);
      auto row_across = [&](int r) -> const float* {
        float* a = across.data() + size_t(r) * w;
        if (!done[size_t(r)]) {
          const float* line = in + long(r) * s.in_w;
          for (size_t x = 0; x < w; ++x) a[x] = cols[x].w0 * line[cols[x].i0] + cols[x].w1 * line[cols[x].i1];
          done[size_t(r)] = 1;
        }
        return a;
      };
      for (int y = 0; y < s.crop; ++y) {
        const Tap r = rows[size_t(y)];
        const float* __restrict__ a = row_across(r.i0);
        const float* __restrict__ b = row_across(r.i1);
        float* __restrict__ o = out + long(y) * s.crop;
        for (size_t x = 0; x < w; ++x) o[x] = (r.w0 * a[x] + r.w1 * b[x] - mean) * inv_std;
      }
    }
  }
}

// Separable, as ATen: along the width first (every input row, only the cropped columns), then
// along the height.
void preprocess_antialiased_cpu(const float* src, float* dst, int n, const PreprocessSpec& s) {
  std::vector<AaTaps> rows(size_t(s.crop)), cols(size_t(s.crop));
  for (int y = 0; y < s.crop; ++y) {
    auto& t = rows[size_t(y)];
    t.count = make_aa_taps(y + s.top, s.in_h, s.resize_h, &t.first, t.w);
  }
  for (int x = 0; x < s.crop; ++x) {
    auto& t = cols[size_t(x)];
    t.count = make_aa_taps(x + s.left, s.in_w, s.resize_w, &t.first, t.w);
  }
  const long in_plane = long(s.in_h) * s.in_w, out_plane = long(s.crop) * s.crop;
  std::vector<float> across(size_t(s.in_h) * size_t(s.crop));
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) {
      const float* in = src + (long(i) * 3 + c) * in_plane;
      float* out = dst + (long(i) * 3 + c) * out_plane;
      for (int r = 0; r < s.in_h; ++r) {
        const float* row = in + long(r) * s.in_w;
        for (int x = 0; x < s.crop; ++x) {
          const auto& t = cols[size_t(x)];
          float v = 0;
          for (int j = 0; j < t.count; ++j) v += t.w[j] * row[t.first + j];
          across[size_t(r) * size_t(s.crop) + size_t(x)] = v;
        }
      }
      const float mean = s.mean[c], inv_std = 1.0f / s.std[c];
      for (int y = 0; y < s.crop; ++y) {
        const auto& t = rows[size_t(y)];
        for (int x = 0; x < s.crop; ++x) {
          float v = 0;
          for (int j = 0; j < t.count; ++j) v += t.w[j] * across[size_t(t.first + j) * size_t(s.crop) + size_t(x)];
          out[long(y) * s.crop + x] = (v - mean) * inv_std;
        }
      }
    }
  }
}

}  // namespace

PreprocessSpec guide_preprocess_spec(int in_h, int in_w, int crop, bool antialias) {
  PreprocessSpec s;
  s.in_h = in_h;
  s.in_w = in_w;
  s.crop = crop;
  s.antialias = antialias;
  // Resize(int): the smaller edge becomes `resize`, the other keeps the aspect ratio (truncated).
  // Python's round() rounds ties to even; std::nearbyint does too in the default rounding mode.
  const int resize = int(std::nearbyint(crop * 256.0 / 224.0));
  if (in_h <= in_w) {
    s.resize_h = resize;
    s.resize_w = int(double(resize) * in_w / in_h);
  } else {
    s.resize_w = resize;
    s.resize_h = int(double(resize) * in_h / in_w);
  }
  // CenterCrop: int(round((size - crop) / 2)).
  s.top = int(std::nearbyint((s.resize_h - crop) / 2.0));
  s.left = int(std::nearbyint((s.resize_w - crop) / 2.0));
  if (antialias && (double(in_h) / s.resize_h > 30 || double(in_w) / s.resize_w > 30))
    throw std::invalid_argument("image of " + std::to_string(in_h) + "x" + std::to_string(in_w) +
                                " is more than 30 times the resize to " + std::to_string(resize) +
                                ": too large to antialias");
  return s;
}

void preprocess_cpu(const float* src, float* dst, int n, const PreprocessSpec& spec) {
  if (spec.antialias && spec.downscales()) {
    preprocess_antialiased_cpu(src, dst, n, spec);
  } else {
    preprocess_bilinear_cpu(src, dst, n, spec);
  }
}

#if defined(LB_GPU_KERNELS)
namespace {

// One thread per output element of [n, 3, crop, crop].
__global__ void __launch_bounds__(kBlock)
    preprocess_kernel(const float* __restrict__ src, float* __restrict__ dst, int n, PreprocessSpec s) {
  const long idx = long(blockIdx.x) * blockDim.x + threadIdx.x;
  const long out_plane = long(s.crop) * s.crop;
  if (idx >= long(n) * 3 * out_plane) return;
  const int x = int(idx % s.crop);
  const int y = int((idx / s.crop) % s.crop);
  const long nc = idx / out_plane;  // image * 3 + channel
  const int c = int(nc % 3);
  const float* in = src + nc * long(s.in_h) * s.in_w;
  float v = 0;
  if (s.antialias && (s.resize_h < s.in_h || s.resize_w < s.in_w)) {
    int fy = 0, fx = 0;
    float wy[kMaxTaps], wx[kMaxTaps];
    const int ny = make_aa_taps(y + s.top, s.in_h, s.resize_h, &fy, wy);
    const int nx = make_aa_taps(x + s.left, s.in_w, s.resize_w, &fx, wx);
    for (int i = 0; i < ny; ++i) {
      const float* row = in + long(fy + i) * s.in_w + fx;
      float across = 0;
      for (int j = 0; j < nx; ++j) across += wx[j] * row[j];
      v += wy[i] * across;
    }
  } else {
    const Tap r = make_tap(y + s.top, s.in_h, s.resize_h);
    const Tap q = make_tap(x + s.left, s.in_w, s.resize_w);
    const float* a = in + long(r.i0) * s.in_w;
    const float* b = in + long(r.i1) * s.in_w;
    v = r.w0 * (q.w0 * a[q.i0] + q.w1 * a[q.i1]) + r.w1 * (q.w0 * b[q.i0] + q.w1 * b[q.i1]);
  }
  dst[idx] = (v - s.mean[c]) * (1.0f / s.std[c]);
}

}  // namespace

void preprocess_gpu(const float* d_src, float* d_dst, int n, const PreprocessSpec& spec, void* stream) {
  const long total = long(n) * 3 * spec.crop * spec.crop;
  if (total == 0) return;
  const int grid = int((total + kBlock - 1) / kBlock);
  LB_LAUNCH(preprocess_kernel, grid, kBlock, static_cast<lbStream_t>(stream))(d_src, d_dst, n, spec);
  LB_GPU_CHECK(lbGetLastError());
}
#endif  // LB_GPU_KERNELS

}  // namespace lb
