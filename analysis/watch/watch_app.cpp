#include "analysis/watch/watch_app.h"

#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "analysis/input/names.h"
#include "analysis/input/input_file.h"
#include "analysis/watch/live_json.h"
#include "analysis/watch/live_page.h"
#include "analysis/watch/stop_signal.h"
#include "common/errors.h"
#include "common/results_file.h"
#include "common/results_schema.h"

namespace lb::analysis::watch {
namespace {

namespace fs = std::filesystem;

double clock_s(clockid_t clock) {
  timespec ts{};
  ::clock_gettime(clock, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

// How often the board is read while nobody asks: journals followed, a dead writer noticed.
constexpr double kTickS = 1.0;

}  // namespace

std::string check_watch_path(const std::string& path) {
  const std::string opt = "--watch '" + path + "'";
  if (path.empty()) throw UsageError("--watch: expected a results file, got an empty string");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) throw UsageError(opt + ": " + std::strerror(errno));
    const fs::path parent = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    std::error_code ec;
    if (!fs::is_directory(parent, ec))
      throw UsageError(opt + ": its folder " + parent.string() + " does not exist; expected a results file (results.h5)");
    return path + " does not exist yet: the page lists its runs as soon as a harness writes to it";
  }
  if (!S_ISREG(st.st_mode)) {
    const std::string journals = ".journals";
    const bool journal_dir = S_ISDIR(st.st_mode) && path.size() > journals.size() &&
                             path.compare(path.size() - journals.size(), journals.size(), journals) == 0;
    throw UsageError(opt + ": " + file_kind(st.st_mode) + "; expected a results file" +
                     (journal_dir ? " (the file whose journals these are: " +
                                        path.substr(0, path.size() - journals.size()) + ")"
                                  : " (results.h5)"));
  }
  int version = 0;
  try {
    version = results_schema_version(path);
  } catch (const std::exception&) {
    throw UsageError(opt + ": not an HDF5 file; expected a lumibench results file (results.h5)");
  }
  if (version < 1)
    throw UsageError(opt + ": an HDF5 file without a schema_version; not a lumibench results file");
  if (version > schema::kVersion)
    throw UsageError(opt + ": results schema " + std::to_string(version) + ", newer than this analyze reads (" +
                     std::to_string(schema::kVersion) + ")");
  return {};
}

LiveSite::LiveSite(std::string results_path)
    : board_(std::move(results_path)),
      page_(live_page_html()),
      instance_(std::to_string(::getpid()) + "-" + std::to_string(std::int64_t(clock_s(CLOCK_REALTIME) * 1000))) {}

void LiveSite::refresh() {
  board_.refresh(clock_s(CLOCK_REALTIME));
  refreshed_at_ = clock_s(CLOCK_MONOTONIC);
}

HttpResponse LiveSite::handle(const HttpRequest& request) {
  HttpResponse r;
  if (request.path == "/" || request.path == "/index.html") {
    r.content_type = "text/html; charset=utf-8";
    r.body = page_;
    r.headers.emplace_back("Content-Security-Policy",
                           std::string(kLivePagePolicy) + "; " + kLivePageFramePolicy);
    return r;
  }
  if (request.path == "/api/state") {
    if (refreshed_at_ < 0 || clock_s(CLOCK_MONOTONIC) - refreshed_at_ > kFreshS) refresh();
    r.content_type = "application/json; charset=utf-8";
    // Text from the journals may hold bytes that are not UTF-8: replaced, never an exception.
    r.body = state_json(board_, parse_cursor(request.query), clock_s(CLOCK_REALTIME), instance_)
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return r;
  }
  r.status = 404;
  r.body = "not found: this server has / and /api/state\n";
  return r;
}

int run_watch(const WatchOptions& options, std::ostream& out, std::ostream& err) {
  std::string note;
  std::unique_ptr<HttpServer> server;
  try {
    note = check_watch_path(options.results);
    if (options.port < 0 || options.port > 65535)
      throw UsageError("--port " + std::to_string(options.port) + ": expected a port number from 0 to 65535");
    try {
      server = std::make_unique<HttpServer>(options.bind, options.port);
    } catch (const BindError& e) {
      throw UsageError("--bind " + options.bind + " --port " + std::to_string(options.port) + ": " + e.what());
    }
  } catch (const UsageError& e) {
    err << "analyze: " << strip_control_characters(e.what()) << "\n";  // one line, whatever the path holds
    return 2;  // analyze's usage error (kExitUsage)
  }
  LiveSite site(options.results);
  site.refresh();
  StopSignal stop;
  if (!note.empty()) err << "analyze: " << note << "\n";
  if (!server->loopback())
    err << "analyze: warning: --bind " << options.bind << " is not a loopback address: anyone who can reach port "
        << server->port() << " of this machine can read the page (run ids, hosts, paths, figures)\n";
  out << "analyze: watching " << options.results << " and its journals in " << journal_dir(options.results)
      << "\nanalyze: open " << server->url()
      << (server->loopback() ? " (this machine only; Ctrl-C stops)" : " (Ctrl-C stops)") << std::endl;
  server->serve([&](const HttpRequest& req) { return site.handle(req); }, [&] { site.refresh(); }, kTickS, stop.fd());
  const int sig = stop.signal_number();
  out << "analyze: --watch stopped" << (sig == SIGINT ? " (SIGINT)" : sig == SIGTERM ? " (SIGTERM)" : "") << std::endl;
  return 0;
}

}  // namespace lb::analysis::watch
