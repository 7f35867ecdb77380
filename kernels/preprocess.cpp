// Resize -> CenterCrop -> Normalize: CPU reference, HIP kernel and launcher (llm.c's layout: one
// file per kernel family). Bilinear sampling is ATen's upsample_bilinear2d with
// align_corners=False and no antialiasing, torchvision 0.14's default for tensors.
#include "preprocess.h"

#include <cmath>
#include <vector>

#include "gpu_check.h"

namespace lb {

PreprocessSpec guide_preprocess_spec(int in_h, int in_w, int crop) {
  PreprocessSpec s;
  s.in_h = in_h;
  s.in_w = in_w;
  s.crop = crop;
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
  return s;
}

namespace {

// Source coordinate of output index `o` (ATen's area_pixel_compute_source_index, linear mode).
struct Tap {
  int i0, i1;
  float w0, w1;
};

#if defined(__HIPCC__)
__host__ __device__
#endif
inline Tap make_tap(int o, int in, int out) {
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

}  // namespace

void preprocess_cpu(const float* src, float* dst, int n, const PreprocessSpec& s) {
  std::vector<Tap> rows(s.crop), cols(s.crop);
  for (int y = 0; y < s.crop; ++y) rows[y] = make_tap(y + s.top, s.in_h, s.resize_h);
  for (int x = 0; x < s.crop; ++x) cols[x] = make_tap(x + s.left, s.in_w, s.resize_w);
  const long in_plane = long(s.in_h) * s.in_w, out_plane = long(s.crop) * s.crop;
  for (int i = 0; i < n; ++i) {
    for (int c = 0; c < 3; ++c) {
      const float* in = src + (long(i) * 3 + c) * in_plane;
      float* out = dst + (long(i) * 3 + c) * out_plane;
      const float mean = s.mean[c], inv_std = 1.0f / s.std[c];
      for (int y = 0; y < s.crop; ++y) {
        const Tap r = rows[y];
        const float* a = in + long(r.i0) * s.in_w;
        const float* b = in + long(r.i1) * s.in_w;
        for (int x = 0; x < s.crop; ++x) {
          const Tap q = cols[x];
          const float v = r.w0 * (q.w0 * a[q.i0] + q.w1 * a[q.i1]) + r.w1 * (q.w0 * b[q.i0] + q.w1 * b[q.i1]);
          out[long(y) * s.crop + x] = (v - mean) * inv_std;
        }
      }
    }
  }
}

#if defined(__HIPCC__)
namespace {

// One thread per output element of [n, 3, crop, crop].
__global__ void preprocess_kernel(const float* __restrict__ src, float* __restrict__ dst, int n, PreprocessSpec s) {
  const long idx = long(blockIdx.x) * blockDim.x + threadIdx.x;
  const long out_plane = long(s.crop) * s.crop;
  if (idx >= long(n) * 3 * out_plane) return;
  const int x = int(idx % s.crop);
  const int y = int((idx / s.crop) % s.crop);
  const long nc = idx / out_plane;  // image * 3 + channel
  const int c = int(nc % 3);
  const Tap r = make_tap(y + s.top, s.in_h, s.resize_h);
  const Tap q = make_tap(x + s.left, s.in_w, s.resize_w);
  const float* in = src + nc * long(s.in_h) * s.in_w;
  const float* a = in + long(r.i0) * s.in_w;
  const float* b = in + long(r.i1) * s.in_w;
  const float v = r.w0 * (q.w0 * a[q.i0] + q.w1 * a[q.i1]) + r.w1 * (q.w0 * b[q.i0] + q.w1 * b[q.i1]);
  dst[idx] = (v - s.mean[c]) / s.std[c];
}

}  // namespace

#if defined(LB_WITH_HIP)
void preprocess_hip(const float* d_src, float* d_dst, int n, const PreprocessSpec& spec, void* stream) {
  const long total = long(n) * 3 * spec.crop * spec.crop;
  const int block = 256;
  const int grid = int((total + block - 1) / block);
  hipLaunchKernelGGL(preprocess_kernel, dim3(grid), dim3(block), 0, static_cast<hipStream_t>(stream), d_src, d_dst,
                     n, spec);
  LB_HIP_CHECK(hipGetLastError());
}
#endif
#endif  // __HIPCC__

}  // namespace lb
