// Time for the normalized job (the full train/val split, E epochs) from one run.
// Formulas and their assumptions: docs/methodology.md, "Extrapolation".
#pragma once

#include <string>
#include <vector>

#include "analysis/compare/run_metrics.h"
#include "analysis/input/run_record.h"
#include "analysis/compare/statistics.h"

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
  double teardown_s = 0;           // the part of one_time_s after the last epoch
  double train_epoch_s = 0;        // N_train * r + overhead: every epoch
  double validation_s = 0;         // N_val * v: the validation at every epoch's end
  int validations = 0;             // validations in E epochs: E (0 when validation is not known)
  std::vector<std::string> notes;  // what the estimate leaves out or assumes
};

// Imported runs state a runtime (or the source's own extrapolation) for their epoch count; other
// epoch counts are scaled per epoch and marked extrapolated.
JobEstimate estimate_imported_job(const RunRecord& run, int epochs);

JobEstimate estimate_job(const RunRecord& run, const RunMetrics& metrics, int epochs);

}  // namespace lb::analysis
