// NVIDIA GPUs through NVML: the total-energy counter (mJ) where the GPU has one (Volta and
// newer), otherwise the board power (mW) integrated over the meter's samples.
//
// Domains "gpu<NVML index>"; units "GPU-<uuid>" (the same physical GPU read by two processes is
// counted once by node_merge).
#pragma once

#include <string>
#include <vector>

#include "harness/energy/counter_source.h"
#include "harness/energy/nvml_api.h"

namespace lb::energy {

struct NvmlOptions {
  std::vector<std::string> devices;  // gpu_selection.h; empty: every GPU of the node
  std::string node;
};

class NvmlSource final : public CounterSource {
 public:
  NvmlSource(LoadedNvml loaded, NvmlOptions options);
  ~NvmlSource() override;
  NvmlSource(const NvmlSource&) = delete;
  NvmlSource& operator=(const NvmlSource&) = delete;

  std::string name() const override { return "nvml"; }
  std::vector<DomainSample> read(double now_s) override;

 private:
  struct Gpu {
    unsigned index = 0;
    std::string domain, unit, error;
    Kind kind = Kind::counter;
  };
  std::string message(const std::string& call, int code) const;

  NvmlApi api_;
  bool initialised_ = false;
  std::string source_error_;
  std::vector<Gpu> gpus_;
  std::string node_;
};

}  // namespace lb::energy
