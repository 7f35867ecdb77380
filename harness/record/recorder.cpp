#include "harness/record/recorder.h"

#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "common/format.h"
#if defined(LB_WITH_HDF5)
#include "common/results_file.h"
#endif

namespace lb {
namespace fs = std::filesystem;
namespace {

double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

}  // namespace

Recorder::Recorder(std::string path, std::string run_id, int world_size)
    : path_(std::move(path)), run_id_(std::move(run_id)), world_size_(world_size) {
  const auto parent = fs::absolute(path_).parent_path();
  if (!fs::is_directory(parent))
    throw std::invalid_argument("--output " + path_ + ": folder " + parent.string() + " does not exist");
  const std::string dir = journal_dir(path_);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir + ": cannot create the journal folder: " + ec.message());
  journal_path_ = dir + "/" + run_id_ + ".jsonl";
  journal_ = std::make_unique<JournalWriter>(journal_path_, run_id_, world_size_);
  writer_ = std::thread([this] { writer_loop(); });
}

Recorder::~Recorder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    ++requested_;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Recorder::set(const schema::RunAttributes& attrs) {
  std::lock_guard<std::mutex> lock(mu_);
  attrs_.merge(attrs);
  attrs_dirty_ = true;
}

void Recorder::add_step(const schema::StepRecord& row, std::vector<double> rank_total_s) {
  rank_total_s.resize(std::size_t(world_size_), 0.0);
  std::lock_guard<std::mutex> lock(mu_);
  pending_.emplace_back(StepEntry{row, std::move(rank_total_s)});
  ++steps_queued_;
}

void Recorder::add_epoch(const schema::EpochRecord& row) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.emplace_back(row);
}

void Recorder::add_evaluation(const schema::EvaluationRecord& row) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.emplace_back(row);
}

void Recorder::add_allreduce_sweep(const schema::AllreduceSweepRecord& row) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.emplace_back(row);
}

void Recorder::add_energy(const schema::EnergyRecord& row) {
  std::lock_guard<std::mutex> lock(mu_);
  pending_.emplace_back(row);
}

void Recorder::request_flush() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++requested_;
  }
  cv_.notify_all();
}

void Recorder::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  const std::uint64_t target = ++requested_;
  cv_.notify_all();
  done_cv_.wait(lock, [&] { return written_ >= target || error_ || !writer_.joinable(); });
  if (error_) throw std::runtime_error(*error_);
}

// Called with the lock held; releases it while writing.
void Recorder::write_pending(std::unique_lock<std::mutex>& lock) {
  const std::uint64_t generation = requested_;
  std::vector<Entry> entries;
  entries.swap(pending_);
  std::optional<schema::RunAttributes> attrs;
  if (attrs_dirty_) attrs = attrs_, attrs_dirty_ = false;
  const bool failed = error_.has_value();
  lock.unlock();

  const double t0 = thread_cpu_seconds();
  std::int64_t steps = 0;
  std::optional<std::string> error;
  if (!failed && (attrs || !entries.empty())) {
    std::string text;
    for (const auto& e : entries) {
      if (const auto* s = std::get_if<StepEntry>(&e)) {
        text += JournalWriter::line(s->row, s->rank_total_s);
        ++steps;
      } else if (const auto* r = std::get_if<schema::EpochRecord>(&e)) {
        text += JournalWriter::line(*r);
      } else if (const auto* r = std::get_if<schema::EvaluationRecord>(&e)) {
        text += JournalWriter::line(*r);
      } else if (const auto* r = std::get_if<schema::AllreduceSweepRecord>(&e)) {
        text += JournalWriter::line(*r);
      } else if (const auto* r = std::get_if<schema::EnergyRecord>(&e)) {
        text += JournalWriter::line(*r);
      }
      text += '\n';
    }
    // Attributes last: a status written after the rows it summarises.
    if (attrs) text += JournalWriter::line(*attrs) + "\n";
    try {
      journal_->append(text);
    } catch (const std::exception& ex) {
      error = ex.what();
    }
  }
  const double spent = thread_cpu_seconds() - t0;

  lock.lock();
  writer_seconds_ += spent;
  if (error && !error_) error_ = error;
  if (!error) steps_written_ += steps;
  written_ = std::max(written_, generation);
}

void Recorder::writer_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || requested_ > written_; });
    write_pending(lock);
    done_cv_.notify_all();
    if (stopping_ && requested_ <= written_) return;
  }
}

void Recorder::finish() {
  std::lock_guard<std::mutex> once(finish_mu_);
  if (finished_) return;
  flush();
#if defined(LB_WITH_HDF5)
  RunData run;
  try {
    run = read_journal(journal_path_).run;  // what is durable is what gets folded
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + " (the run stays in its journal)");
  }
  try {
    add_run_to_results_file(path_, run);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string(e.what()) + "; the run is kept in " + journal_path_ +
                             " and is folded into the results file by the next harness run (analyze reads it meanwhile)");
  }
  std::error_code ec;
  fs::remove(journal_path_, ec);
  fs::remove(journal_dir(path_), ec);  // only when no other run is writing
#endif
  // Without HDF5 (single-GPU device checks) the journal is the record.
  finished_ = true;
}

std::optional<std::string> Recorder::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

std::int64_t Recorder::steps_written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return steps_written_;
}

double Recorder::writer_seconds() const {
  std::lock_guard<std::mutex> lock(mu_);
  return writer_seconds_;
}

void check_results_file(const std::string& path) {
  if (!fs::exists(path)) return;
#if !defined(LB_WITH_HDF5)
  throw std::invalid_argument("--output " + path + ": exists, and this harness was built without HDF5 (it writes "
                              "journals only): choose a new name");
#else
  int version = 0;
  try {
    version = results_schema_version(path);
  } catch (const std::exception& e) {
    throw std::invalid_argument("--output " + path + ": exists but is not a results file (" + e.what() + ")");
  }
  if (version < 1) throw std::invalid_argument("--output " + path + ": exists but is not a results file (no valid schema_version)");
  if (version > schema::kVersion)
    throw std::invalid_argument("--output " + path + ": schema_version " + std::to_string(version) +
                                " is newer than this harness writes (" + std::to_string(schema::kVersion) + ")");
#endif
}

std::string make_run_id(int repeat_index) {
  const std::string stamp = utc_now("%Y%m%dT%H%M%SZ");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::string id = stamp + "-" + host + "-" + std::to_string(::getpid());
  if (const char* job = std::getenv("SLURM_JOB_ID")) id += std::string("-j") + job;
  if (repeat_index >= 0) id += "-r" + std::to_string(repeat_index);
  std::replace_if(id.begin(), id.end(), [](char c) { return c == '/' || c == '\0' || c == ' '; }, '_');
  return id;
}

}  // namespace lb
