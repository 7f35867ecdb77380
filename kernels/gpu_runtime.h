// The one portability header of the GPU kernels: the same source compiles as HIP (hipcc, LUMI's
// MI250X), as CUDA (nvcc), or as plain C++ on the CPU's emulated runtime (LB_GPU_EMULATION,
// gpu_emulation.h: the kernels' tests in CI). Every runtime call goes through LB_GPU_CHECK, which
// names the file and line of a failure; every launch through LB_LAUNCH(kernel, grid, block,
// stream)(arguments...).
#pragma once

#if defined(LB_GPU_EMULATION)
#include "kernels/gpu_emulation.h"
#elif defined(__HIPCC__)
#include <hip/hip_runtime.h>
using lbStream_t = hipStream_t;
using lbError_t = hipError_t;
#define lbSuccess hipSuccess
#define lbGetLastError hipGetLastError
#define lbGetErrorString hipGetErrorString
#define lbGetDeviceCount hipGetDeviceCount
#define lbMalloc hipMalloc
#define lbFree hipFree
#define lbMemcpy hipMemcpy
#define lbMemcpyHostToDevice hipMemcpyHostToDevice
#define lbMemcpyDeviceToHost hipMemcpyDeviceToHost
#define lbDeviceSynchronize hipDeviceSynchronize
#define LB_GPU_RUNTIME_NAME "HIP"
#define LB_GPU_KERNELS 1
#define LB_LAUNCH(kernel, grid, block, stream) kernel<<<grid, block, 0, stream>>>
#elif defined(__CUDACC__)
#include <cuda_runtime.h>
using lbStream_t = cudaStream_t;
using lbError_t = cudaError_t;
#define lbSuccess cudaSuccess
#define lbGetLastError cudaGetLastError
#define lbGetErrorString cudaGetErrorString
#define lbGetDeviceCount cudaGetDeviceCount
#define lbMalloc cudaMalloc
#define lbFree cudaFree
#define lbMemcpy cudaMemcpy
#define lbMemcpyHostToDevice cudaMemcpyHostToDevice
#define lbMemcpyDeviceToHost cudaMemcpyDeviceToHost
#define lbDeviceSynchronize cudaDeviceSynchronize
#define LB_GPU_RUNTIME_NAME "CUDA"
#define LB_GPU_KERNELS 1
#define LB_LAUNCH(kernel, grid, block, stream) kernel<<<grid, block, 0, stream>>>
#endif

#if defined(LB_GPU_KERNELS)
#include <stdexcept>
#include <string>

#define LB_HOST_DEVICE __host__ __device__
#define LB_GPU_CHECK(call)                                                                      \
  do {                                                                                          \
    lbError_t lb_err_ = (call);                                                                 \
    if (lb_err_ != lbSuccess)                                                                   \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " +  \
                               #call + ": " + lbGetErrorString(lb_err_));                       \
  } while (0)
#else
#define LB_HOST_DEVICE
#endif
