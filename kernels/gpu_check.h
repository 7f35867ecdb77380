// Every HIP call goes through LB_HIP_CHECK, which names the file and line of a failure.
#pragma once

#if defined(__HIPCC__)
#include <hip/hip_runtime.h>

#include <stdexcept>
#include <string>

#define LB_HIP_CHECK(call)                                                                        \
  do {                                                                                            \
    hipError_t lb_err_ = (call);                                                                  \
    if (lb_err_ != hipSuccess)                                                                    \
      throw std::runtime_error(std::string(__FILE__) + ":" + std::to_string(__LINE__) + ": " +    \
                               #call + ": " + hipGetErrorString(lb_err_));                        \
  } while (0)
#endif
