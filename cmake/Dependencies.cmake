# Every dependency is found the standard way; no library path is written here.
if(LB_WITH_HDF5)
  find_package(HDF5 REQUIRED COMPONENTS C)
elseif(LB_BUILD_ANALYSIS)
  message(FATAL_ERROR "analyze reads HDF5 results files: LB_WITH_HDF5=OFF needs LB_BUILD_ANALYSIS=OFF")
endif()
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)

if(LB_BUILD_HARNESS)
  find_package(Torch REQUIRED)
  # LibTorch 2.14 and newer refuse to be compiled below C++20 (an #error in ATen's and torch's
  # headers); the standard a LibTorch needs is the CXX_STANDARD its TorchConfig.cmake puts on the
  # torch target (14 in 1.13, 17 in 2.6, 20 in 2.14). Every C++ target takes it where it is above the
  # project's 17 (CMakeLists.txt); the kernels include no LibTorch header and stay at 17.
  get_target_property(lb_torch_standard torch CXX_STANDARD)
  if(lb_torch_standard MATCHES "^[0-9]+$" AND lb_torch_standard GREATER LB_CXX_STANDARD)
    set(LB_CXX_STANDARD ${lb_torch_standard})
  endif()
  if(LB_WITH_MPI)
    find_package(MPI REQUIRED COMPONENTS C)
  endif()
  find_package(cxxopts REQUIRED)
  # Image folders need both decoders; without them --data takes synthetic data and HDF5 files.
  find_package(JPEG)
  find_package(PNG)
  # TORCH_CXX_FLAGS carries the ABI flag LibTorch was built with (-D_GLIBCXX_USE_CXX11_ABI=...).
  set(CMAKE_CXX_FLAGS "${CMAKE_CXX_FLAGS} ${TORCH_CXX_FLAGS}")
  # A LibTorch built for CUDA or ROCm, or a build of our GPU kernels: the GPU path needs LibTorch
  # 2.4 (per-device autocast, c10::Event::elapsedTime, c10::Stream::native_handle, ATen's fused
  # Adam); an older one stops here rather than failing to compile. The CPU build keeps 1.13.
  if(TARGET torch_cuda OR TARGET c10_cuda OR TARGET torch_hip OR TARGET c10_hip OR TORCH_CUDA_LIBRARIES
     OR "${TORCH_LIBRARIES}" MATCHES "(c10|torch)_(cuda|hip)")
    set(LB_TORCH_GPU ON)
  else()
    set(LB_TORCH_GPU OFF)
  endif()
  if((LB_TORCH_GPU OR LB_ENABLE_CUDA OR LB_ENABLE_HIP) AND Torch_VERSION VERSION_LESS 2.4)
    message(FATAL_ERROR "LibTorch ${Torch_VERSION} found (${Torch_DIR}); a GPU build needs LibTorch 2.4 or newer")
  endif()
  # What LibTorch offers device-generically (harness/util/device.cpp): the allocator's statistics
  # (2.9) and c10::Stream's native handle (after 2.6), so no CUDA or HIP header is needed.
  include(CheckCXXSourceCompiles)
  set(CMAKE_REQUIRED_INCLUDES ${TORCH_INCLUDE_DIRS})
  set(CMAKE_REQUIRED_FLAGS "-std=c++${LB_CXX_STANDARD} ${TORCH_CXX_FLAGS}")
  set(CMAKE_REQUIRED_QUIET ON)
  set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)  # compiled, not linked: LibTorch's libraries stay out
  check_cxx_source_compiles([=[
#include <c10/core/CachingDeviceAllocator.h>
int main() { auto* a = c10::getDeviceAllocator(c10::DeviceType::CUDA); return a != nullptr; }
]=] LB_TORCH_DEVICE_ALLOCATOR)
  check_cxx_source_compiles([=[
#include <c10/core/Stream.h>
void* f(const c10::Stream& s) { return s.native_handle(); }
int main() { return 0; }
]=] LB_TORCH_STREAM_NATIVE_HANDLE)
  # Graph capture (harness/train/device_step_graph.cpp) needs LibTorch's CUDA or HIP graph header,
  # and with it the runtime's headers, which only a GPU LibTorch's targets bring: the source itself
  # is compiled against them here, so a LibTorch whose header differs (ROCm's is unchecked in CI)
  # builds the harness without graphs rather than failing to build.
  # Checked at every configure, and an edit of the source configures again: a cached answer would
  # outlive the source it was given for.
  if(LB_TORCH_GPU)
    set(lb_graph_file ${PROJECT_SOURCE_DIR}/harness/train/device_step_graph.cpp)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${lb_graph_file})
    file(READ ${lb_graph_file} lb_graph_source)
    list(APPEND CMAKE_REQUIRED_INCLUDES ${PROJECT_SOURCE_DIR})
    set(CMAKE_REQUIRED_LIBRARIES ${TORCH_LIBRARIES})
    unset(LB_TORCH_DEVICE_GRAPHS CACHE)
    check_cxx_source_compiles("${lb_graph_source}\nint main() { return 0; }" LB_TORCH_DEVICE_GRAPHS)
    unset(CMAKE_REQUIRED_LIBRARIES)
    if(NOT LB_TORCH_DEVICE_GRAPHS)
      message(WARNING "harness/train/device_step_graph.cpp does not compile against this LibTorch "
                      "(${Torch_DIR}): the harness builds without --graph-capture on the GPU "
                      "(the compiler's output is in CMakeFiles/CMakeConfigureLog.yaml)")
    endif()
  endif()
  unset(CMAKE_REQUIRED_INCLUDES)
  unset(CMAKE_REQUIRED_FLAGS)
  unset(CMAKE_REQUIRED_QUIET)
  unset(CMAKE_TRY_COMPILE_TARGET_TYPE)
endif()

if(LB_BUILD_ANALYSIS AND NOT TARGET cxxopts::cxxopts)
  find_package(cxxopts REQUIRED)
endif()

# The test frameworks are installed by tests/run.sh (cmake/packages/tests.txt); the main job
# builds without them, and the next configure finds them once they are there.
if(LB_BUILD_TESTS)
  find_package(GTest)
  if(GTest_FOUND)
    include(GoogleTest)
  else()
    message(STATUS "GoogleTest not installed: tests are not configured (tests/run.sh installs it)")
    set(LB_BUILD_TESTS OFF)
  endif()
endif()
if(LB_BUILD_BENCHMARKS)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    message(STATUS "Google Benchmark not installed: benchmarks are not configured (tests/run.sh installs it)")
    set(LB_BUILD_BENCHMARKS OFF)
  endif()
endif()

# A single imported target for HDF5's C library, used by the recorder and by analyze.
if(LB_WITH_HDF5 AND NOT TARGET lb::hdf5)
  add_library(lb::hdf5 INTERFACE IMPORTED)
  target_include_directories(lb::hdf5 INTERFACE ${HDF5_INCLUDE_DIRS})
  target_link_libraries(lb::hdf5 INTERFACE ${HDF5_C_LIBRARIES})
  target_compile_definitions(lb::hdf5 INTERFACE ${HDF5_DEFINITIONS})
endif()
