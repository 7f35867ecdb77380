// Memory figures of a run. Host: this process's peak resident set (VmHWM), which the kernel
// keeps, so no sampling is needed. GPU peaks come from the framework's allocator (LibTorch's
// caching allocator statistics), filled in by the harness.
#pragma once

#include <cstdint>
#include <string>

#include "harness/energy/text_file.h"

namespace lb::energy {

struct MemoryFigure {
  bool available = false;
  std::int64_t bytes = 0;
  std::string reason;
};

// VmHWM of <proc_root>/self/status.
MemoryFigure peak_resident_memory(const std::string& proc_root = "/proc", const ReadText& read = read_text_file);

struct RunMemory {
  MemoryFigure host_peak_resident;   // this process, VmHWM
  MemoryFigure gpu_peak_allocated;   // bytes in tensors at the peak (allocator statistics)
  MemoryFigure gpu_peak_reserved;    // bytes the allocator held from the device at the peak
};

}  // namespace lb::energy
