// Which counters a process reads, and the meter that reads them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "harness/energy/counter_source.h"
#include "harness/energy/energy_meter.h"

namespace lb::energy {

struct EnergyConfig {
  double interval_s = 1.0;  // background sampling; RAPL wraps after minutes at full power
  std::string node;         // "" = this host's name

  // Node counters: true on the node's local rank 0 only (node_merge.h).
  bool node_counters = true;
  bool rapl = true;
  std::string rapl_root = "/sys/class/powercap";
  bool cray_pm = true;
  std::string cray_pm_root = "/sys/cray/pm_counters";

  // GPU counters, loaded at run time when present.
  bool nvml = true;
  bool rocm_smi = true;  // ROCm SMI, or AMD SMI where only it is installed
  // The GPUs this process uses, by the monitoring library's index or (better) PCI address
  // "0000:c1:00.0"; empty: every GPU of the node.
  std::vector<std::string> gpu_devices;
};

std::string host_name();

std::vector<std::unique_ptr<CounterSource>> make_sources(const EnergyConfig& config);
std::unique_ptr<EnergyMeter> make_energy_meter(const EnergyConfig& config);

}  // namespace lb::energy
