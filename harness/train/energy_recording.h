// Energy of a run, per epoch and in all (issue: energy beside time). Every rank samples what it
// should read (node counters on the node's local rank 0, its own GPU's counter on every rank:
// harness/energy/node_merge.h), the readings of each window are gathered to rank 0, merged into
// job totals per counter, and recorded as rows of the `energy` table; the window's energy_j is the
// counter rule's choice (common/energy_selection.h), NaN when no counter was readable.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <memory>
#include <string>

#include "harness/train/settings.h"
#include "harness/energy/energy_meter.h"

namespace lb {

class Communicator;
class Recorder;

class EnergyRecording {
 public:
  // Starts sampling (nothing when --energy off).
  EnergyRecording(const Settings& s, Communicator& comm, const torch::Device& device);
  ~EnergyRecording();

  void epoch_start();
  // Collective: every rank calls it at the same point. Returns the epoch's energy (rank 0; NaN
  // elsewhere and when unavailable) and records its rows.
  double epoch_end(std::int32_t epoch, Recorder* rec);
  // Collective, at the run's end: records the run's rows and energy_sources/unavailable/energy_j.
  void run_end(Recorder* rec);

 private:
  double record(std::int32_t epoch, const energy::Reading& reading, Recorder* rec, bool run_level);
  Communicator& comm_;
  std::unique_ptr<energy::EnergyMeter> meter_;
  energy::EnergyMark epoch_mark_;
};

}  // namespace lb
