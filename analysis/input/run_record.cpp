#include "analysis/input/run_record.h"

#include <algorithm>
#include <cctype>

namespace lb::analysis {

const char* to_string(Origin origin) {
  return origin == Origin::Measured ? "measured" : "imported";
}

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

void StepColumns::clear() {
  // shrink as well: a results file with many long runs would otherwise keep every step in memory.
  std::vector<int32_t>().swap(epoch);
  std::vector<int32_t>().swap(samples);
  std::vector<uint8_t>().swap(warmup);
  std::vector<double>().swap(total_s);
  std::vector<double>().swap(data_wait_s);
  std::vector<double>().swap(comm_exposed_s);
  std::vector<double>().swap(compute_s);
  std::vector<double>().swap(slowest_rank_s);
  std::vector<double>().swap(mean_rank_s);
}

bool RunRecord::is_subset() const {
  if (settings.train_samples && settings.full_train_samples) {
    return *settings.train_samples < *settings.full_train_samples;
  }
  if (settings.subset_fraction) return *settings.subset_fraction < 1.0 - 1e-9;
  return false;
}

}  // namespace lb::analysis
