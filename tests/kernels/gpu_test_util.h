// What the kernels' GPU tests share: random inputs in bfloat16, device buffers freed at scope exit,
// and the comparison of a kernel's output with its CPU reference, element by element.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <vector>

#include "kernels/element.h"
#include "kernels/gpu_runtime.h"

namespace lb::test {

// bfloat16 bits of float values.
inline std::vector<std::uint16_t> bf16_bits(const std::vector<float>& v) {
  std::vector<std::uint16_t> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::uint32_t u;
    std::memcpy(&u, &v[i], sizeof u);
    out[i] = std::uint16_t(u >> 16);  // truncation: any bfloat16 value will do as input
  }
  return out;
}

inline float as_float(const void* p, Storage t, std::size_t i) { return load(p, t, std::int64_t(i)); }

// Device buffers freed at scope exit.
struct Device {
  std::vector<void*> owned;
  Device() = default;
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;
  ~Device() {
    for (void* p : owned) (void)lbFree(p);
  }
  template <class T>
  T* upload(const std::vector<T>& host) {
    T* d = alloc<T>(host.size());
    LB_GPU_CHECK(lbMemcpy(d, host.data(), host.size() * sizeof(T), lbMemcpyHostToDevice));
    return d;
  }
  template <class T>
  T* alloc(std::size_t n) {
    void* d = nullptr;
    LB_GPU_CHECK(lbMalloc(&d, (n ? n : 1) * sizeof(T)));
    owned.push_back(d);
    return static_cast<T*>(d);
  }
  template <class T>
  std::vector<T> download(const T* d, std::size_t n) {
    std::vector<T> host(n);
    LB_GPU_CHECK(lbMemcpy(host.data(), d, n * sizeof(T), lbMemcpyDeviceToHost));
    return host;
  }
};

struct Compared {
  double worst = 0;  // max |gpu - cpu| / max |cpu|
  std::size_t differing = 0;
};

inline Compared compare(const void* gpu, const void* cpu, Storage t, std::size_t n) {
  const int w = storage_bytes(t);
  double largest = 0, worst = 0;
  std::size_t differing = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const double g = as_float(gpu, t, i), c = as_float(cpu, t, i);
    largest = std::fmax(largest, std::fabs(c));
    worst = std::fmax(worst, std::fabs(g - c));
    differing += std::memcmp(static_cast<const char*>(gpu) + i * w, static_cast<const char*>(cpu) + i * w, w) != 0;
  }
  return {largest > 0 ? worst / largest : worst, differing};
}

// A GPU test's main: exits 77 (ctest: skipped) with the reason when no GPU is visible; otherwise
// runs every case (`run` returns whether it passed) and exits 1 if one failed or threw.
template <class Case, std::size_t N, class Run>
int run_cases(const Case (&cases)[N], Run run) {
  int devices = 0;
  if (lbGetDeviceCount(&devices) != lbSuccess || devices == 0) {
    std::printf("SKIP: no " LB_GPU_RUNTIME_NAME " GPU visible; the kernels were compiled, not run\n");
    return 77;
  }
  bool ok = true;
  try {
    for (const auto& c : cases) ok = run(c) && ok;
  } catch (const std::exception& e) {
    std::printf("FAIL %s\n", e.what());
    return 1;
  }
  return ok ? 0 : 1;
}

}  // namespace lb::test
