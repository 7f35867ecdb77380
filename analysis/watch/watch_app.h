// analyze --watch: follows the runs of one results file while a job writes it and serves the live
// page (live_page.h) on a local address until Ctrl-C (docs/analyze.md, "Live monitoring").
#pragma once

#include <ostream>
#include <string>

#include "analysis/watch/http_server.h"
#include "analysis/watch/run_board.h"
#include "analysis/watch/watch_options.h"

namespace lb::analysis::watch {

// Throws UsageError, naming the option and the file, unless `path` is a results file or a name a
// harness can create one under (its folder exists): a directory (the journals folder included), a
// FIFO, a device, a file that is not HDF5 or not a lumibench results file, or one of a newer schema
// is refused. Returns a note for the terminal, empty when there is nothing to say.
std::string check_watch_path(const std::string& path);

// What the server answers: the page at "/", the state at "/api/state" (live_json.h); the board is
// read again for an answer when its last refresh is older than kFreshS.
class LiveSite {
 public:
  static constexpr double kFreshS = 0.25;

  explicit LiveSite(std::string results_path);
  HttpResponse handle(const HttpRequest& request);
  void refresh();  // the board, now
  const RunBoard& board() const { return board_; }

 private:
  RunBoard board_;
  std::string page_;
  std::string instance_;
  double refreshed_at_ = -1;  // monotonic seconds
};

// The whole of analyze --watch: 0 when stopped by SIGINT or SIGTERM; 2 (after one line on `err`)
// for options that cannot be used: the path (check_watch_path), an address or port that cannot be
// bound.
int run_watch(const WatchOptions& options, std::ostream& out, std::ostream& err);

}  // namespace lb::analysis::watch
