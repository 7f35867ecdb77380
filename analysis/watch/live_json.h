// What the live page asks for, as JSON: every run with its status and figures so far, and the
// records of one run from where the page's copy of them ends (a cursor), so that each poll carries
// only what was added since the last and a page opened mid-run gets everything in its first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "analysis/watch/run_board.h"

namespace lb::analysis::watch {

// Up to this many ranks each rank's throughput is its own line; above, the slowest, median and
// fastest rank of each step (with the slowest one's index), so a 512-rank job stays readable.
inline constexpr int kEachRankUpTo = 16;
// Steps per answer: a page opened on a long run fetches them in pieces, one answer after another.
inline constexpr std::size_t kStepsPerAnswer = 20000;

// Where the page's copy of a run ends. `follow`: show the run the board picks (the newest running)
// rather than `run` when they differ.
struct SeriesCursor {
  std::string run;
  std::uint64_t generation = 0;
  std::size_t steps = 0, evaluations = 0, epochs = 0;
  bool follow = true;
};

// From the query's fields run, gen, steps, evals, epochs, follow (0 or 1); a missing or malformed
// number reads as 0 (the page gets everything again, never less).
SeriesCursor parse_cursor(const std::map<std::string, std::string>& query);

// One run's status and figures so far.
nlohmann::json run_summary_json(const BoardRun& run, double now_unix_s);

// The records of `run` after the cursor (all of them, "reset": true, when the cursor is of another
// run or another generation of its records), at most max_steps steps ("more": true when more wait).
nlohmann::json series_json(const BoardRun& run, const SeriesCursor& from, std::size_t max_steps = kStepsPerAnswer);

// The answer to one poll: the board's runs, problems, and the series the cursor asks for (null
// when there is no run). `instance` names this server process: a page that sees another one
// starts its copy again.
nlohmann::json state_json(const RunBoard& board, const SeriesCursor& cursor, double now_unix_s,
                          const std::string& instance);

}  // namespace lb::analysis::watch
