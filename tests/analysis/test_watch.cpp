// analyze --watch (analysis/watch/): the journal follower, the board of runs (followed, folded,
// crashed), the HTTP server and the command line's refusals. Journals are written by the real
// JournalWriter (its lock included) and runs folded by the real add_run_to_results_file.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "analysis/analyze_app.h"
#include "analysis/watch/http_server.h"
#include "analysis/watch/journal_follower.h"
#include "analysis/watch/live_json.h"
#include "analysis/watch/live_page.h"
#include "analysis/watch/run_board.h"
#include "analysis/watch/watch_app.h"
#include "common/results_file.h"
#include "common/run_journal.h"
#include "support/temp_dir.h"

using namespace lb;
using namespace lb::analysis::watch;
using lb::testing::TempDir;
namespace fs = std::filesystem;

namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string header_line(const std::string& run_id, int world_size = 2) {
  return nlohmann::json{{"journal", "lumibench run"}, {"schema_version", schema::kVersion}, {"run_id", run_id},
                        {"world_size", world_size}, {"host", "elsewhere"}, {"pid", 1}}
      .dump();
}

schema::StepRecord step(std::int64_t i) {
  schema::StepRecord s{};
  s.step = i;
  s.epoch = 0;
  s.step_in_epoch = std::int32_t(i);
  s.samples = 32;
  s.warmup = i == 0;
  s.data_wait_s = 0.01;
  s.total_s = 0.1;
  s.loss = float(2.0 - 0.1 * double(i));
  return s;
}

std::string step_line(std::int64_t i) { return JournalWriter::line(step(i), {0.1, 0.12}); }

std::string attrs_line(const std::string& status) {
  schema::RunAttributes a;
  a.status = status;
  a.model = std::string("vit_tiny");
  return JournalWriter::line(a);
}

void append(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::app) << bytes;
}

// A results file path with its journals folder, as the harness lays them out.
struct Layout {
  TempDir dir;
  std::string results = dir.file("results.h5");
  std::string journals = journal_dir(results);
  Layout() { fs::create_directories(journals); }
  std::string journal(const std::string& run_id) const { return journals + "/" + run_id + ".jsonl"; }
};

}  // namespace

// ---- JournalFollower ------------------------------------------------------------------------

TEST(JournalFollower, ReadsAppendedLinesIncrementallyAndWaitsForACutLine) {
  TempDir dir;
  const std::string path = dir.file("r1.jsonl");
  append(path, header_line("r1") + "\n" + step_line(0) + "\n");
  JournalFollower f(path);
  EXPECT_EQ(f.poll(), JournalFollower::Change::Appended);
  ASSERT_TRUE(f.has_header());
  EXPECT_EQ(f.journal().run.run_id, "r1");
  EXPECT_EQ(f.journal().run.steps.size(), 1u);
  EXPECT_EQ(f.poll(), JournalFollower::Change::None);

  // A line cut short (the writer is mid-write): kept, not parsed, and not a problem.
  const std::string line1 = step_line(1);
  append(path, line1.substr(0, line1.size() / 2));
  EXPECT_EQ(f.poll(), JournalFollower::Change::None);
  EXPECT_EQ(f.journal().run.steps.size(), 1u);
  EXPECT_EQ(f.pending_bytes(), line1.size() / 2);
  EXPECT_TRUE(f.journal().problems.empty());

  // Completed, and another whole line after it: both read, each once.
  append(path, line1.substr(line1.size() / 2) + "\n" + step_line(2) + "\n");
  EXPECT_EQ(f.poll(), JournalFollower::Change::Appended);
  const RunData& run = f.journal().run;
  ASSERT_EQ(run.steps.size(), 3u);
  EXPECT_EQ(run.steps[1].step, 1);
  EXPECT_EQ(run.steps[2].step, 2);
  EXPECT_EQ(run.rank_step_time_s.size(), 6u);
  EXPECT_DOUBLE_EQ(run.rank_step_time_s[3], 0.12);
  EXPECT_EQ(f.pending_bytes(), 0u);
  EXPECT_EQ(f.parsed_bytes(), fs::file_size(path));
  EXPECT_TRUE(f.journal().problems.empty());
  EXPECT_EQ(f.restarts(), 0u);
}

TEST(JournalFollower, ReadsAReplacedOrTruncatedJournalAgainFromItsStart) {
  TempDir dir;
  const std::string path = dir.file("r1.jsonl");
  append(path, header_line("r1") + "\n" + step_line(0) + "\n" + step_line(1) + "\n");
  JournalFollower f(path);
  f.poll();
  ASSERT_EQ(f.journal().run.steps.size(), 2u);

  // Rotated: another file renamed over the name (a new inode), here with one step.
  const std::string next = dir.file("next.jsonl");
  append(next, header_line("r2") + "\n" + step_line(0) + "\n");
  fs::rename(next, path);
  EXPECT_EQ(f.poll(), JournalFollower::Change::Restarted);
  EXPECT_EQ(f.journal().run.run_id, "r2");
  EXPECT_EQ(f.journal().run.steps.size(), 1u);

  // Cut shorter in place: read again.
  fs::resize_file(path, header_line("r2").size() + 1);
  EXPECT_EQ(f.poll(), JournalFollower::Change::Restarted);
  EXPECT_EQ(f.journal().run.steps.size(), 0u);
  EXPECT_EQ(f.restarts(), 2u);
}

TEST(JournalFollower, KeepsWhatItReadWhenTheJournalIsRemoved) {
  TempDir dir;
  const std::string path = dir.file("r1.jsonl");
  append(path, header_line("r1") + "\n" + step_line(0) + "\n");
  JournalFollower f(path);
  f.poll();
  fs::remove(path);
  EXPECT_EQ(f.poll(), JournalFollower::Change::Removed);
  EXPECT_TRUE(f.removed());
  EXPECT_EQ(f.journal().run.steps.size(), 1u);
  EXPECT_EQ(f.poll(), JournalFollower::Change::None);
}

TEST(JournalFollower, ReportsAFileThatIsNotAJournalOnce) {
  TempDir dir;
  const std::string path = dir.write("x.jsonl", "{\"not\": \"a journal\"}\n");
  JournalFollower f(path);
  EXPECT_EQ(f.poll(), JournalFollower::Change::Failed);
  EXPECT_NE(f.error().find("not a run journal"), std::string::npos) << f.error();
  append(path, step_line(0) + "\n");
  EXPECT_EQ(f.poll(), JournalFollower::Change::None);  // the same file: its start cannot become readable
}

TEST(JournalFollower, RefusesAFifoWithoutBlocking) {
  TempDir dir;
  const std::string path = dir.file("r1.jsonl");
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  JournalFollower f(path);
  EXPECT_EQ(f.poll(), JournalFollower::Change::Failed);
  EXPECT_NE(f.error().find("not a regular file"), std::string::npos) << f.error();
}

// ---- RunBoard -------------------------------------------------------------------------------

// A run written by the real journal writer (its lock held while it lives), then folded into the
// results file and its journal removed, as the harness ends a run: the board shows it from its
// journal while it runs and from the file afterwards, with the same steps.
TEST(RunBoard, FollowsAJournalThenReadsTheRunFromTheResultsFileOnceFolded) {
  Layout l;
  RunBoard board(l.results);
  board.refresh(now_s());
  EXPECT_TRUE(board.runs().empty());
  EXPECT_FALSE(board.results_file_exists());

  const std::string id = "20261204T100000Z-test-1";
  auto writer = std::make_unique<JournalWriter>(l.journal(id), id, 2);
  writer->append(attrs_line("running") + "\n" + step_line(0) + "\n" + step_line(1) + "\n");
  board.refresh(now_s());
  ASSERT_EQ(board.runs().size(), 1u);
  const BoardRun* run = board.find(id);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->source, RunSource::Journal);
  EXPECT_EQ(run->status, "running");
  EXPECT_EQ(run->digest.steps, 2u);
  EXPECT_EQ(board.default_run(), run);

  writer->append(step_line(2) + "\n" + attrs_line("completed") + "\n");
  board.refresh(now_s());
  EXPECT_EQ(run->digest.steps, 3u);
  EXPECT_EQ(run->status, "completed");
  EXPECT_NE(run->status_detail.find("being folded"), std::string::npos) << run->status_detail;
  const std::uint64_t generation = run->generation;

  // The fold: the run added to the results file, then the journal removed (in that order).
  RunData folded = read_journal(l.journal(id)).run;
  ASSERT_TRUE(add_run_to_results_file(l.results, folded));
  writer.reset();
  fs::remove(l.journal(id));
  board.refresh(now_s());
  run = board.find(id);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->source, RunSource::ResultsFile);
  EXPECT_EQ(run->status, "completed");
  EXPECT_EQ(run->digest.steps, 3u);
  EXPECT_EQ(run->data().steps.size(), 3u);
  EXPECT_GT(run->generation, generation);  // a page holding the journal's copy starts again
  EXPECT_TRUE(board.results_file_exists());
  EXPECT_EQ(board.file_runs(), 1u);
  EXPECT_TRUE(board.problems().empty());
}

// A writer killed with SIGKILL (its lock released by the kernel) is reported crashed with the
// steps it flushed, never running; analyze --fold-journals then moves the run into the file.
TEST(RunBoard, ReportsAKilledWriterCrashedAndReadsItFromTheFileOnceFolded) {
  Layout l;
  const std::string id = "20261204T100000Z-test-2";
  // A writer that ended (here: exited) without recording an outcome.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    try {
      JournalWriter writer(l.journal(id), id, 2);
      writer.append(attrs_line("running") + "\n" + step_line(0) + "\n" + step_line(1) + "\n" + step_line(2) + "\n");
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  RunBoard board(l.results);
  board.refresh(now_s());
  const BoardRun* run = board.find(id);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->status, "crashed");
  EXPECT_NE(run->status_detail.find("3 steps"), std::string::npos) << run->status_detail;

  // A writer alive holding the lock, then SIGKILLed.
  const std::string id2 = "20261204T100001Z-test-3";
  int pipe_fd[2];
  ASSERT_EQ(::pipe(pipe_fd), 0);
  const pid_t writer_pid = ::fork();
  ASSERT_GE(writer_pid, 0);
  if (writer_pid == 0) {
    ::close(pipe_fd[0]);
    try {
      JournalWriter writer(l.journal(id2), id2, 2);
      writer.append(attrs_line("running") + "\n" + step_line(0) + "\n" + step_line(1) + "\n");
      const char c = 1;
      if (::write(pipe_fd[1], &c, 1) != 1) ::_exit(1);
      for (;;) ::pause();
    } catch (...) {
      ::_exit(1);
    }
  }
  ::close(pipe_fd[1]);
  char c = 0;
  ASSERT_EQ(::read(pipe_fd[0], &c, 1), 1);
  ::close(pipe_fd[0]);
  board.refresh(now_s());
  run = board.find(id2);
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->status, "running");
  EXPECT_EQ(board.default_run(), run);  // the page follows the running one
  ::kill(writer_pid, SIGKILL);
  ASSERT_EQ(::waitpid(writer_pid, &status, 0), writer_pid);
  board.refresh(now_s());
  EXPECT_EQ(run->status, "crashed");
  EXPECT_EQ(run->source, RunSource::Journal);
  EXPECT_EQ(run->digest.steps, 2u);
  EXPECT_NE(run->status_detail.find("no longer holds its lock"), std::string::npos) << run->status_detail;

  // analyze --fold-journals: both runs move into the file, recorded crashed, their steps kept.
  ASSERT_EQ(recover_orphaned_journals(l.results).size(), 2u);
  EXPECT_TRUE(journals_of(l.results).empty());
  board.refresh(now_s());
  for (const auto& [rid, steps] : {std::pair<std::string, std::size_t>{id, 3}, {id2, 2}}) {
    run = board.find(rid);
    ASSERT_NE(run, nullptr) << rid;
    EXPECT_EQ(run->source, RunSource::ResultsFile) << rid;
    EXPECT_EQ(run->status, "crashed") << rid;
    EXPECT_EQ(run->digest.steps, steps) << rid;
  }
}

TEST(RunBoard, ListsARunWhoseJournalVanishedUnfoldedAsUnknownNeverRunning) {
  Layout l;
  const std::string id = "20261204T100000Z-test-4";
  auto writer = std::make_unique<JournalWriter>(l.journal(id), id, 2);
  writer->append(attrs_line("running") + "\n" + step_line(0) + "\n");
  RunBoard board(l.results);
  board.refresh(now_s());
  ASSERT_EQ(board.find(id)->status, "running");
  fs::remove(l.journal(id));  // deleted by hand, the run in no results file
  board.refresh(now_s());
  const BoardRun* run = board.find(id);
  EXPECT_EQ(run->source, RunSource::JournalRemoved);
  EXPECT_EQ(run->status, "unknown");
  EXPECT_EQ(run->digest.steps, 1u);
}

// The figures the page shows beside the charts: steady throughput and data wait without the
// warm-up step, the energy of the finished epochs, and a running sum that stops at an epoch
// without a figure rather than reading low.
TEST(LiveJson, SummarisesThroughputDataWaitAndEnergySoFar) {
  Layout l;
  const std::string id = "20261204T100000Z-test-6";
  JournalWriter writer(l.journal(id), id, 2);
  std::string lines = attrs_line("running") + "\n";
  for (int i = 0; i < 4; ++i) lines += step_line(i) + "\n";
  for (int e = 0; e < 3; ++e) {
    schema::EpochRecord ep{};
    ep.epoch = e;
    ep.energy_j = e == 1 ? std::numeric_limits<double>::quiet_NaN() : 1000.0 * (e + 1);
    lines += JournalWriter::line(ep) + "\n";
  }
  writer.append(lines);
  RunBoard board(l.results);
  board.refresh(now_s());
  const BoardRun* run = board.find(id);
  ASSERT_NE(run, nullptr);
  const auto summary = run_summary_json(*run, now_s());
  EXPECT_EQ(summary["steady_steps"], 3);  // step 0 is warm-up
  EXPECT_DOUBLE_EQ(summary["steady_images_per_s"].get<double>(), 3 * 32 / (3 * 0.1));
  EXPECT_DOUBLE_EQ(summary["data_wait_fraction"].get<double>(), 0.1);
  EXPECT_EQ(summary["energy"]["epochs_measured"], 2);
  EXPECT_EQ(summary["energy"]["epochs_missing"], 1);
  EXPECT_DOUBLE_EQ(summary["energy"]["epochs_j"].get<double>(), 4000.0);
  const auto series = series_json(*run, SeriesCursor{});
  EXPECT_EQ(series["epochs"]["cumulative_energy_j"], nlohmann::json::parse("[1000.0, null, null]"));
  // Rank 1 took 0.12 s for its 16 of the step's 32 samples.
  EXPECT_NEAR(series["steps"]["rank_images_per_s"][1][0].get<double>(), 16 / 0.12, 1e-9);
}

// ---- The server -----------------------------------------------------------------------------

namespace {

struct Reply {
  int status = 0;
  std::string head, body;
};

Reply http_get(int port, const std::string& target, const std::string& host = "127.0.0.1") {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(std::uint16_t(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  Reply r;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return r;
  }
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), 0) != ssize_t(req.size())) {
    ::close(fd);
    return r;
  }
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) all.append(buf, std::size_t(n));
  ::close(fd);
  const std::size_t end = all.find("\r\n\r\n");
  if (all.compare(0, 9, "HTTP/1.1 ") != 0 || end == std::string::npos) return r;
  r.status = std::stoi(all.substr(9, 3));
  r.head = all.substr(0, end);
  r.body = all.substr(end + 4);
  return r;
}

}  // namespace

TEST(WatchServer, AnswersThePageTheStateAndNotFound) {
  Layout l;
  const std::string id = "20261204T100000Z-test-5";
  JournalWriter writer(l.journal(id), id, 2);
  writer.append(attrs_line("running") + "\n" + step_line(0) + "\n" + step_line(1) + "\n");

  HttpServer server("127.0.0.1", 0);
  ASSERT_GT(server.port(), 0);
  EXPECT_TRUE(server.loopback());
  LiveSite site(l.results);
  std::thread serving([&] { server.serve([&](const HttpRequest& q) { return site.handle(q); }, [&] { site.refresh(); }, 0.2); });

  const Reply page = http_get(server.port(), "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.head.find("Content-Type: text/html"), std::string::npos);
  EXPECT_NE(page.head.find(std::string("Content-Security-Policy: ") + kLivePagePolicy), std::string::npos) << page.head;
  EXPECT_NE(page.body.find("<meta http-equiv=\"Content-Security-Policy\""), std::string::npos);
  EXPECT_NE(page.body.find("Plotly"), std::string::npos);  // inline, not fetched
  EXPECT_EQ(page.body.find("<script src"), std::string::npos);
  EXPECT_EQ(page.body.find("<link rel=\"stylesheet\""), std::string::npos);

  const Reply state = http_get(server.port(), "/api/state");
  EXPECT_EQ(state.status, 200);
  const auto j = nlohmann::json::parse(state.body);
  ASSERT_EQ(j["runs"].size(), 1u);
  EXPECT_EQ(j["runs"][0]["id"], id);
  EXPECT_EQ(j["runs"][0]["status"], "running");
  EXPECT_EQ(j["shown"], id);
  EXPECT_EQ(j["series"]["steps"]["step"], nlohmann::json::array({0, 1}));
  EXPECT_EQ(j["series"]["rank_view"], "each");
  EXPECT_EQ(j["series"]["steps"]["rank_images_per_s"].size(), 2u);  // one line per rank

  // A page holding both steps asks from there and gets only what is new.
  writer.append(step_line(2) + "\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past LiveSite::kFreshS
  const auto next = nlohmann::json::parse(
      http_get(server.port(), "/api/state?follow=1&run=" + id + "&gen=" + std::to_string(j["series"]["generation"].get<int>()) +
                                  "&steps=2&evals=0&epochs=0")
          .body);
  EXPECT_FALSE(next["series"]["reset"].get<bool>());
  EXPECT_EQ(next["series"]["steps"]["step"], nlohmann::json::array({2}));

  EXPECT_EQ(http_get(server.port(), "/nope").status, 404);
  EXPECT_EQ(http_get(server.port(), "/", "attacker.example").status, 403);  // a rebound DNS name

  server.stop();
  serving.join();
}

// ---- The command line -----------------------------------------------------------------------

namespace {

struct Result {
  int code;
  std::string out, err;
};

Result analyze(std::vector<std::string> args) {
  args.insert(args.begin(), "analyze");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  const int code = lb::analysis::run_analyze(int(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

void expect_usage_error(const std::vector<std::string>& args, const std::string& says) {
  const Result r = analyze(args);
  EXPECT_EQ(r.code, lb::analysis::kExitUsage) << args[0] << " " << r.err;
  EXPECT_EQ(r.out, "");
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not one line: " << r.err;
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
}

}  // namespace

TEST(WatchCli, RefusesBadOptionsWithOneLineAndExitCode2) {
  Layout l;
  expect_usage_error({"--watch", l.results, "--port", "70000"}, "--port '70000'");
  expect_usage_error({"--watch", l.results, "--port", "-1"}, "--port");
  expect_usage_error({"--watch", l.results, "--port", "http"}, "--port 'http'");
  expect_usage_error({l.results, "--port", "8000"}, "--port: only with --watch");
  expect_usage_error({l.results, "--bind", "0.0.0.0"}, "--bind: only with --watch");
  expect_usage_error({"--watch", l.results, "--bind", "localhost"}, "not an IPv4 or IPv6 address");
  expect_usage_error({"--watch", l.results, l.results}, "analyses nothing");
  expect_usage_error({"--watch", l.dir.path().string()}, "a folder");
  expect_usage_error({"--watch", l.journals}, "the file whose journals these are");
  const std::string fifo = l.dir.file("fifo.h5");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_usage_error({"--watch", fifo}, "a FIFO");
  expect_usage_error({"--watch", l.dir.write("notes.h5", "not hdf5\n")}, "not an HDF5 file");
  expect_usage_error({"--watch", l.dir.file("no/such/folder/results.h5")}, "does not exist");
  expect_usage_error({"--watch", l.dir.write("bad\nname.h5", "x")}, "not an HDF5 file");  // still one line
}

TEST(WatchCli, AcceptsAResultsFileNotWrittenYet) {
  Layout l;
  EXPECT_NE(check_watch_path(l.results).find("does not exist yet"), std::string::npos);
}
