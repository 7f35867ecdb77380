#include "harness/energy/nvml_source.h"

#include "harness/energy/gpu_selection.h"

namespace lb::energy {

std::string NvmlSource::message(const std::string& call, int code) const {
  return call + ": " + (api_.error_string ? api_.error_string(code) : "NVML error " + std::to_string(code));
}

NvmlSource::NvmlSource(LoadedNvml loaded, NvmlOptions options) : api_(std::move(loaded.api)), node_(options.node) {
  if (!loaded.ok) {
    source_error_ = loaded.error;
    return;
  }
  if (const int rc = api_.init(); rc != kNvmlSuccess) {
    source_error_ = message("nvmlInit", rc);
    return;
  }
  initialised_ = true;
  unsigned count = 0;
  if (const int rc = api_.device_count(&count); rc != kNvmlSuccess) {
    source_error_ = message("nvmlDeviceGetCount", rc);
    return;
  }
  auto pci_of = [this](unsigned i, PciAddress* a) { return api_.pci_address && api_.pci_address(i, a) == kNvmlSuccess; };
  for (const auto& choice : choose_gpus(options.devices, count, pci_of)) {
    Gpu g;
    if (!choice.ok) {
      g.domain = unmatched_domain(choice.selector);
      g.unit = node_ + "/nvml/" + g.domain;
      g.error = choice.error;
      gpus_.push_back(g);
      continue;
    }
    g.index = choice.index;
    g.domain = "gpu" + std::to_string(g.index);
    std::string uuid;
    PciAddress pci;
    if (api_.uuid && api_.uuid(g.index, &uuid) == kNvmlSuccess && !uuid.empty())
      g.unit = uuid;
    else if (pci_of(g.index, &pci))
      g.unit = node_ + "/gpu@" + to_string(pci);
    else
      g.unit = node_ + "/nvml/" + g.domain;

    unsigned long long mj = 0;
    unsigned mw = 0;
    const int energy_rc = api_.total_energy(g.index, &mj);
    if (energy_rc == kNvmlSuccess) {
      g.kind = Kind::counter;
    } else if (const int power_rc = api_.power_usage(g.index, &mw); power_rc == kNvmlSuccess) {
      g.kind = Kind::integrated_power;  // pre-Volta GPUs have no energy counter
    } else {
      g.error = message("nvmlDeviceGetTotalEnergyConsumption(" + g.domain + ")", energy_rc) + "; " +
                message("nvmlDeviceGetPowerUsage(" + g.domain + ")", power_rc);
    }
    gpus_.push_back(g);
  }
  if (gpus_.empty()) source_error_ = "NVML sees no GPU";
}

NvmlSource::~NvmlSource() {
  if (initialised_) api_.shutdown();
}

std::vector<DomainSample> NvmlSource::read(double /*now_s*/) {
  if (!source_error_.empty()) return {unavailable_sample("", node_ + "/nvml", Kind::counter, source_error_)};
  std::vector<DomainSample> out;
  for (const auto& g : gpus_) {
    if (!g.error.empty()) {
      out.push_back(unavailable_sample(g.domain, g.unit, g.kind, g.error));
      continue;
    }
    DomainSample s;
    s.domain = g.domain;
    s.unit = g.unit;
    s.kind = g.kind;
    if (g.kind == Kind::counter) {
      unsigned long long mj = 0;
      const int rc = api_.total_energy(g.index, &mj);
      s.available = rc == kNvmlSuccess;
      s.value = double(mj) * 1e-3;
      if (!s.available) s.reason = message("nvmlDeviceGetTotalEnergyConsumption(" + g.domain + ")", rc);
    } else {
      unsigned mw = 0;
      const int rc = api_.power_usage(g.index, &mw);
      s.available = rc == kNvmlSuccess;
      s.value = double(mw) * 1e-3;
      if (!s.available) s.reason = message("nvmlDeviceGetPowerUsage(" + g.domain + ")", rc);
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace lb::energy
