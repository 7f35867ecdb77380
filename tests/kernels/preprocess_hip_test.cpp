// The HIP preprocessing kernel against its CPU reference on the same random images.
// Built by hipcc; exits 77 (ctest: skipped) with the reason when no GPU is visible.
#include <hip/hip_runtime.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

#include "gpu_check.h"
#include "preprocess.h"

int main() {
  int devices = 0;
  if (hipGetDeviceCount(&devices) != hipSuccess || devices == 0) {
    std::printf("SKIP: no HIP GPU visible (hipGetDeviceCount found none); the kernel was compiled for gfx90a\n");
    return 77;
  }
  const int n = 4;
  const auto spec = lb::guide_preprocess_spec(64, 64, 224);
  std::vector<float> src(size_t(n) * 3 * 64 * 64), ref(size_t(n) * 3 * 224 * 224), out(ref.size());
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (auto& v : src) v = u(rng);
  lb::preprocess_cpu(src.data(), ref.data(), n, spec);
  float *d_src = nullptr, *d_dst = nullptr;
  LB_HIP_CHECK(hipMalloc(&d_src, src.size() * sizeof(float)));
  LB_HIP_CHECK(hipMalloc(&d_dst, out.size() * sizeof(float)));
  LB_HIP_CHECK(hipMemcpy(d_src, src.data(), src.size() * sizeof(float), hipMemcpyHostToDevice));
  lb::preprocess_hip(d_src, d_dst, n, spec, nullptr);
  LB_HIP_CHECK(hipDeviceSynchronize());
  LB_HIP_CHECK(hipMemcpy(out.data(), d_dst, out.size() * sizeof(float), hipMemcpyDeviceToHost));
  double worst = 0;
  for (size_t i = 0; i < out.size(); ++i) worst = std::fmax(worst, std::fabs(double(out[i]) - ref[i]));
  std::printf("preprocess_hip vs CPU reference: max abs error %.3g (tolerance 1e-5)\n", worst);
  LB_HIP_CHECK(hipFree(d_src));
  LB_HIP_CHECK(hipFree(d_dst));
  return worst <= 1e-5 ? 0 : 1;
}
