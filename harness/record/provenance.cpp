#include "harness/record/provenance.h"

#include <dlfcn.h>
#include <sys/resource.h>
#include <unistd.h>

#include <torch/version.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <thread>

#include "harness/util/version.h"
#include "harness/build_info.h"

namespace lb {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string cpu_model_name() {
  std::ifstream in("/proc/cpuinfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("model name", 0) == 0) {
      auto colon = line.find(':');
      if (colon != std::string::npos) return line.substr(line.find_first_not_of(' ', colon + 1));
    }
  }
  return "unknown";
}

}  // namespace

std::string blas_description() {
  void* sym = dlsym(RTLD_DEFAULT, "sgemm_");
  Dl_info info = {};
  std::string where = "unknown library";
  if (sym && dladdr(sym, &info) && info.dli_fname) {
    char resolved[PATH_MAX];
    std::string path = realpath(info.dli_fname, resolved) ? resolved : info.dli_fname;
    // The directory names Debian's alternative (openblas-openmp, openblas-pthread, blas = reference).
    auto slash = path.rfind('/');
    auto prev = slash == std::string::npos ? std::string::npos : path.rfind('/', slash - 1);
    where = prev == std::string::npos ? path : path.substr(prev + 1);
  }
  using config_fn = char* (*)();
  if (auto get_config = reinterpret_cast<config_fn>(dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
    std::string desc = get_config();
    if (auto core = reinterpret_cast<config_fn>(dlsym(RTLD_DEFAULT, "openblas_get_corename")))
      desc += std::string(" core=") + core();
    return desc + " (" + where + ")";
  }
  if (!sym) return "none found";
  if (where.rfind("blas/", 0) == 0) return "reference BLAS (" + where + "; slow: select OpenBLAS)";
  return where;
}

std::string gpu_name(int device) {
  // Looked up at run time, so that CPU builds need no GPU headers. hipDeviceProp_t and
  // cudaDeviceProp both start with `char name[256]`; the buffer is larger than either struct.
  using props_fn = int (*)(void*, int);
  for (const char* symbol : {"hipGetDevicePropertiesR0600", "hipGetDeviceProperties", "cudaGetDeviceProperties_v2",
                             "cudaGetDeviceProperties"}) {
    auto fn = reinterpret_cast<props_fn>(dlsym(RTLD_DEFAULT, symbol));
    if (!fn) continue;
    alignas(64) static thread_local char props[16384];
    std::memset(props, 0, sizeof props);
    if (fn(props, device) != 0) continue;
    return std::string(props, strnlen(props, 256));
  }
  return "";
}

std::string gpu_pci_address(int device) {
  using bus_id_fn = int (*)(char*, int, int);
  for (const char* symbol : {"hipDeviceGetPCIBusId", "cudaDeviceGetPCIBusId"}) {
    auto fn = reinterpret_cast<bus_id_fn>(dlsym(RTLD_DEFAULT, symbol));
    char id[64] = {};
    if (fn && fn(id, sizeof id - 1, device) == 0) return id;
  }
  return "";
}

std::string gpu_description(int device) {
  std::string name = gpu_name(device);
  if (name.empty()) name = "unknown GPU";
  using count_fn = int (*)(int*);
  int visible = 0;
  for (const char* symbol : {"hipGetDeviceCount", "cudaGetDeviceCount"}) {
    if (auto fn = reinterpret_cast<count_fn>(dlsym(RTLD_DEFAULT, symbol)); fn && fn(&visible) == 0) break;
  }
  return name + " (" + std::to_string(visible) + " visible per rank)";
}

namespace {
// "12.4" from 12040 (CUDA) or the HIP runtime's number, looked up in the runtime LibTorch loaded.
std::string runtime_version(const char* hip_symbol, const char* cuda_symbol) {
  using version_fn = int (*)(int*);
  for (const char* symbol : {hip_symbol, cuda_symbol}) {
    auto fn = reinterpret_cast<version_fn>(dlsym(RTLD_DEFAULT, symbol));
    int v = 0;
    if (!fn || fn(&v) != 0) continue;
    if (symbol == cuda_symbol) return "CUDA " + std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
    return "HIP " + std::to_string(v);
  }
  return "";
}
}  // namespace

std::int64_t peak_rss_bytes() {
  rusage u = {};
  getrusage(RUSAGE_SELF, &u);
  return std::int64_t(u.ru_maxrss) * 1024;  // Linux reports KiB
}

Provenance collect_provenance() {
  Provenance p;
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  p.host = host;
  p.cpu_model = cpu_model_name();
  p.cpu_cores = int(std::thread::hardware_concurrency());
  p.torch_version = torch_version_string();
  p.blas = blas_description();
#if defined(__clang__)
  p.compiler = "clang " __clang_version__;
#elif defined(__GNUC__)
  p.compiler = "gcc " __VERSION__;
#endif
  p.harness_version = LB_VERSION;
  p.git_commit = LB_GIT_COMMIT;
  p.gpu_driver = runtime_version("hipDriverGetVersion", "cudaDriverGetVersion");
  p.gpu_runtime = runtime_version("hipRuntimeGetVersion", "cudaRuntimeGetVersion");
  p.slurm_job_id = env("SLURM_JOB_ID");
  p.slurm_nodelist = env("SLURM_JOB_NODELIST");
  return p;
}

}  // namespace lb
