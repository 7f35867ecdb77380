#include "harness/energy/gpu_selection.h"

#include <algorithm>
#include <cctype>

namespace lb::energy {
namespace {

bool all_digits(const std::string& s) {
  return !s.empty() && s.size() < 7 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

std::vector<GpuChoice> choose_gpus(const std::vector<std::string>& selectors, unsigned device_count,
                                   const std::function<bool(unsigned, PciAddress*)>& pci_of) {
  std::vector<GpuChoice> out;
  std::vector<unsigned> taken;
  auto add = [&](GpuChoice c) {
    if (c.ok) {
      if (std::find(taken.begin(), taken.end(), c.index) != taken.end()) return;
      taken.push_back(c.index);
    }
    out.push_back(std::move(c));
  };
  if (selectors.empty()) {
    for (unsigned i = 0; i < device_count; ++i) add({"", true, i, ""});
    return out;
  }
  const std::string seen = " (" + std::to_string(device_count) + " devices)";
  for (const auto& sel : selectors) {
    GpuChoice c;
    c.selector = sel;
    PciAddress wanted;
    if (all_digits(sel)) {
      c.index = unsigned(std::stoul(sel));
      c.ok = c.index < device_count;
      if (!c.ok) c.error = "no GPU with index " + sel + seen;
    } else if (parse_pci_address(sel, &wanted)) {
      for (unsigned i = 0; i < device_count && !c.ok; ++i) {
        PciAddress a;
        if (pci_of && pci_of(i, &a) && a == wanted) {
          c.ok = true;
          c.index = i;
        }
      }
      if (!c.ok) c.error = "no GPU at PCI address " + to_string(wanted) + seen;
    } else {
      c.error = "GPU selector '" + sel + "' is neither an index nor a PCI address";
    }
    add(c);
  }
  return out;
}

std::string unmatched_domain(const std::string& selector) {
  return all_digits(selector) ? "gpu" + selector : "gpu@" + selector;
}

}  // namespace lb::energy
