// Which GPUs a process reads: the caller names them by the monitoring library's index ("3") or,
// better, by PCI address ("0000:c1:00.0"), which survives CUDA/ROCR_VISIBLE_DEVICES renumbering.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "harness/energy/pci_address.h"

namespace lb::energy {

struct GpuChoice {
  std::string selector;  // as given ("" when every device was chosen)
  bool ok = false;
  unsigned index = 0;  // the library's device index
  std::string error;   // "no GPU at PCI address 0000:c1:00.0 (8 devices)"
};

// selectors empty: every device, in index order. A device named twice is chosen once.
std::vector<GpuChoice> choose_gpus(const std::vector<std::string>& selectors, unsigned device_count,
                                   const std::function<bool(unsigned index, PciAddress* out)>& pci_of);

// The domain name of a selector that matched no device: "gpu9", "gpu@0000:c1:00.0".
std::string unmatched_domain(const std::string& selector);

}  // namespace lb::energy
