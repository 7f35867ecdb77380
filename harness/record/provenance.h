// Where a number came from: the machine, the libraries actually loaded, the job. Recorded with
// every run so that a figure in a chart can be traced back to its conditions.
#pragma once

#include <cstdint>
#include <string>

namespace lb {

struct Provenance {
  std::string host;
  std::string cpu_model;
  int cpu_cores = 0;
  std::string gpu_model;
  std::string gpu_driver;   // driver version, from the loaded HIP/CUDA runtime
  std::string gpu_runtime;  // runtime version
  std::string torch_version;
  std::string blas;
  std::string compiler;
  std::string harness_version;
  std::string git_commit;
  std::string slurm_job_id;
  std::string slurm_nodelist;
};

// Gathers everything above for this process. Cheap; no MPI call (the MPI library's version comes
// from dist/communicator.h).
Provenance collect_provenance();

// The BLAS library that serves sgemm_ in this process, with OpenBLAS's own configuration string
// when it is OpenBLAS (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Haswell (openblas-openmp/libblas.so.3)").
std::string blas_description();
std::int64_t peak_rss_bytes();
// The name of GPU `device` as the HIP or CUDA runtime that LibTorch loaded reports it; empty when
// no GPU runtime is loaded (CPU builds).
std::string gpu_name(int device);
// The PCI address ("0000:c1:00.0") of GPU `device`, from the loaded HIP/CUDA runtime; empty when
// unknown. How the energy counters find the GPU this rank uses, whatever the visible-device remap.
std::string gpu_pci_address(int device);
// "<name> (<n> visible per rank)", or "unknown GPU (...)" when the name cannot be read.
std::string gpu_description(int device);

}  // namespace lb
