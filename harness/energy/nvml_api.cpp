#include "harness/energy/nvml_api.h"

#include <cstring>
#include <memory>

#include "harness/energy/dynamic_library.h"

namespace lb::energy {
namespace {

using nvmlDevice_t = void*;  // struct nvmlDevice_st*
using InitFn = int (*)();
using ShutdownFn = int (*)();
using CountFn = int (*)(unsigned*);
using HandleFn = int (*)(unsigned, nvmlDevice_t*);
using EnergyFn = int (*)(nvmlDevice_t, unsigned long long*);
using PowerFn = int (*)(nvmlDevice_t, unsigned*);
using UuidFn = int (*)(nvmlDevice_t, char*, unsigned);
using ErrorStringFn = const char* (*)(int);

// nvmlPciInfo_t as filled by nvmlDeviceGetPciInfo_v3.
struct NvmlPciInfo {
  char bus_id_legacy[16];
  unsigned domain, bus, device, pci_device_id, pci_subsystem_id;
  char bus_id[32];
};
using PciFn = int (*)(nvmlDevice_t, NvmlPciInfo*);

}  // namespace

LoadedNvml load_nvml(const std::vector<std::string>& names) {
  LoadedNvml out;
  const auto lib = DynamicLibrary::open(names);
  if (!lib->loaded()) {
    out.error = lib->error();
    return out;
  }
  std::string error;
  const auto init = lib->function<InitFn>("nvmlInit_v2", &error);
  const auto shutdown = lib->function<ShutdownFn>("nvmlShutdown", &error);
  const auto count = lib->function<CountFn>("nvmlDeviceGetCount_v2", &error);
  const auto handle = lib->function<HandleFn>("nvmlDeviceGetHandleByIndex_v2", &error);
  const auto energy = lib->function<EnergyFn>("nvmlDeviceGetTotalEnergyConsumption", &error);
  const auto power = lib->function<PowerFn>("nvmlDeviceGetPowerUsage", &error);
  if (!init || !shutdown || !count || !handle || !energy || !power) {
    out.error = error;
    return out;
  }
  std::string optional;
  const auto uuid = lib->function<UuidFn>("nvmlDeviceGetUUID", &optional);
  const auto pci = lib->function<PciFn>("nvmlDeviceGetPciInfo_v3", &optional);
  const auto error_string = lib->function<ErrorStringFn>("nvmlErrorString", &optional);

  // Every function keeps the library loaded for as long as the table lives.
  auto with_device = [lib, handle](unsigned index, auto&& call) -> int {
    nvmlDevice_t dev = nullptr;
    const int rc = handle(index, &dev);
    return rc != kNvmlSuccess ? rc : call(dev);
  };
  NvmlApi& api = out.api;
  api.init = [lib, init] { return init(); };
  api.shutdown = [lib, shutdown] { return shutdown(); };
  api.device_count = [lib, count](unsigned* n) { return count(n); };
  api.total_energy = [with_device, energy](unsigned i, unsigned long long* mj) {
    return with_device(i, [&](nvmlDevice_t d) { return energy(d, mj); });
  };
  api.power_usage = [with_device, power](unsigned i, unsigned* mw) {
    return with_device(i, [&](nvmlDevice_t d) { return power(d, mw); });
  };
  if (uuid)
    api.uuid = [with_device, uuid](unsigned i, std::string* out_uuid) {
      return with_device(i, [&](nvmlDevice_t d) {
        char buf[96] = {};
        const int rc = uuid(d, buf, sizeof buf);
        if (rc == kNvmlSuccess) *out_uuid = buf;
        return rc;
      });
    };
  if (pci)
    api.pci_address = [with_device, pci](unsigned i, PciAddress* a) {
      return with_device(i, [&](nvmlDevice_t d) {
        NvmlPciInfo info;
        std::memset(&info, 0, sizeof info);
        const int rc = pci(d, &info);
        if (rc == kNvmlSuccess) *a = PciAddress{info.domain, info.bus, info.device, 0};
        return rc;
      });
    };
  if (error_string)
    api.error_string = [lib, error_string](int code) {
      const char* s = error_string(code);
      return std::string(s ? s : "unknown NVML error");
    };
  out.ok = true;
  return out;
}

}  // namespace lb::energy
