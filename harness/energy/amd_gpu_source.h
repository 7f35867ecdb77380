// AMD GPUs through ROCm SMI (or AMD SMI): the energy accumulator where the GPU has one, otherwise
// the socket power integrated over the meter's samples.
//
// Multi-die modules (MI250X: two GCDs per module) have one power/energy meter per module. The
// amdgpu driver for MI200 reports the module's power and energy accumulator on the primary die
// and 0 on the secondary die (rocm-smi prints "N/A (Secondary die)"). Rule used to attribute a
// module's energy once:
//   1. A die that reports a non-zero energy counter (or, without one, non-zero power) reads for
//      itself.
//   2. A die that reports zero (a secondary die) reads through the die of the same module: the
//      die with the same non-zero unique id that does report, else its pair partner
//      (index XOR 1: ROCm SMI numbers the GCDs of one MI250X consecutively, 2k and 2k+1;
//      an assumption from LUMI's node layout, not a documented guarantee).
//   3. Reading dies that share a non-zero unique id, or return the very same counter value with
//      the very same timestamp, are one meter.
// Dies that end on the same meter form one module and one figure, named after the lowest
// selected die ("gpu0" covers dies 0 and 1 when both are selected); its unit names the meter
// ("<node>/module@<pci of the reading die>"), so two processes that each use one die of the
// same module are counted once when node_merge sums them. A module's energy includes both dies
// whatever this job runs on them.
#pragma once

#include <string>
#include <vector>

#include "harness/energy/amd_smi_api.h"
#include "harness/energy/counter_source.h"

namespace lb::energy {

struct AmdGpuOptions {
  std::vector<std::string> devices;  // gpu_selection.h; empty: every GPU of the node
  std::string node;
};

class AmdGpuSource final : public CounterSource {
 public:
  AmdGpuSource(LoadedAmdSmi loaded, AmdGpuOptions options);
  ~AmdGpuSource() override;
  AmdGpuSource(const AmdGpuSource&) = delete;
  AmdGpuSource& operator=(const AmdGpuSource&) = delete;

  std::string name() const override { return api_.library; }
  std::vector<DomainSample> read(double now_s) override;

  struct Module {
    std::string domain;         // "gpu0"
    std::vector<unsigned> dies; // the selected dies it covers
    unsigned reader = 0;        // the die whose counter is read
    std::string unit;
    Kind kind = Kind::counter;
    std::string error;  // set when the module cannot be read
    std::string note;   // how the dies were grouped, for logs
  };
  const std::vector<Module>& modules() const { return modules_; }

 private:
  std::string message(const std::string& call, int code) const;

  AmdSmiApi api_;
  bool initialised_ = false;
  std::string source_error_;
  std::vector<Module> modules_;
  std::string node_;
};

}  // namespace lb::energy
