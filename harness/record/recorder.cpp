#include "record/recorder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <stdexcept>

#include "record/h5.h"

namespace lb {
namespace fs = std::filesystem;
namespace {

constexpr hsize_t kStepChunk = 1024;
constexpr hsize_t kEpochChunk = 64;

h5::Handle step_type() {
  auto t = h5::type(H5Tcreate(H5T_COMPOUND, sizeof(StepRecord)), "steps type");
#define LB_FIELD(name, h5type) H5Tinsert(t, #name, HOFFSET(StepRecord, name), h5type)
  LB_FIELD(step, H5T_NATIVE_INT64);
  LB_FIELD(epoch, H5T_NATIVE_INT32);
  LB_FIELD(step_in_epoch, H5T_NATIVE_INT32);
  LB_FIELD(samples, H5T_NATIVE_INT32);
  LB_FIELD(warmup, H5T_NATIVE_UINT8);
  LB_FIELD(data_wait_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(forward_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(backward_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(optimizer_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(comm_exposed_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(total_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(loss, H5T_NATIVE_FLOAT);
  LB_FIELD(lr, H5T_NATIVE_DOUBLE);
#undef LB_FIELD
  return t;
}

h5::Handle epoch_type() {
  auto t = h5::type(H5Tcreate(H5T_COMPOUND, sizeof(EpochRecord)), "epochs type");
#define LB_FIELD(name, h5type) H5Tinsert(t, #name, HOFFSET(EpochRecord, name), h5type)
  LB_FIELD(epoch, H5T_NATIVE_INT32);
  LB_FIELD(train_time_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(val_time_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(epoch_time_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(train_samples, H5T_NATIVE_INT64);
  LB_FIELD(val_samples, H5T_NATIVE_INT64);
  LB_FIELD(train_loss, H5T_NATIVE_DOUBLE);
  LB_FIELD(train_acc, H5T_NATIVE_DOUBLE);
  LB_FIELD(val_loss, H5T_NATIVE_DOUBLE);
  LB_FIELD(val_top1, H5T_NATIVE_DOUBLE);
  LB_FIELD(val_top5, H5T_NATIVE_DOUBLE);
  LB_FIELD(images_per_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(end_wall_s, H5T_NATIVE_DOUBLE);
#undef LB_FIELD
  return t;
}

h5::Handle eval_type() {
  auto t = h5::type(H5Tcreate(H5T_COMPOUND, sizeof(EvalRecord)), "evaluations type");
#define LB_FIELD(name, h5type) H5Tinsert(t, #name, HOFFSET(EvalRecord, name), h5type)
  LB_FIELD(step, H5T_NATIVE_INT64);
  LB_FIELD(epoch, H5T_NATIVE_INT32);
  LB_FIELD(val_samples, H5T_NATIVE_INT64);
  LB_FIELD(val_loss, H5T_NATIVE_DOUBLE);
  LB_FIELD(val_top1, H5T_NATIVE_DOUBLE);
  LB_FIELD(val_top5, H5T_NATIVE_DOUBLE);
  LB_FIELD(val_time_s, H5T_NATIVE_DOUBLE);
  LB_FIELD(end_wall_s, H5T_NATIVE_DOUBLE);
#undef LB_FIELD
  return t;
}

void create_table(hid_t group, const char* name, hid_t type, int rank, hsize_t cols, hsize_t chunk_rows) {
  hsize_t dims[2] = {0, cols}, maxdims[2] = {H5S_UNLIMITED, cols}, chunk[2] = {chunk_rows, cols};
  auto sp = h5::space(H5Screate_simple(rank, dims, maxdims), std::string("space of ") + name);
  auto dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "dataset properties");
  h5::check(H5Pset_chunk(dcpl, rank, chunk), "chunking");
  h5::dataset(H5Dcreate2(group, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT), std::string("dataset ") + name);
}

// Appends `rows` rows (of `cols` columns for 2-D tables) to a dataset.
void append_rows(hid_t group, const char* name, hid_t mem_type, const void* data, hsize_t rows, hsize_t cols,
                 int rank) {
  if (rows == 0) return;
  auto ds = h5::dataset(H5Dopen2(group, name, H5P_DEFAULT), std::string("dataset ") + name);
  hsize_t old_dims[2] = {0, cols};
  {
    auto fsp = h5::space(H5Dget_space(ds), "space");
    H5Sget_simple_extent_dims(fsp, old_dims, nullptr);
  }
  hsize_t new_dims[2] = {old_dims[0] + rows, cols};
  h5::check(H5Dset_extent(ds, new_dims), std::string("extending ") + name);
  auto fsp = h5::space(H5Dget_space(ds), "space");
  hsize_t start[2] = {old_dims[0], 0}, count[2] = {rows, cols};
  h5::check(H5Sselect_hyperslab(fsp, H5S_SELECT_SET, start, nullptr, count, nullptr), "selection");
  auto msp = h5::space(H5Screate_simple(rank, count, nullptr), "memory space");
  h5::check(H5Dwrite(ds, mem_type, msp, fsp, H5P_DEFAULT, data), std::string("writing ") + name);
}

// An exclusive advisory lock on `<file>.lock`, held for one flush.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(path + ".lock: cannot create lock file: " + std::strerror(errno));
    while (flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) throw std::runtime_error(path + ".lock: cannot lock: " + std::strerror(errno));
    }
  }
  ~FileLock() {
    flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_ = -1;
};

void fsync_path(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return;
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0 && !directory) throw std::runtime_error(path + ": fsync failed: " + std::strerror(errno));
}

}  // namespace

Recorder::Recorder(std::string path, std::string run_id, int world_size)
    : path_(std::move(path)), run_id_(std::move(run_id)), world_size_(world_size) {
  const auto parent = fs::absolute(path_).parent_path();
  if (!fs::is_directory(parent))
    throw std::invalid_argument("--output " + path_ + ": folder " + parent.string() + " does not exist");
}

void Recorder::set(const std::string& name, Value value) {
  auto it = attrs_.find(name);
  if (it != attrs_.end() && it->second == value) return;
  attrs_[name] = std::move(value);
  if (std::find(dirty_attrs_.begin(), dirty_attrs_.end(), name) == dirty_attrs_.end()) dirty_attrs_.push_back(name);
}

void Recorder::add_step(const StepRecord& row, const std::vector<double>& rank_total_s) {
  steps_.push_back(row);
  for (int r = 0; r < world_size_; ++r) rank_times_.push_back(r < int(rank_total_s.size()) ? rank_total_s[r] : 0.0);
}

void Recorder::add_epoch(const EpochRecord& row) { epochs_.push_back(row); }

void Recorder::add_evaluation(const EvalRecord& row) { evals_.push_back(row); }

int results_schema_version(const std::string& path) {
  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  h5::quiet_errors();
  if (H5Fis_hdf5(path.c_str()) <= 0) throw std::runtime_error(path + ": not an HDF5 file");
  auto f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open");
  return int(h5::read_int_attr(f, "schema_version").value_or(0));
}

void check_results_file(const std::string& path) {
  if (!fs::exists(path)) return;
  int version = 0;
  try {
    version = results_schema_version(path);
  } catch (const std::exception& e) {
    throw std::invalid_argument("--output " + path + ": exists but is not a results file (" + e.what() + ")");
  }
  if (version == 0) throw std::invalid_argument("--output " + path + ": exists but is not a results file");
  if (version > kSchemaVersion)
    throw std::invalid_argument("--output " + path + ": schema_version " + std::to_string(version) +
                                " is newer than this harness writes (" + std::to_string(kSchemaVersion) + ")");
}

void Recorder::write_into(const std::string& file_path) {
  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  h5::quiet_errors();
  h5::Handle f;
  if (fs::exists(file_path)) {
    f = h5::file(H5Fopen(file_path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), path_ + ": cannot open for writing");
    const auto version = h5::read_int_attr(f, "schema_version");
    if (!version)
      throw std::runtime_error(path_ + ": an HDF5 file without schema_version, not a results file; not touched");
    if (*version > kSchemaVersion)
      throw std::runtime_error(path_ + ": schema_version " + std::to_string(*version) + " is newer than this "
                               "harness writes (" + std::to_string(kSchemaVersion) + "); not touched");
  } else {
    f = h5::file(H5Fcreate(file_path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), path_ + ": cannot create");
    h5::write_attr(f, "schema_version", kSchemaVersion);
    h5::write_attr(f, "producer", "lumibench harness");
  }
  if (!h5::link_exists(f, "/runs")) h5::group(H5Gcreate2(f, "/runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "/runs");
  const std::string run_path = "/runs/" + run_id_;
  const bool exists = h5::link_exists(f, run_path);
  if (!created_ && exists) throw std::runtime_error(path_ + ": run " + run_id_ + " already exists");
  if (created_ && !exists) throw std::runtime_error(path_ + ": run " + run_id_ + " vanished from the file");
  h5::Handle g;
  auto steps_t = step_type();
  auto epochs_t = epoch_type();
  auto evals_t = eval_type();
  if (!exists) {
    g = h5::group(H5Gcreate2(f, run_path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), run_path);
    create_table(g, "steps", steps_t, 1, 1, kStepChunk);
    create_table(g, "epochs", epochs_t, 1, 1, kEpochChunk);
    create_table(g, "evaluations", evals_t, 1, 1, kEpochChunk);
    create_table(g, "rank_step_time_s", H5T_NATIVE_DOUBLE, 2, hsize_t(world_size_), kStepChunk);
  } else {
    g = h5::group(H5Gopen2(f, run_path.c_str(), H5P_DEFAULT), run_path);
  }
  // Every attribute set since the last successful flush (on the first flush: all of them).
  for (const auto& name : dirty_attrs_) {
    std::visit([&](const auto& v) { h5::write_attr(g, name, v); }, attrs_.at(name));
  }
  append_rows(g, "steps", steps_t, steps_.data(), steps_.size(), 1, 1);
  append_rows(g, "epochs", epochs_t, epochs_.data(), epochs_.size(), 1, 1);
  append_rows(g, "evaluations", evals_t, evals_.data(), evals_.size(), 1, 1);
  append_rows(g, "rank_step_time_s", H5T_NATIVE_DOUBLE, rank_times_.data(), steps_.size(), hsize_t(world_size_), 2);
  g.reset();
  h5::check(H5Fflush(f, H5F_SCOPE_GLOBAL), path_ + ": flush failed");
  f.reset();
}

void Recorder::flush() {
  FileLock lock(path_);
  const std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
  try {
    std::error_code ec;
    fs::remove(tmp, ec);
    if (fs::exists(path_)) fs::copy_file(path_, tmp, fs::copy_options::overwrite_existing);
    write_into(tmp);
    fsync_path(tmp, false);
    fs::rename(tmp, path_);
    fsync_path(fs::absolute(path_).parent_path().string(), true);
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw std::runtime_error(std::string(e.what()) + " (" + path_ + " was left as it was)");
  }
  created_ = true;
  steps_written_ += std::int64_t(steps_.size());
  epochs_written_ += std::int64_t(epochs_.size());
  steps_.clear();
  rank_times_.clear();
  epochs_.clear();
  evals_.clear();
  dirty_attrs_.clear();
}

std::string make_run_id() {
  std::time_t t = std::time(nullptr);
  std::tm tm = {};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  std::string id = std::string(stamp) + "-" + host + "-" + std::to_string(::getpid());
  if (const char* job = std::getenv("SLURM_JOB_ID")) id += std::string("-j") + job;
  std::replace(id.begin(), id.end(), '/', '_');
  return id;
}

}  // namespace lb
