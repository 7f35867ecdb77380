// The few functions the AMD GPU energy source needs, as a table of plain functions filled from
// ROCm SMI (librocm_smi64.so) or, where only it is installed, AMD SMI (libamd_smi.so), or by
// fakes in tests. Devices are addressed by the library's index.
//
// Signatures declared here from the libraries' documented C APIs (no ROCm header is needed):
//   ROCm SMI: rsmi_init(uint64_t), rsmi_shut_down(), rsmi_num_monitor_devices(uint32_t*),
//     rsmi_dev_energy_count_get(uint32_t, uint64_t* counter, float* resolution_uJ, uint64_t* ts_ns),
//     rsmi_dev_power_ave_get(uint32_t, uint32_t sensor, uint64_t* uW), optionally
//     rsmi_dev_current_socket_power_get(uint32_t, uint64_t* uW) (ROCm 6+),
//     rsmi_dev_unique_id_get(uint32_t, uint64_t*), rsmi_dev_pci_id_get(uint32_t, uint64_t* bdfid),
//     rsmi_status_string(rsmi_status_t, const char**).
//   AMD SMI: amdsmi_init(uint64_t flags), amdsmi_shut_down(), amdsmi_get_socket_handles,
//     amdsmi_get_processor_handles, amdsmi_get_energy_count (same arguments as ROCm SMI's),
//     optionally amdsmi_get_gpu_bdf_id and amdsmi_status_code_to_string. Its power query takes a
//     struct whose layout changed between releases, so through AMD SMI only the energy counter
//     is read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "harness/energy/pci_address.h"

namespace lb::energy {

// rsmi_status_t and amdsmi_status_t agree on these two.
constexpr int kSmiSuccess = 0;
constexpr int kSmiNotSupported = 2;

struct AmdSmiApi {
  std::string library = "rocm_smi";  // the figures' source: "rocm_smi" or "amd_smi"
  std::function<int()> init;
  std::function<int()> shutdown;
  std::function<int(unsigned* count)> device_count;
  // Energy in microjoules = counter * resolution_uj.
  std::function<int(unsigned index, std::uint64_t* counter, float* resolution_uj, std::uint64_t* timestamp_ns)> energy_count;
  std::function<int(unsigned index, std::uint64_t* microwatts)> power;   // may be empty
  std::function<int(unsigned index, std::uint64_t* id)> unique_id;       // may be empty
  std::function<int(unsigned index, PciAddress* pci)> pci_address;       // may be empty
  std::function<std::string(int code)> error_string;                    // may be empty
};

struct LoadedAmdSmi {
  bool ok = false;
  AmdSmiApi api;
  std::string error;
};

// Default names: the plain sonames, then $ROCM_PATH/lib/<name> when ROCM_PATH is set.
LoadedAmdSmi load_rocm_smi(const std::vector<std::string>& names = {});
LoadedAmdSmi load_amd_smi(const std::vector<std::string>& names = {});
// ROCm SMI, else AMD SMI; the error names both when neither loads.
LoadedAmdSmi load_amd_gpu_library();

}  // namespace lb::energy
