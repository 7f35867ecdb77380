// A CPU stand-in for the CUDA/HIP runtime, for tests only (LB_GPU_EMULATION, through gpu_runtime.h):
// the kernels of kernels/ compile as plain C++ and run block after block, the threads of a block as
// fibers (ucontext) switched at every __syncthreads, so the kernels' own indexing, shared memory and
// barriers run in CI, which has no GPU, against the same CPU references as on a GPU. A barrier that
// not every thread of the block reaches is an error here, where a GPU would hang or race silently.
// What it cannot show: anything about speed, memory coalescing, or a device compiler's arithmetic
// (the GPU tests check that on a GPU).
#pragma once

#include <ucontext.h>

#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#define __global__
#define __device__
#define __host__
// The register budget a block size allows is the device compiler's business.
#define __launch_bounds__(...)
// One block runs at a time, so a function's static is its block's shared memory.
#define __shared__ static
#define __syncthreads() ::lb::emu::sync_threads()

struct dim3 {
  unsigned x, y, z;
  dim3(unsigned x_ = 1, unsigned y_ = 1, unsigned z_ = 1) : x(x_), y(y_), z(z_) {}
};

namespace lb::emu {

struct Indices {
  dim3 thread, block, block_dim, grid_dim;
};
inline Indices& indices() {
  static Indices i;
  return i;
}

struct Fiber {
  ucontext_t context{};
  std::vector<char> stack;
  dim3 index;
  bool done = false;
};

struct Scheduler {
  ucontext_t main{};
  std::vector<Fiber> fibers;
  std::size_t current = 0;
  std::function<void()> body;
};
inline Scheduler& scheduler() {
  static Scheduler s;
  return s;
}

inline void sync_threads() {
  auto& s = scheduler();
  swapcontext(&s.fibers[s.current].context, &s.main);
}

inline void fiber_entry() {
  auto& s = scheduler();
  s.body();
  s.fibers[s.current].done = true;  // then uc_link returns to the scheduler
}

// A fresh fiber at the start of the kernel (getcontext returns twice, as setjmp: kept out of
// run_grid, whose loop variables would then be at the mercy of the jump).
inline void start_fiber(Fiber& f, dim3 index, ucontext_t* main) {
  f.index = index;
  f.done = false;
  getcontext(&f.context);
  f.context.uc_stack.ss_sp = f.stack.data();
  f.context.uc_stack.ss_size = f.stack.size();
  f.context.uc_link = main;
  makecontext(&f.context, fiber_entry, 0);
}

// Runs body() as every thread of every block of the grid; throws std::logic_error when a block's
// threads do not all reach the same barriers.
inline void run_grid(dim3 grid, dim3 block, std::function<void()> body) {
  constexpr std::size_t kStack = 64 * 1024;  // the kernels keep a few hundred bytes each
  auto& s = scheduler();
  s.body = std::move(body);
  const std::size_t threads = std::size_t(block.x) * block.y * block.z;
  s.fibers.assign(threads, Fiber{});
  for (auto& f : s.fibers) f.stack.resize(kStack);
  indices().block_dim = block;
  indices().grid_dim = grid;
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        indices().block = dim3(bx, by, bz);
        std::size_t t = 0;
        for (unsigned z = 0; z < block.z; ++z)
          for (unsigned y = 0; y < block.y; ++y)
            for (unsigned x = 0; x < block.x; ++x, ++t) start_fiber(s.fibers[t], dim3(x, y, z), &s.main);
        // One phase: every live thread runs to its next barrier or its end.
        for (;;) {
          std::size_t done = 0;
          for (t = 0; t < threads; ++t) {
            auto& f = s.fibers[t];
            if (f.done) {
              ++done;
              continue;
            }
            s.current = t;
            indices().thread = f.index;
            swapcontext(&s.main, &f.context);
            done += f.done;
          }
          if (done == threads) break;
          if (done != 0)
            throw std::logic_error("emulated GPU: in block (" + std::to_string(bx) + ", " + std::to_string(by) +
                                   "), " + std::to_string(threads - done) + " of " + std::to_string(threads) +
                                   " threads wait at a __syncthreads that the others never reach");
        }
      }
}

template <class... Params>
struct Launch {
  void (*kernel)(Params...);
  dim3 grid, block;
  template <class... Args>
  void operator()(Args&&... args) const {
    auto k = kernel;
    run_grid(grid, block, [&] { k(args...); });
  }
};

template <class... Params>
Launch<Params...> launch(void (*kernel)(Params...), dim3 grid, dim3 block) {
  return {kernel, grid, block};
}

}  // namespace lb::emu

#define threadIdx (::lb::emu::indices().thread)
#define blockIdx (::lb::emu::indices().block)
#define blockDim (::lb::emu::indices().block_dim)
#define gridDim (::lb::emu::indices().grid_dim)

using lbStream_t = void*;
using lbError_t = int;
#define lbSuccess 0
#define lbMemcpyHostToDevice 1
#define lbMemcpyDeviceToHost 2
inline lbError_t lbGetLastError() { return lbSuccess; }
inline const char* lbGetErrorString(lbError_t e) { return e == lbSuccess ? "no error" : "out of memory"; }
inline lbError_t lbGetDeviceCount(int* n) {
  *n = 1;
  return lbSuccess;
}
inline lbError_t lbMalloc(void** p, std::size_t bytes) {
  *p = std::malloc(bytes ? bytes : 1);
  return *p ? lbSuccess : 2;
}
inline lbError_t lbFree(void* p) {
  std::free(p);
  return lbSuccess;
}
inline lbError_t lbMemcpy(void* dst, const void* src, std::size_t bytes, int /*kind*/) {
  std::memcpy(dst, src, bytes);
  return lbSuccess;
}
inline lbError_t lbDeviceSynchronize() { return lbSuccess; }  // launches run to completion
#define LB_GPU_RUNTIME_NAME "emulated (CPU)"
#define LB_GPU_KERNELS 1
#define LB_LAUNCH(kernel, grid, block, stream) ((void)(stream), ::lb::emu::launch(kernel, dim3(grid), dim3(block)))
