#include "analysis/compare/extrapolation.h"

#include <algorithm>
#include <cmath>

#include "analysis/input/names.h"

namespace lb::analysis {
namespace {

// The estimate for `epochs`: available unless a reason says why not.
JobEstimate job_for(int epochs, std::string unavailable_reason = "") {
  JobEstimate j;
  j.available = unavailable_reason.empty();
  j.epochs = epochs;
  j.unavailable_reason = std::move(unavailable_reason);
  return j;
}

Estimate point_estimate(double value) { return {value, std::nan(""), 0, 1}; }

std::string subset_text(const RunRecord& run) {
  const auto& s = run.settings;
  if (s.subset_fraction) return subset_percent(*s.subset_fraction) + " subset";
  if (s.train_samples) return std::to_string(*s.train_samples) + "-sample subset";
  return "subset";
}

bool did_exactly(const RunRecord& run, const RunMetrics& m, int epochs) {
  const auto& s = run.settings;
  const bool full_val = !s.full_val_samples || !s.val_samples || *s.val_samples == *s.full_val_samples;
  return run.is_complete() && !run.is_subset() && full_val && s.full_train_samples &&
         m.finished_epochs == static_cast<size_t>(epochs) && run.wall_time_s.has_value();
}

// T(E) = one_time + E * (N_train * r + o + N_val * v), with r, v, o from the run's records. The
// normalized job validates once per epoch, at its end; the harness's extra --eval-every passes are
// not part of it (their time is left out of o and of a measured run's wall time).
JobEstimate estimate_measured_job(const RunRecord& run, const RunMetrics& m, int epochs) {
  const auto& s = run.settings;
  if (!s.full_train_samples) return job_for(epochs, "full_train_samples unknown");
  if (!m.train_s_per_sample) return job_for(epochs, "no steady-state step records");

  JobEstimate j = job_for(epochs);
  const double n_train = static_cast<double>(*s.full_train_samples);
  const double n_val = static_cast<double>(s.full_val_samples.value_or(0));
  j.validations = n_val > 0 ? epochs : 0;
  if (!s.full_val_samples) j.notes.push_back("full_val_samples unknown: validation not included");

  const Estimate none{0, std::nan(""), 0, 0};  // a part not timed: adds nothing
  const Estimate overhead = m.epoch_overhead_s.value_or(none);
  if (!m.epoch_overhead_s) j.notes.push_back("no finished epoch: per-epoch overhead not included");
  const Estimate val = m.val_s_per_sample.value_or(none);
  if (!m.val_s_per_sample && j.validations > 0) {
    j.notes.push_back("validation never timed: validation time not included");
    j.validations = 0;
  }
  j.teardown_s = m.teardown_s.value_or(0);
  j.one_time_s = m.startup_s.value_or(0) + j.teardown_s + m.warmup_excess_s.value_or(0);
  j.train_epoch_s = n_train * m.train_s_per_sample->value + overhead.value;
  j.validation_s = n_val * val.value;

  const double e = static_cast<double>(epochs);
  Estimate total = weighted_sum({{e * n_train, *m.train_s_per_sample},
                                 {static_cast<double>(j.validations) * n_val, val},
                                 {e, overhead}});
  total.value += j.one_time_s;
  j.estimate = total;
  j.time_s = total.positive_interval95();

  if (did_exactly(run, m, epochs)) {
    // The run did this very job: its own clock is the figure (less the extra --eval-every passes,
    // which the job does not include); the model above is only a check.
    const double model = total.value;
    const double measured = *run.wall_time_s - m.extra_validation_s;
    j.time_s = Interval::point(measured);
    j.estimate = point_estimate(measured);
    j.extrapolated = false;
    j.method = "measured";
    if (m.extra_validations > 0) {
      j.method += " (wall time less " + std::to_string(m.extra_validations) + " --eval-every validation passes, " +
                  format_number(std::round(m.extra_validation_s * 10.0) / 10.0) + " s)";
    }
    if (std::fabs(model - measured) > 0.05 * measured) {
      j.notes.push_back("the per-sample model gives " + format_number(std::round(model)) +
                        " s for this run, its measured time is " + format_number(std::round(measured)) + " s");
    }
    return j;
  }
  if (j.time_s.has_interval && !j.time_s.has_lower()) {
    j.notes.push_back("run " + run.run_id + ": the 95% interval of its job time reaches zero, so it has no lower bound (" +
                      counted(m.steady_steps, "steady step") + " after " + std::to_string(m.warmup_steps) +
                      " warm-up, " + counted(m.finished_epochs, "finished epoch") +
                      "): record more steps for a bounded interval");
  }
  if (run.is_subset()) {
    j.method = "extrapolated from a " + subset_text(run) + " to the full split";
  } else {
    j.method = "scaled from " + std::to_string(m.finished_epochs) + " measured epochs";
  }
  if (m.finished_epochs != static_cast<size_t>(epochs) && !run.is_subset()) {
    j.method += " to " + std::to_string(epochs);
  }
  return j;
}

// An import that did not complete (let in by --include-incomplete): its Runtime covers only the
// epochs it completed (and part of the one it died in), never its planned count. Scaled from
// those completed epochs when the export states them, else it has no estimate.
JobEstimate incomplete_imported_job(const RunRecord& run, int epochs) {
  const auto& s = run.settings;
  const auto& f = run.imported;
  const std::string status = to_string(run.status);
  if (run.is_subset()) {
    return job_for(epochs, "status " + status + ": the source's extrapolation of a subset run that did not finish is not used");
  }
  if (!f.runtime_s) return job_for(epochs, "Runtime unknown");
  if (!f.completed_epochs || *f.completed_epochs <= 0) {
    return job_for(epochs, "status " + status + ": the export does not say how many of its " +
                               std::to_string(*s.epochs) + " epochs it completed, so its partial Runtime "
                               "cannot be put on the job (a column completed_epochs or epoch would say)");
  }
  const int64_t done = std::min(*f.completed_epochs, *s.epochs);
  const double e = static_cast<double>(epochs);
  JobEstimate j = job_for(epochs);
  if (f.epoch_time_s) {
    j.time_s = Interval::point(*f.epoch_time_s * e);
    j.train_epoch_s = *f.epoch_time_s;
    j.notes.push_back("status " + status + ": the source's epoch time x " + std::to_string(epochs) +
                      " epochs; startup not included");
  } else {
    // Runtime holds the completed epochs, the startup and the part of the epoch it died in: per
    // completed epoch that is too long, so the estimate errs slow.
    j.time_s = Interval::point(*f.runtime_s * e / static_cast<double>(done));
    j.notes.push_back("status " + status + ": Runtime over its " + std::to_string(done) +
                      " completed epochs, which includes its startup and the unfinished epoch (an overestimate)");
  }
  j.method = "imported, status " + status + ": " + std::to_string(done) + " of " + std::to_string(*s.epochs) +
             " epochs completed, scaled to " + std::to_string(epochs);
  return j;
}

JobEstimate imported_job(const RunRecord& run, int epochs) {
  const auto& s = run.settings;
  const auto& f = run.imported;
  if (!s.epochs || *s.epochs <= 0) return job_for(epochs, "epoch count unknown");
  if (!run.is_complete()) return incomplete_imported_job(run, epochs);
  const double e = static_cast<double>(epochs);
  JobEstimate j = job_for(epochs);
  const double ran = static_cast<double>(*s.epochs);
  if (run.is_subset()) {
    if (!f.extrapolated_total_s && !f.extrapolated_epoch_s) {
      return job_for(epochs, "subset run without a full-split time from its source");
    }
    j.method = "source's own extrapolation of a " + subset_text(run);
    if (f.extrapolated_total_s && *s.epochs == epochs) {
      j.time_s = Interval::point(*f.extrapolated_total_s);
    } else if (f.extrapolated_epoch_s) {
      j.time_s = Interval::point(*f.extrapolated_epoch_s * e);
      j.method += ", per epoch x " + std::to_string(epochs);
    } else {
      j.time_s = Interval::point(*f.extrapolated_total_s * e / ran);
      j.method += ", scaled from " + std::to_string(*s.epochs) + " to " + std::to_string(epochs) + " epochs";
    }
    j.notes.push_back("imported extrapolation: the source's method is not checked here");
    return j;
  }
  if (!f.runtime_s) return job_for(epochs, "Runtime unknown");
  if (*s.epochs == epochs) {
    j.time_s = Interval::point(*f.runtime_s);
    j.extrapolated = false;
    j.method = "imported";
    return j;
  }
  if (f.epoch_time_s && *f.runtime_s >= ran * *f.epoch_time_s) {
    const double startup = *f.runtime_s - ran * *f.epoch_time_s;
    j.time_s = Interval::point(startup + e * *f.epoch_time_s);
    j.one_time_s = startup;
    j.train_epoch_s = *f.epoch_time_s;
  } else {
    j.time_s = Interval::point(*f.runtime_s * e / ran);
    j.notes.push_back("startup scaled with the epochs (no epoch duration in the source)");
  }
  j.method = "imported, scaled from " + std::to_string(*s.epochs) + " to " + std::to_string(epochs) + " epochs";
  return j;
}
}  // namespace

JobEstimate estimate_imported_job(const RunRecord& run, int epochs) {
  JobEstimate j = imported_job(run, epochs);
  if (j.available) j.estimate = point_estimate(j.time_s.value);
  return j;
}

JobEstimate estimate_job(const RunRecord& run, const RunMetrics& metrics, int epochs) {
  return run.is_imported() ? estimate_imported_job(run, epochs) : estimate_measured_job(run, metrics, epochs);
}

}  // namespace lb::analysis
