// Time for the normalized job (the full train/val split, E epochs) from one run.
// Formulas and their assumptions: docs/methodology.md, "Extrapolation".
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "analysis/run_metrics.h"
#include "analysis/run_record.h"
#include "analysis/statistics.h"

namespace lb::analysis {

struct JobEstimate {
  bool available = false;
  std::string unavailable_reason;  // when !available
  int epochs = 0;
  Interval time_s;                 // the whole job, 95% interval
  Estimate estimate;               // the same with its standard error (NaN when there is none)
  bool extrapolated = true;        // false only when the run did exactly this job and was timed
  std::string method;              // "measured", "extrapolated from a 2% subset", ...
  // Parts, for projecting accuracy curves (measured runs only):
  double one_time_s = 0;           // startup + teardown + warm-up excess
  double train_epoch_s = 0;        // N_train * r + overhead: every epoch
  double validation_s = 0;         // N_val * v: every validated epoch
  int validations = 0;             // validations in E epochs
  std::vector<std::string> notes;  // what the estimate leaves out or assumes
};

// Number of validations in `epochs` epochs when validating every `eval_every` epochs and after the last.
int validations_in(int epochs, int eval_every);

// T(E) = one_time + E * (N_train * r + o) + V(E) * N_val * v, with r, v, o from the run's records.
JobEstimate estimate_measured_job(const RunRecord& run, const RunMetrics& metrics, int epochs);

// Imported runs state a runtime (or the source's own extrapolation) for their epoch count; other
// epoch counts are scaled per epoch and marked extrapolated.
JobEstimate estimate_imported_job(const RunRecord& run, int epochs);

JobEstimate estimate_job(const RunRecord& run, const RunMetrics& metrics, int epochs);

}  // namespace lb::analysis
