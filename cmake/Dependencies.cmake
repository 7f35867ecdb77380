# Every dependency is found the standard way; no library path is written here.
find_package(HDF5 REQUIRED COMPONENTS C)
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)

if(LB_BUILD_HARNESS)
  find_package(Torch REQUIRED)
  find_package(MPI REQUIRED COMPONENTS C)
  find_package(cxxopts REQUIRED)
  find_package(JPEG REQUIRED)
  find_package(PNG REQUIRED)
  # TORCH_CXX_FLAGS carries the ABI flag LibTorch was built with (-D_GLIBCXX_USE_CXX11_ABI=...).
  set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${TORCH_CXX_FLAGS}")
  # A LibTorch built for CUDA or ROCm: the GPU path's vendor headers (harness/util/device.cpp).
  if(TARGET torch_cuda OR TARGET c10_cuda OR TARGET torch_hip OR TARGET c10_hip OR TORCH_CUDA_LIBRARIES)
    set(LB_TORCH_GPU ON)
  else()
    set(LB_TORCH_GPU OFF)
  endif()
endif()

if(LB_BUILD_ANALYSIS AND NOT TARGET cxxopts::cxxopts)
  find_package(cxxopts REQUIRED)
endif()

if(LB_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
  find_package(Python3 COMPONENTS Interpreter)
endif()
if(LB_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()

# A single imported target for HDF5's C library, used by the recorder and by analyze.
if(NOT TARGET lb::hdf5)
  add_library(lb::hdf5 INTERFACE IMPORTED)
  target_include_directories(lb::hdf5 INTERFACE ${HDF5_INCLUDE_DIRS})
  target_link_libraries(lb::hdf5 INTERFACE ${HDF5_C_LIBRARIES})
  target_compile_definitions(lb::hdf5 INTERFACE ${HDF5_DEFINITIONS})
endif()
