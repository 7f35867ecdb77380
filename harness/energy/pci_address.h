// PCI addresses of GPUs. The process knows its GPU through its runtime (CUDA/HIP device
// properties give the PCI domain/bus/device); the monitoring libraries number GPUs their own
// way and ignore CUDA_VISIBLE_DEVICES / ROCR_VISIBLE_DEVICES, so the PCI address is the reliable
// link between the two.
#pragma once

#include <cstdint>
#include <string>

namespace lb::energy {

struct PciAddress {
  std::uint32_t domain = 0, bus = 0, device = 0, function = 0;
  bool operator==(const PciAddress& o) const {
    return domain == o.domain && bus == o.bus && device == o.device && function == o.function;
  }
};

// "0000:c1:00.0", "00000000:C1:00.0" (NVML), "c1:00.0" (domain 0), "0000:c1:00" (function 0).
bool parse_pci_address(const std::string& text, PciAddress* out);
std::string to_string(const PciAddress& a);  // "0000:c1:00.0"

// ROCm SMI / AMD SMI pack the address as (domain << 32) | (bus << 8) | (device << 3) | function.
PciAddress from_bdf_id(std::uint64_t bdfid);

}  // namespace lb::energy
