// The GPU preprocessing kernel against its CPU reference on the same random images, plain and
// antialiased. Built by hipcc (HIP) or nvcc (CUDA), and by the host compiler on the CPU's emulated
// runtime (kernels/gpu_emulation.h, every test run); exits 77 (ctest: skipped) with the reason when
// no GPU is visible.
//
// Tolerance, from the arithmetic: kernel and reference perform the same single-precision
// operations in the same order, with multiply-add contraction off on both sides
// (kernels/CMakeLists.txt) and correctly rounded division, so they agree bit for bit. The bound
// allows 4 ulp of the largest output, |(1 - 0.406) / 0.225| = 2.64 < 4 where one ulp is 2^-22
// (2.4e-7): 1e-6, for a device runtime whose division rounds differently in the last bit. With
// contraction on, one rounding less in the source coordinate (up to 500 * 2^-24 = 3e-5) moves the
// bilinear weights and shows as errors of 3e-5 (seen on an H200 before the rule).
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "kernels/gpu_runtime.h"
#include "kernels/preprocess.h"
#include "tests/kernels/gpu_test_util.h"

namespace {

constexpr double kTolerance = 1e-6;

struct Case {
  const char* name;
  lb::PreprocessSpec spec;
};

bool run(const Case& c) {
  const int n = 3;
  const auto& spec = c.spec;
  std::vector<float> src(size_t(n) * 3 * spec.in_h * spec.in_w), ref(size_t(n) * 3 * spec.crop * spec.crop);
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (auto& v : src) v = u(rng);
  lb::preprocess_cpu(src.data(), ref.data(), n, spec);
  lb::test::Device dev;
  const float* d_src = dev.upload(src);
  float* d_dst = dev.alloc<float>(ref.size());
  lb::preprocess_gpu(d_src, d_dst, n, spec, nullptr);
  LB_GPU_CHECK(lbDeviceSynchronize());
  const auto out = dev.download(d_dst, ref.size());
  double err = 0;
  for (size_t i = 0; i < out.size(); ++i) err = std::fmax(err, std::fabs(double(out[i]) - ref[i]));
  std::printf("preprocess_gpu vs CPU reference, %s: max abs error %.3g (tolerance %.0e)%s\n", c.name, err, kTolerance,
              err == 0 ? ", bitwise equal" : "");
  return err <= kTolerance;
}

}  // namespace

int main() {
  const Case cases[] = {{"64x64 -> 224 (the guide's upscale)", lb::guide_preprocess_spec(64, 64, 224)},
                        {"500x375 -> 224, antialiased", lb::guide_preprocess_spec(500, 375, 224, true)},
                        {"500x375 -> 224, plain bilinear", lb::guide_preprocess_spec(500, 375, 224, false)}};
  return lb::test::run_cases(cases, run);
}
