# HIP kernels for the MI250X (gfx90a). Debian's hipcc (package hipcc) or ROCm's on LUMI.
set(CMAKE_HIP_ARCHITECTURES "gfx90a" CACHE STRING "HIP GPU architectures")
enable_language(HIP)
