#include "analysis/input/run_record.h"

#include <algorithm>
#include <cctype>

namespace lb::analysis {

const char* to_string(RunStatus status) {
  switch (status) {
    case RunStatus::Completed: return "completed";
    case RunStatus::Running: return "running";
    case RunStatus::Interrupted: return "interrupted";
    case RunStatus::Diverged: return "diverged";
    case RunStatus::Failed: return "failed";
    case RunStatus::Crashed: return "crashed";
    case RunStatus::Unknown: break;
  }
  return "unknown";
}

std::string figure_kind(bool imported, bool extrapolated) {
  if (imported) return extrapolated ? "imported, extrapolated" : "imported";
  return extrapolated ? "extrapolated" : "measured";
}

RunStatus parse_run_status(const std::string& text) {
  std::string s;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s == "completed" || s == "finished") return RunStatus::Completed;
  if (s == "running") return RunStatus::Running;
  if (s == "interrupted" || s == "killed") return RunStatus::Interrupted;
  if (s == "diverged") return RunStatus::Diverged;
  if (s == "failed") return RunStatus::Failed;
  if (s == "crashed") return RunStatus::Crashed;
  return RunStatus::Unknown;
}

void StepColumns::reduce_rank_times(const double* times, size_t steps, size_t ranks) {
  slowest_rank_s.resize(steps);
  mean_rank_s.resize(steps);
  for (size_t i = 0; i < steps; ++i) {
    const double* row = times + i * ranks;
    double worst = row[0], sum = 0;
    for (size_t r = 0; r < ranks; ++r) {
      worst = std::max(worst, row[r]);
      sum += row[r];
    }
    slowest_rank_s[i] = worst;
    mean_rank_s[i] = sum / static_cast<double>(ranks);
  }
}

bool RunRecord::is_subset() const {
  if (settings.train_samples && settings.full_train_samples) {
    return *settings.train_samples < *settings.full_train_samples;
  }
  if (settings.subset_fraction) return *settings.subset_fraction < 1.0 - 1e-9;
  return false;
}

}  // namespace lb::analysis
