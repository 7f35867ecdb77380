#include "harness/energy/amd_smi_api.h"

#include <cstdlib>
#include <memory>

#include "harness/energy/dynamic_library.h"

namespace lb::energy {
namespace {

std::vector<std::string> with_rocm_path(std::vector<std::string> names) {
  const char* rocm = std::getenv("ROCM_PATH");
  if (rocm && *rocm) {
    const std::size_t n = names.size();
    for (std::size_t i = 0; i < n; ++i) names.push_back(std::string(rocm) + "/lib/" + names[i]);
  }
  return names;
}

using StatusStringFn = int (*)(int, const char**);

std::function<std::string(int)> status_strings(std::shared_ptr<DynamicLibrary> lib, StatusStringFn fn) {
  if (!fn) return {};
  return [lib, fn](int code) {
    const char* s = nullptr;
    if (fn(code, &s) != kSmiSuccess || !s) return "status " + std::to_string(code);
    return std::string(s);
  };
}

}  // namespace

LoadedAmdSmi load_rocm_smi(const std::vector<std::string>& names) {
  LoadedAmdSmi out;
  const auto lib = DynamicLibrary::open(
      names.empty() ? with_rocm_path({"librocm_smi64.so", "librocm_smi64.so.7", "librocm_smi64.so.6", "librocm_smi64.so.5"})
                    : names);
  if (!lib->loaded()) {
    out.error = lib->error();
    return out;
  }
  using InitFn = int (*)(std::uint64_t);
  using ShutFn = int (*)();
  using CountFn = int (*)(std::uint32_t*);
  using EnergyFn = int (*)(std::uint32_t, std::uint64_t*, float*, std::uint64_t*);
  using PowerAveFn = int (*)(std::uint32_t, std::uint32_t, std::uint64_t*);
  using U64Fn = int (*)(std::uint32_t, std::uint64_t*);
  std::string error;
  const auto init = lib->function<InitFn>("rsmi_init", &error);
  const auto shut = lib->function<ShutFn>("rsmi_shut_down", &error);
  const auto count = lib->function<CountFn>("rsmi_num_monitor_devices", &error);
  const auto energy = lib->function<EnergyFn>("rsmi_dev_energy_count_get", &error);
  if (!init || !shut || !count || !energy) {
    out.error = error;
    return out;
  }
  std::string optional;
  const auto power_ave = lib->function<PowerAveFn>("rsmi_dev_power_ave_get", &optional);
  const auto socket_power = lib->function<U64Fn>("rsmi_dev_current_socket_power_get", &optional);
  const auto unique = lib->function<U64Fn>("rsmi_dev_unique_id_get", &optional);
  const auto pci = lib->function<U64Fn>("rsmi_dev_pci_id_get", &optional);

  AmdSmiApi& api = out.api;
  api.library = "rocm_smi";
  api.init = [lib, init] { return init(0); };
  api.shutdown = [lib, shut] { return shut(); };
  api.device_count = [lib, count](unsigned* n) {
    std::uint32_t c = 0;
    const int rc = count(&c);
    *n = c;
    return rc;
  };
  api.energy_count = [lib, energy](unsigned i, std::uint64_t* c, float* r, std::uint64_t* t) { return energy(i, c, r, t); };
  if (power_ave || socket_power)
    // Older GPUs (MI100, MI200) report an average, newer ones (MI300) only the current socket power.
    api.power = [lib, power_ave, socket_power](unsigned i, std::uint64_t* uw) {
      int rc = power_ave ? power_ave(i, 0, uw) : kSmiNotSupported;
      if (rc != kSmiSuccess && socket_power) rc = socket_power(i, uw);
      return rc;
    };
  if (unique) api.unique_id = [lib, unique](unsigned i, std::uint64_t* id) { return unique(i, id); };
  if (pci)
    api.pci_address = [lib, pci](unsigned i, PciAddress* a) {
      std::uint64_t bdf = 0;
      const int rc = pci(i, &bdf);
      if (rc == kSmiSuccess) *a = from_bdf_id(bdf);
      return rc;
    };
  api.error_string = status_strings(lib, lib->function<StatusStringFn>("rsmi_status_string", &optional));
  out.ok = true;
  return out;
}

LoadedAmdSmi load_amd_smi(const std::vector<std::string>& names) {
  LoadedAmdSmi out;
  const auto lib = DynamicLibrary::open(
      names.empty() ? with_rocm_path({"libamd_smi.so", "libamd_smi.so.26", "libamd_smi.so.25", "libamd_smi.so.24"}) : names);
  if (!lib->loaded()) {
    out.error = lib->error();
    return out;
  }
  using Handle = void*;
  using InitFn = int (*)(std::uint64_t);
  using ShutFn = int (*)();
  using SocketsFn = int (*)(std::uint32_t*, Handle*);
  using ProcessorsFn = int (*)(Handle, std::uint32_t*, Handle*);
  using EnergyFn = int (*)(Handle, std::uint64_t*, float*, std::uint64_t*);
  using BdfFn = int (*)(Handle, std::uint64_t*);
  std::string error;
  const auto init = lib->function<InitFn>("amdsmi_init", &error);
  const auto shut = lib->function<ShutFn>("amdsmi_shut_down", &error);
  const auto sockets = lib->function<SocketsFn>("amdsmi_get_socket_handles", &error);
  const auto processors = lib->function<ProcessorsFn>("amdsmi_get_processor_handles", &error);
  const auto energy = lib->function<EnergyFn>("amdsmi_get_energy_count", &error);
  if (!init || !shut || !sockets || !processors || !energy) {
    out.error = error;
    return out;
  }
  std::string optional;
  const auto bdf = lib->function<BdfFn>("amdsmi_get_gpu_bdf_id", &optional);
  constexpr std::uint64_t kInitAmdGpus = 1u << 1;  // AMDSMI_INIT_AMD_GPUS

  // Index i is the i-th GPU in socket order, as amd-smi lists them.
  auto handles = std::make_shared<std::vector<Handle>>();
  AmdSmiApi& api = out.api;
  api.library = "amd_smi";
  api.init = [lib, init, sockets, processors, handles] {
    int rc = init(kInitAmdGpus);
    if (rc != kSmiSuccess) return rc;
    std::uint32_t n = 0;
    if ((rc = sockets(&n, nullptr)) != kSmiSuccess) return rc;
    std::vector<Handle> socket_handles(n);
    if ((rc = sockets(&n, socket_handles.data())) != kSmiSuccess) return rc;
    handles->clear();
    for (std::uint32_t s = 0; s < n; ++s) {
      std::uint32_t m = 0;
      if ((rc = processors(socket_handles[s], &m, nullptr)) != kSmiSuccess) return rc;
      std::vector<Handle> p(m);
      if ((rc = processors(socket_handles[s], &m, p.data())) != kSmiSuccess) return rc;
      handles->insert(handles->end(), p.begin(), p.begin() + m);
    }
    return kSmiSuccess;
  };
  api.shutdown = [lib, shut] { return shut(); };
  api.device_count = [handles](unsigned* n) {
    *n = unsigned(handles->size());
    return kSmiSuccess;
  };
  api.energy_count = [lib, energy, handles](unsigned i, std::uint64_t* c, float* r, std::uint64_t* t) {
    return i < handles->size() ? energy((*handles)[i], c, r, t) : kSmiNotSupported;
  };
  if (bdf)
    api.pci_address = [lib, bdf, handles](unsigned i, PciAddress* a) {
      std::uint64_t id = 0;
      const int rc = i < handles->size() ? bdf((*handles)[i], &id) : kSmiNotSupported;
      if (rc == kSmiSuccess) *a = from_bdf_id(id);
      return rc;
    };
  api.error_string = status_strings(lib, lib->function<StatusStringFn>("amdsmi_status_code_to_string", &optional));
  out.ok = true;
  return out;
}

LoadedAmdSmi load_amd_gpu_library() {
  auto rocm = load_rocm_smi();
  if (rocm.ok) return rocm;
  auto amd = load_amd_smi();
  if (amd.ok) return amd;
  LoadedAmdSmi none;
  none.error = rocm.error + "; " + amd.error;
  return none;
}

}  // namespace lb::energy
