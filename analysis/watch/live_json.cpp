#include "analysis/watch/live_json.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lb::analysis::watch {
namespace {

using nlohmann::json;

// NaN and infinities are written as null (the page draws a gap), never as a made-up number.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }
template <class T>
json optional_attr(const std::optional<T>& v) {
  if (!v) return nullptr;
  if constexpr (std::is_floating_point_v<T>) return number(*v);
  else return json(*v);
}

std::size_t to_count(const std::map<std::string, std::string>& q, const char* key) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty() || it->second.size() > 19 ||
      it->second.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::size_t(std::stoull(it->second));
}

// The steps done when epoch `e` ended: one past the last step recorded in it (steps are in order).
json steps_through_epoch(const std::vector<schema::StepRecord>& steps, std::int32_t e) {
  auto it = std::partition_point(steps.begin(), steps.end(), [&](const schema::StepRecord& s) { return s.epoch <= e; });
  if (it == steps.begin() || (it - 1)->epoch != e) return nullptr;
  return (it - 1)->step + 1;
}

json step_series(const RunData& d, std::size_t from, std::size_t to) {
  const int ws = std::max(1, d.world_size);
  const bool each = ws <= kEachRankUpTo;
  json step = json::array(), epoch = json::array(), loss = json::array(), wait = json::array();
  std::vector<json> ranks(each ? std::size_t(ws) : 0, json::array());
  json lo = json::array(), mid = json::array(), hi = json::array(), slowest = json::array();
  std::vector<double> row;
  for (std::size_t i = from; i < to; ++i) {
    const schema::StepRecord& s = d.steps[i];
    step.push_back(s.step);
    epoch.push_back(s.epoch);
    loss.push_back(number(s.loss));
    wait.push_back(s.total_s > 0 ? number(s.data_wait_s / s.total_s) : json(nullptr));
    // Each rank's share of the step's samples over that rank's own step time: ranks get equal
    // shares of a batch, so a slow rank shows as a low line.
    const double share = double(s.samples) / ws;
    const bool have_ranks = d.rank_step_time_s.size() >= (i + 1) * std::size_t(ws);
    row.assign(std::size_t(ws), std::numeric_limits<double>::quiet_NaN());
    if (have_ranks) {
      for (int r = 0; r < ws; ++r) {
        const double t = d.rank_step_time_s[i * std::size_t(ws) + std::size_t(r)];
        if (std::isfinite(t) && t > 0) row[std::size_t(r)] = share / t;
      }
    }
    if (each) {
      for (int r = 0; r < ws; ++r) ranks[std::size_t(r)].push_back(number(row[std::size_t(r)]));
      continue;
    }
    std::vector<std::pair<double, int>> known;
    for (int r = 0; r < ws; ++r)
      if (std::isfinite(row[std::size_t(r)])) known.emplace_back(row[std::size_t(r)], r);
    if (known.empty()) {
      lo.push_back(nullptr), mid.push_back(nullptr), hi.push_back(nullptr), slowest.push_back(nullptr);
      continue;
    }
    std::sort(known.begin(), known.end());
    const std::size_t n = known.size();
    const double median = n % 2 ? known[n / 2].first : 0.5 * (known[n / 2 - 1].first + known[n / 2].first);
    lo.push_back(known.front().first), mid.push_back(median), hi.push_back(known.back().first);
    slowest.push_back(known.front().second);
  }
  json out = {{"from", from}, {"step", std::move(step)}, {"epoch", std::move(epoch)}, {"loss", std::move(loss)},
              {"data_wait_fraction", std::move(wait)}};
  if (each) {
    json all = json::array();
    for (auto& r : ranks) all.push_back(std::move(r));
    out["rank_images_per_s"] = std::move(all);
  } else {
    out["rank_spread"] = {{"min", std::move(lo)}, {"median", std::move(mid)}, {"max", std::move(hi)},
                          {"slowest_rank", std::move(slowest)}};
  }
  return out;
}

json evaluation_series(const RunData& d, std::size_t from, std::size_t to) {
  json step = json::array(), epoch = json::array(), top1 = json::array(), top5 = json::array();
  for (std::size_t i = from; i < to; ++i) {
    const schema::EvaluationRecord& e = d.evaluations[i];
    step.push_back(e.step);
    epoch.push_back(e.epoch);
    top1.push_back(number(100.0 * e.val_top1));
    top5.push_back(number(100.0 * e.val_top5));
  }
  return {{"from", from}, {"step", std::move(step)}, {"epoch", std::move(epoch)}, {"val_top1_pct", std::move(top1)},
          {"val_top5_pct", std::move(top5)}};
}

json epoch_series(const RunData& d, std::size_t from, std::size_t to) {
  // The running sum starts from the epochs the page already has; an epoch without a figure stops
  // it (a sum past a missing epoch would read as the whole so far, and be less).
  double cumulative = 0;
  bool complete = true;
  for (std::size_t i = 0; i < from && i < d.epochs.size(); ++i) {
    const double j = d.epochs[i].energy_j;
    if (std::isfinite(j) && j >= 0) cumulative += j;
    else complete = false;
  }
  json epoch = json::array(), step = json::array(), energy = json::array(), sum = json::array(), wall = json::array(),
       top1 = json::array();
  for (std::size_t i = from; i < to; ++i) {
    const schema::EpochRecord& e = d.epochs[i];
    epoch.push_back(e.epoch);
    step.push_back(steps_through_epoch(d.steps, e.epoch));
    const bool known = std::isfinite(e.energy_j) && e.energy_j >= 0;
    energy.push_back(known ? json(e.energy_j) : json(nullptr));
    if (known) cumulative += e.energy_j;
    else complete = false;
    sum.push_back(complete ? json(cumulative) : json(nullptr));
    wall.push_back(number(e.end_wall_s));
    top1.push_back(number(100.0 * e.val_top1));
  }
  return {{"from", from}, {"epoch", std::move(epoch)}, {"step", std::move(step)}, {"energy_j", std::move(energy)},
          {"cumulative_energy_j", std::move(sum)}, {"end_wall_s", std::move(wall)}, {"val_top1_pct", std::move(top1)}};
}

}  // namespace

SeriesCursor parse_cursor(const std::map<std::string, std::string>& query) {
  SeriesCursor c;
  if (auto it = query.find("run"); it != query.end()) c.run = it->second;
  c.generation = to_count(query, "gen");
  c.steps = to_count(query, "steps");
  c.evaluations = to_count(query, "evals");
  c.epochs = to_count(query, "epochs");
  if (auto it = query.find("follow"); it != query.end()) c.follow = it->second != "0";
  return c;
}

json run_summary_json(const BoardRun& run, double now_unix_s) {
  const RunData& d = run.data();
  const schema::RunAttributes& a = d.attrs;
  const RunDigest& g = run.digest;
  json energy = {{"epochs_measured", g.energy_epochs},
                 {"epochs_missing", g.energy_missing},
                 {"epochs_j", g.energy_epochs > 0 ? json(g.energy_j) : json(nullptr)},
                 {"run_j", optional_attr(a.energy_j)},
                 {"sources", optional_attr(a.energy_sources)},
                 {"unavailable", optional_attr(a.energy_unavailable)},
                 {"unreadable_counters", json(g.unreadable_counters)}};
  json out = {
      {"id", run.id},
      {"source", to_string(run.source)},
      {"journal", run.journal_path},
      {"status", run.status},
      {"status_detail", run.status_detail},
      {"generation", run.generation},
      {"start_utc", optional_attr(a.start_utc)},
      {"end_utc", optional_attr(a.end_utc)},
      {"host", optional_attr(a.host)},
      {"model", optional_attr(a.model)},
      {"device", optional_attr(a.device)},
      {"precision", optional_attr(a.precision)},
      {"world_size", d.world_size},
      {"batch_size", optional_attr(a.batch_size)},
      {"epochs_planned", optional_attr(a.epochs)},
      {"steps_planned", optional_attr(a.total_steps_planned)},
      {"warmup_steps", optional_attr(a.warmup_steps)},
      {"wall_time_s", optional_attr(a.wall_time_s)},
      {"steps", g.steps},
      {"last_step", g.last_step},
      {"epochs_done", g.epochs},
      {"evaluations", g.evaluations},
      {"last_loss", number(g.last_loss)},
      {"last_val_pct", number(g.last_val_pct)},
      {"best_val_pct", number(g.best_val_pct)},
      {"steady_steps", g.steady_steps},
      {"steady_images_per_s", g.steady_images_per_s() ? number(*g.steady_images_per_s()) : json(nullptr)},
      {"data_wait_fraction", g.data_wait_fraction() ? number(*g.data_wait_fraction()) : json(nullptr)},
      {"energy", std::move(energy)},
      {"flushes", run.flushes},
      {"last_flush_age_s", run.last_flush_unix_s ? number(now_unix_s - *run.last_flush_unix_s) : json(nullptr)},
      {"problems", run.problems},
  };
  return out;
}

json series_json(const BoardRun& run, const SeriesCursor& from, std::size_t max_steps) {
  const RunData& d = run.data();
  const bool same = from.run == run.id && from.generation == run.generation && from.steps <= d.steps.size() &&
                    from.evaluations <= d.evaluations.size() && from.epochs <= d.epochs.size();
  const std::size_t s0 = same ? from.steps : 0;
  const std::size_t s1 = std::min(d.steps.size(), s0 + std::max<std::size_t>(1, max_steps));
  // Evaluations and epochs after the steps sent are held back with them: the page never shows an
  // accuracy or an epoch end at a step it does not have yet.
  const bool more = s1 < d.steps.size();
  std::size_t e1 = d.evaluations.size(), p1 = d.epochs.size();
  if (more) {
    const std::int64_t last = s1 > 0 ? d.steps[s1 - 1].step : -1;
    const std::int32_t last_epoch = s1 > 0 ? d.steps[s1 - 1].epoch : -1;
    e1 = 0;
    while (e1 < d.evaluations.size() && d.evaluations[e1].step <= last + 1) ++e1;
    p1 = 0;
    while (p1 < d.epochs.size() && d.epochs[p1].epoch < last_epoch) ++p1;
  }
  const std::size_t e0 = same ? std::min(from.evaluations, e1) : 0;
  const std::size_t p0 = same ? std::min(from.epochs, p1) : 0;
  json out = {{"run", run.id},
              {"generation", run.generation},
              {"reset", !same},
              {"world_size", d.world_size},
              {"rank_view", d.world_size <= kEachRankUpTo ? "each" : "spread"},
              {"warmup_steps", optional_attr(d.attrs.warmup_steps)},
              {"steps", step_series(d, s0, s1)},
              {"evaluations", evaluation_series(d, e0, e1)},
              {"epochs", epoch_series(d, p0, p1)},
              {"more", more}};
  return out;
}

json state_json(const RunBoard& board, const SeriesCursor& cursor, double now_unix_s, const std::string& instance) {
  json runs = json::array();
  for (const BoardRun* r : board.runs()) runs.push_back(run_summary_json(*r, now_unix_s));
  const BoardRun* shown = nullptr;
  if (!cursor.follow && !cursor.run.empty()) shown = board.find(cursor.run);
  if (!shown) shown = board.default_run();
  return {{"instance", instance},
          {"results", board.results_path()},
          {"results_file_exists", board.results_file_exists()},
          {"file_runs", board.file_runs()},
          {"unlisted_file_runs", board.unlisted_file_runs()},
          {"now_unix_s", now_unix_s},
          {"problems", board.problems()},
          {"runs", std::move(runs)},
          {"shown", shown ? json(shown->id) : json(nullptr)},
          {"series", shown ? series_json(*shown, cursor) : json(nullptr)}};
}

}  // namespace lb::analysis::watch
