#include "common/run_journal.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace lb {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// ---- values <-> JSON, by schema type ----
void put(json& j, const char* name, double v) { j[name] = std::isfinite(v) ? json(v) : json(nullptr); }
void put(json& j, const char* name, float v) { put(j, name, double(v)); }
void put(json& j, const char* name, std::int64_t v) { j[name] = v; }
void put(json& j, const char* name, std::int32_t v) { j[name] = v; }
void put(json& j, const char* name, std::uint8_t v) { j[name] = int(v); }
void put(json& j, const char* name, const std::string& v) { j[name] = v; }
void put(json& j, const char* name, const schema::S48& v) { j[name] = v.str(); }

void get(const json& j, double& v) { v = j.is_number() ? j.get<double>() : std::numeric_limits<double>::quiet_NaN(); }
void get(const json& j, float& v) { v = j.is_number() ? j.get<float>() : std::numeric_limits<float>::quiet_NaN(); }
void get(const json& j, std::int64_t& v) {
  if (!j.is_number_integer()) throw std::runtime_error("expected an integer");
  v = j.get<std::int64_t>();
}
void get(const json& j, std::int32_t& v) {
  std::int64_t w = 0;
  get(j, w);
  if (w < std::numeric_limits<std::int32_t>::min() || w > std::numeric_limits<std::int32_t>::max())
    throw std::runtime_error("integer out of range");
  v = std::int32_t(w);
}
void get(const json& j, std::uint8_t& v) {
  std::int64_t w = 0;
  get(j, w);
  if (w < 0 || w > 255) throw std::runtime_error("integer out of range");
  v = std::uint8_t(w);
}
void get(const json& j, std::string& v) {
  if (!j.is_string()) throw std::runtime_error("expected a string");
  v = j.get<std::string>();
}
void get(const json& j, schema::S48& v) {
  std::string s;
  get(j, s);
  v.assign(s);
}

template <class T>
void get_field(const json& obj, const char* name, T& v) {
  auto it = obj.find(name);
  if (it == obj.end()) return;  // absent in an older journal: the default stays
  try {
    get(*it, v);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("field ") + name + ": " + e.what());
  }
}

#define LB_PUT(name, type, doc) put(j, #name, row.name);
#define LB_GET(name, type, doc) get_field(j, #name, row.name);

json to_json(const schema::StepRecord& row) {
  json j;
  LB_STEP_FIELDS(LB_PUT)
  return j;
}
json to_json(const schema::EpochRecord& row) {
  json j;
  LB_EPOCH_FIELDS(LB_PUT)
  return j;
}
json to_json(const schema::EvaluationRecord& row) {
  json j;
  LB_EVALUATION_FIELDS(LB_PUT)
  return j;
}
json to_json(const schema::AllreduceSweepRecord& row) {
  json j;
  LB_ALLREDUCE_SWEEP_FIELDS(LB_PUT)
  return j;
}
json to_json(const schema::EnergyRecord& row) {
  json j;
  LB_ENERGY_FIELDS(LB_PUT)
  return j;
}
void from_json_row(const json& j, schema::StepRecord& row) { LB_STEP_FIELDS(LB_GET) }
void from_json_row(const json& j, schema::EpochRecord& row) { LB_EPOCH_FIELDS(LB_GET) }
void from_json_row(const json& j, schema::EvaluationRecord& row) { LB_EVALUATION_FIELDS(LB_GET) }
void from_json_row(const json& j, schema::AllreduceSweepRecord& row) { LB_ALLREDUCE_SWEEP_FIELDS(LB_GET) }
void from_json_row(const json& j, schema::EnergyRecord& row) { LB_ENERGY_FIELDS(LB_GET) }
#undef LB_PUT
#undef LB_GET

json attrs_to_json(const schema::RunAttributes& a) {
  json j = json::object();
#define LB_PUT_ATTR(name, type, group, doc) \
  if (a.name) put(j, #name, *a.name);
  LB_RUN_ATTRIBUTES(LB_PUT_ATTR)
#undef LB_PUT_ATTR
  return j;
}

void attrs_from_json(const json& j, schema::RunAttributes& a) {
#define LB_GET_ATTR(name, type, group, doc)          \
  if (auto it = j.find(#name); it != j.end()) {      \
    schema::type v{};                                \
    try {                                            \
      get(*it, v);                                   \
    } catch (const std::exception& e) {              \
      throw std::runtime_error(std::string("attribute " #name ": ") + e.what()); \
    }                                                \
    a.name = v;                                      \
  }
  LB_RUN_ATTRIBUTES(LB_GET_ATTR)
#undef LB_GET_ATTR
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

double unix_now_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what + ": " + std::strerror(errno));
}

}  // namespace

JournalWriter::JournalWriter(const std::string& path, const std::string& run_id, int world_size) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) fail(path, "cannot create the run journal");
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int saved = errno;
    ::close(fd_);
    errno = saved;
    fail(path, "cannot lock the run journal");
  }
  // Who writes it: analyze and the next harness tell a dead writer from a live one by these.
  json head = {{"journal", "lumibench run"}, {"schema_version", schema::kVersion}, {"run_id", run_id},
               {"world_size", world_size}, {"host", this_host()}, {"pid", static_cast<std::int64_t>(::getpid())}};
  append(dump(head) + "\n");
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

std::string JournalWriter::line(const schema::RunAttributes& attrs) { return dump(json{{"attrs", attrs_to_json(attrs)}}); }
std::string JournalWriter::line(const schema::StepRecord& row, const std::vector<double>& rank_total_s) {
  json ranks = json::array();
  for (double v : rank_total_s) ranks.push_back(std::isfinite(v) ? json(v) : json(nullptr));
  return dump(json{{"step", to_json(row)}, {"rank_total_s", ranks}});
}
std::string JournalWriter::line(const schema::EpochRecord& row) { return dump(json{{"epoch", to_json(row)}}); }
std::string JournalWriter::line(const schema::EvaluationRecord& row) { return dump(json{{"evaluation", to_json(row)}}); }
std::string JournalWriter::line(const schema::AllreduceSweepRecord& row) {
  return dump(json{{"allreduce_sweep", to_json(row)}});
}
std::string JournalWriter::line(const schema::EnergyRecord& row) { return dump(json{{"energy", to_json(row)}}); }

void JournalWriter::append(const std::string& text) {
  // Each flush ends with the wall-clock time it was written at: the run's own cadence, from which
  // a reader on another host tells a silent (dead) writer from a live one.
  const std::string stamped = text + dump(json{{"flush", {{"unix_s", unix_now_s()}}}}) + "\n";
  const char* p = stamped.data();
  std::size_t left = stamped.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      fail(path_, "cannot append to the run journal");
    }
    p += n;
    left -= std::size_t(n);
  }
  if (::fdatasync(fd_) != 0) fail(path_, "cannot make the run journal durable (fdatasync)");
}

namespace {
constexpr std::int64_t kMaxWorldSize = 1 << 20;
constexpr std::size_t kMaxRankTimes = std::size_t(1) << 28;  // 2 GiB of doubles
}  // namespace

JournalReadResult read_journal(const std::string& path) {
  // Opened without blocking and checked before anything is read: a FIFO or a device named like a
  // journal would otherwise block or never end.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error(path + ": cannot open the run journal: " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw std::runtime_error(path + ": not a regular file; a run journal must be one");
  }
  if (std::uint64_t(st.st_size) > kMaxJournalBytes) {
    ::close(fd);
    throw std::runtime_error(path + ": " + std::to_string(std::uint64_t(st.st_size)) +
                             " bytes, more than the limit of " + std::to_string(kMaxJournalBytes) +
                             " bytes for a run journal; not read");
  }
  std::string text;
  text.reserve(std::size_t(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      throw std::runtime_error(path + ": cannot read the run journal: " + std::strerror(saved));
    }
    if (n == 0 || text.size() + std::size_t(n) > kMaxJournalBytes) break;
    text.append(buf, std::size_t(n));
  }
  ::close(fd);
  JournalLineParser parser(path);
  std::size_t pos = 0;
  bool truncated_tail = false;
  while (pos < text.size()) {
    const std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) {  // the last write was cut short
      truncated_tail = true;
      break;
    }
    parser.add(std::string_view(text).substr(pos, end - pos));
    pos = end + 1;
  }
  if (!parser.has_header()) throw std::runtime_error(path + ": not a run journal (empty)");
  JournalReadResult r = parser.take();
  r.truncated_tail = truncated_tail;
  return r;
}

JournalLineParser::JournalLineParser(std::string path) : path_(std::move(path)) {}

void JournalLineParser::add(std::string_view text) {
  const std::string& path = path_;
  JournalReadResult& r = result_;
  RunData& run = r.run;
  const std::size_t line_no = ++line_no_;
  json j;
  try {
    j = json::parse(text);
  } catch (const std::exception&) {
    if (!header_) throw std::runtime_error(path + ": not a run journal (line 1 is not JSON)");
    r.problems.push_back("line " + std::to_string(line_no) + ": not JSON; ignored");
    return;
  }
  if (!header_) {
    // Every field is checked for its type first: json's own conversions throw other exception
    // types, and a number too large for an int converts with undefined behaviour.
    auto integer = [&](const char* name, std::int64_t fallback) {
      auto it = j.find(name);
      if (it == j.end()) return fallback;
      if (!it->is_number_integer()) throw std::runtime_error(path + ": journal " + name + " is not a whole number");
      return it->is_number_unsigned() && it->get<std::uint64_t>() > std::uint64_t(INT64_MAX)
                 ? INT64_MAX
                 : it->get<std::int64_t>();
    };
    if (!j.is_object() || !j.contains("journal") || !j["journal"].is_string() ||
        j["journal"].get<std::string>() != "lumibench run" || !j.contains("run_id") || !j["run_id"].is_string())
      throw std::runtime_error(path + ": not a run journal (no lumibench header)");
    const std::int64_t version = integer("schema_version", 0);
    if (version < 1 || version > schema::kVersion)
      throw std::runtime_error(path + ": journal schema_version " + std::to_string(version) +
                               " is not one this program reads (1.." + std::to_string(schema::kVersion) + ")");
    run.run_id = j["run_id"].get<std::string>();
    const std::int64_t ws = integer("world_size", 1);
    if (ws < 1 || ws > kMaxWorldSize)
      throw std::runtime_error(path + ": journal world_size " + std::to_string(ws) + " out of range (1.." +
                               std::to_string(kMaxWorldSize) + ")");
    run.world_size = int(ws);
    if (auto it = j.find("host"); it != j.end() && it->is_string()) r.writer.host = it->get<std::string>();
    r.writer.pid = integer("pid", 0);
    header_ = true;
    return;
  }
  try {
    if (!j.is_object()) throw std::runtime_error("not an object");
    if (auto it = j.find("flush"); it != j.end()) {
      if (!it->is_object() || !it->contains("unix_s") || !(*it)["unix_s"].is_number())
        throw std::runtime_error("flush without its time");
      r.writer.flush_unix_s.push_back((*it)["unix_s"].get<double>());
    } else if (auto it = j.find("attrs"); it != j.end()) {
      schema::RunAttributes a;
      attrs_from_json(*it, a);
      run.attrs.merge(a);
    } else if (auto it = j.find("step"); it != j.end()) {
      schema::StepRecord row;
      from_json_row(*it, row);
      // Each step line stores a time per rank: a journal of many tiny lines and a large world
      // would otherwise take any amount of memory.
      if (run.rank_step_time_s.size() + std::size_t(run.world_size) > kMaxRankTimes)
        throw std::runtime_error("more than " + std::to_string(kMaxRankTimes) + " rank step times (steps x world_size)");
      std::vector<double> ranks(std::size_t(run.world_size), std::numeric_limits<double>::quiet_NaN());
      if (auto rt = j.find("rank_total_s"); rt != j.end() && rt->is_array())
        for (std::size_t i = 0; i < ranks.size() && i < rt->size(); ++i) get((*rt)[i], ranks[i]);
      run.steps.push_back(row);
      run.rank_step_time_s.insert(run.rank_step_time_s.end(), ranks.begin(), ranks.end());
    } else if (auto it = j.find("epoch"); it != j.end()) {
      run.epochs.emplace_back();
      from_json_row(*it, run.epochs.back());
    } else if (auto it = j.find("evaluation"); it != j.end()) {
      run.evaluations.emplace_back();
      from_json_row(*it, run.evaluations.back());
    } else if (auto it = j.find("allreduce_sweep"); it != j.end()) {
      run.allreduce_sweep.emplace_back();
      from_json_row(*it, run.allreduce_sweep.back());
    } else if (auto it = j.find("energy"); it != j.end()) {
      run.energy.emplace_back();
      from_json_row(*it, run.energy.back());
    } else {
      throw std::runtime_error("unknown record");
    }
  } catch (const std::exception& e) {
    r.problems.push_back("line " + std::to_string(line_no) + ": " + e.what() + "; ignored");
  }
}

std::string journal_dir(const std::string& results_path) { return results_path + ".journals"; }

std::vector<std::string> journals_of(const std::string& results_path) {
  std::vector<std::string> out;
  std::error_code ec;
  const fs::path dir = journal_dir(results_path);
  if (!fs::is_directory(dir, ec)) return out;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".jsonl") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string this_host() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return {};
  return name;
}

namespace {

enum class Lock { Held, Free, Unsupported };

// Whether a process holds the journal's lock (its writer holds it for its whole life).
Lock journal_lock(const std::string& journal_path) {
  const int fd = ::open(journal_path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Lock::Unsupported;
  Lock state = Lock::Free;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) state = errno == EWOULDBLOCK ? Lock::Held : Lock::Unsupported;
  ::close(fd);
  return state;
}

std::string seconds_text(double s) { return std::to_string(std::int64_t(std::llround(s))) + " s"; }

}  // namespace

WriterState journal_writer_state(const std::string& journal_path, const JournalReadResult& read, double now_unix_s) {
  const JournalWriterInfo& w = read.writer;
  WriterState state;
  const Lock lock = journal_lock(journal_path);
  if (!w.host.empty() && w.host == this_host()) {
    // On the writer's own host the lock says it (a journal on a file system without locks: the pid).
    if (lock == Lock::Free) {
      state.gone = true;
      state.reason = "its writer (pid " + std::to_string(w.pid) + " on " + w.host + ") no longer holds its lock";
    } else if (lock == Lock::Unsupported && w.pid > 0 && ::kill(pid_t(w.pid), 0) != 0 && errno == ESRCH) {
      state.gone = true;
      state.reason = "its writer (pid " + std::to_string(w.pid) + " on " + w.host + ") is no longer alive";
    }
    return state;
  }
  if (w.host.empty()) {
    // A journal that does not say where it was written (older harnesses): the lock alone.
    if (lock == Lock::Free) {
      state.gone = true;
      state.reason = "no process holds its lock";
    }
    return state;
  }
  // Written on another host (a compute node; this is a login node or another job): a lock there
  // may not be visible here, and its pid means nothing here. The run's own rhythm decides: silent
  // for several times the longest gap between its flushes so far (validation passes included).
  double last = 0, longest_gap = 0;
  for (std::size_t i = 0; i < w.flush_unix_s.size(); ++i) {
    last = std::max(last, w.flush_unix_s[i]);
    if (i > 0) longest_gap = std::max(longest_gap, w.flush_unix_s[i] - w.flush_unix_s[i - 1]);
  }
  struct stat st {};
  if (::stat(journal_path.c_str(), &st) == 0) last = std::max(last, double(st.st_mtime));
  const double allowed = w.flush_unix_s.size() >= 2 ? std::max(kSilentFlushGaps * longest_gap, kMinSilenceS)
                                                    : kSilenceBeforeCadenceS;
  const double silent = now_unix_s - last;
  if (last > 0 && silent > allowed) {
    state.gone = true;
    state.reason = "written on " + w.host + ", silent for " + seconds_text(silent) + ", more than " +
                   seconds_text(allowed) +
                   (w.flush_unix_s.size() >= 2 ? " (" + std::to_string(int(kSilentFlushGaps)) +
                                                     " times its longest gap between flushes, at least " +
                                                     seconds_text(kMinSilenceS) + ")"
                                               : " (it never flushed after its header)");
  }
  return state;
}

bool journal_is_orphaned(const std::string& journal_path) {
  try {
    return journal_writer_state(journal_path, read_journal(journal_path), unix_now_s()).gone;
  } catch (const std::exception&) {
    // Not readable as a journal: only the lock can say (recovery then names what is wrong).
    return journal_lock(journal_path) == Lock::Free;
  }
}

}  // namespace lb
