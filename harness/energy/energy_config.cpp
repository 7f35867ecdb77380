#include "harness/energy/energy_config.h"

#include <unistd.h>

#include "harness/energy/amd_gpu_source.h"
#include "harness/energy/cray_pm_source.h"
#include "harness/energy/nvml_source.h"
#include "harness/energy/rapl_source.h"

namespace lb::energy {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

std::vector<std::unique_ptr<CounterSource>> make_sources(const EnergyConfig& config) {
  const std::string node = config.node.empty() ? host_name() : config.node;
  std::vector<std::unique_ptr<CounterSource>> sources;
  if (config.node_counters && config.rapl) {
    RaplOptions o;
    o.root = config.rapl_root;
    o.node = node;
    sources.push_back(std::make_unique<RaplSource>(o));
  }
  if (config.node_counters && config.cray_pm) {
    CrayPmOptions o;
    o.root = config.cray_pm_root;
    o.node = node;
    sources.push_back(std::make_unique<CrayPmSource>(o));
  }
  if (config.nvml) sources.push_back(std::make_unique<NvmlSource>(load_nvml(), NvmlOptions{config.gpu_devices, node}));
  if (config.rocm_smi)
    sources.push_back(std::make_unique<AmdGpuSource>(load_amd_gpu_library(), AmdGpuOptions{config.gpu_devices, node}));
  return sources;
}

std::unique_ptr<EnergyMeter> make_energy_meter(const EnergyConfig& config) {
  MeterOptions o;
  o.interval_s = config.interval_s;
  o.node = config.node.empty() ? host_name() : config.node;
  return std::make_unique<EnergyMeter>(make_sources(config), o);
}

}  // namespace lb::energy
