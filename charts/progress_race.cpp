#include "charts/progress_race.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "common/format.h"

namespace lb::charts {

RacePlan plan_race(const std::vector<Bar>& bars) {
  RacePlan plan;
  // The pacer is the fastest cluster bar; without cluster bars, the fastest bar.
  const auto rank = [&](std::size_t i) { return std::make_pair(bars[i].is_cluster ? 0 : 1, bars[i].time_s); };
  double t_end = 0;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    t_end = std::max(t_end, bars[i].time_s);
    if (plan.pacer < 0 || rank(i) < rank(static_cast<std::size_t>(plan.pacer))) plan.pacer = static_cast<int>(i);
  }
  const double t_pace = bars[plan.pacer].time_s;
  // Log-spaced clock t_f = t0 * (t_end / t0)^(f / (N-1)); choose t0 so that t_pace falls at the
  // fraction kRaceFastestFinish: log t_pace = (1 - a) log t0 + a log t_end.
  const double a = kRaceFastestFinish;
  double log_t0 = (std::log(t_pace) - a * std::log(t_end)) / (1 - a);
  if (t_pace >= t_end) log_t0 = std::log(t_end) - std::log(1000.0);  // one runner: 3 decades
  const double log_span = std::log(t_end) - log_t0;
  plan.frame_time_s.resize(kRaceFrames);
  for (int f = 0; f < kRaceFrames; ++f) {
    plan.frame_time_s[f] = std::exp(log_t0 + log_span * f / (kRaceFrames - 1));
  }
  plan.frame_time_s.back() = t_end;  // exact, so the slowest run ends at exactly 100%
  plan.finish_frame.assign(bars.size(), kRaceFrames - 1);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    for (int f = 0; f < kRaceFrames; ++f) {
      // A relative tolerance, so that exp/log round-off does not push a finish one frame late.
      if (plan.frame_time_s[f] >= bars[i].time_s * (1 - 1e-12)) {
        plan.finish_frame[i] = f;
        break;
      }
    }
  }
  return plan;
}

double race_progress(const Bar& bar, double t_s) {
  return 100.0 * std::min(1.0, t_s / bar.time_s);
}

std::string race_phase(const std::vector<Bar>& bars, const std::string& cluster_name, double t_s) {
  int finished = 0, cluster_total = 0, cluster_finished = 0;
  const Bar* last_finished = nullptr;
  const Bar* slowest = nullptr;
  for (const Bar& b : bars) {
    const bool done = t_s >= b.time_s * (1 - 1e-12);
    finished += done;
    cluster_total += b.is_cluster;
    cluster_finished += b.is_cluster && done;
    if (done && (!last_finished || b.time_s > last_finished->time_s)) last_finished = &b;
    if (!slowest || b.time_s > slowest->time_s) slowest = &b;
  }
  const int total = static_cast<int>(bars.size());
  if (finished == 0) return "Phase 1 of 3 \u00b7 every configuration is training";
  if (finished == total) {
    return "Finished \u00b7 " + slowest->label + " needed " + format_duration(slowest->time_s) +
           " (" + to_string(slowest->kind) + ")";
  }
  if (cluster_finished < cluster_total) {
    return "Phase 2 of 3 \u00b7 " + last_finished->label + " finished after " +
           format_duration(last_finished->time_s);
  }
  const std::string who = cluster_total > 0 ? "all " + cluster_name + " runs have finished"
                                            : std::to_string(finished) + " of " +
                                                  std::to_string(total) + " have finished";
  return "Phase 3 of 3 \u00b7 " + who + "; " + slowest->label + " is at " +
         format_progress(race_progress(*slowest, t_s));
}

}  // namespace lb::charts
