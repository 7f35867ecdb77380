// The figures the live page shows beside a run's charts (steady throughput and data wait so far,
// the last loss, the validation accuracy, the energy of the epochs so far), kept up to date as the
// run's records grow: each update takes in only the records added since the last one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>

#include "common/run_journal.h"

namespace lb::analysis::watch {

struct RunDigest {
  // Records taken in so far.
  std::size_t steps = 0, evaluations = 0, epochs = 0, energy_rows = 0;

  // Steady state (warm-up steps excluded), as analyze computes it (docs/methodology.md): sums
  // over the steady steps of samples, step time (total_s) and data wait.
  std::size_t steady_steps = 0;
  double steady_samples = 0, steady_total_s = 0, steady_data_wait_s = 0;

  std::int64_t last_step = -1;  // the step index of the newest step record
  std::int32_t last_epoch = -1;
  double last_loss = std::numeric_limits<double>::quiet_NaN();

  double last_val_pct = std::numeric_limits<double>::quiet_NaN();  // newest validation pass, top-1 %
  double best_val_pct = std::numeric_limits<double>::quiet_NaN();

  // Energy of the finished epochs (each epoch's energy_j: the counters of common/energy_selection.h
  // over that epoch's training and validation; setup and the epoch in progress are not in it).
  std::size_t energy_epochs = 0;    // epochs with a figure
  std::size_t energy_missing = 0;   // finished epochs without one (no readable counter)
  double energy_j = 0;              // their sum
  std::set<std::string> unreadable_counters;  // energy rows recorded without joules

  // Takes in the records of `run` past those already taken in. `run` must be the same run, grown
  // (or the caller resets first: a replaced journal, a run now read from the results file).
  void update(const RunData& run);
  void reset() { *this = RunDigest{}; }

  std::optional<double> steady_images_per_s() const;  // all ranks: samples / step time
  std::optional<double> data_wait_fraction() const;   // data wait / step time
};

}  // namespace lb::analysis::watch
