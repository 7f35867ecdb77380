// The few NVML functions the energy source needs, as a table of plain functions: load_nvml()
// fills it from libnvidia-ml.so.1 with dlopen, tests fill it with fakes. Devices are addressed by
// NVML index; the loader turns indices into nvmlDevice_t handles itself.
//
// The signatures are declared here from NVML's documented C API (no NVIDIA header is needed to
// build): nvmlInit_v2, nvmlShutdown, nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2,
// nvmlDeviceGetTotalEnergyConsumption (mJ since the driver was loaded; Volta and newer),
// nvmlDeviceGetPowerUsage (mW), nvmlDeviceGetUUID, nvmlDeviceGetPciInfo_v3, nvmlErrorString.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/energy/pci_address.h"

namespace lb::energy {

// nvmlReturn_t values used here.
constexpr int kNvmlSuccess = 0;
constexpr int kNvmlNotSupported = 3;

struct NvmlApi {
  std::function<int()> init;
  std::function<int()> shutdown;
  std::function<int(unsigned* count)> device_count;
  std::function<int(unsigned index, unsigned long long* millijoules)> total_energy;
  std::function<int(unsigned index, unsigned* milliwatts)> power_usage;
  std::function<int(unsigned index, std::string* uuid)> uuid;           // may be empty
  std::function<int(unsigned index, PciAddress* pci)> pci_address;     // may be empty
  std::function<std::string(int code)> error_string;                    // may be empty
};

struct LoadedNvml {
  bool ok = false;
  NvmlApi api;
  std::string error;  // "libnvidia-ml.so.1 not found"
};

LoadedNvml load_nvml(const std::vector<std::string>& names = {"libnvidia-ml.so.1"});

}  // namespace lb::energy
