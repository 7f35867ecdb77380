#include "common/results_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "common/h5.h"

namespace lb {
namespace fs = std::filesystem;
namespace {

hid_t native(schema::FieldType t) {
  switch (t) {
    case schema::FieldType::I64: return H5T_NATIVE_INT64;
    case schema::FieldType::I32: return H5T_NATIVE_INT32;
    case schema::FieldType::U8: return H5T_NATIVE_UINT8;
    case schema::FieldType::F32: return H5T_NATIVE_FLOAT;
    case schema::FieldType::F64: return H5T_NATIVE_DOUBLE;
    case schema::FieldType::S48: return H5T_C_S1;
  }
  return H5T_NATIVE_DOUBLE;
}

}  // namespace

// Reading an older file with `file_type` leaves the fields it lacks at their defaults.
h5::Handle compound_type(const schema::TableInfo& table, hid_t file_type) {
  auto t = h5::type(H5Tcreate(H5T_COMPOUND, table.row_size), std::string(table.name) + " type");
  for (const auto& f : table.fields) {
    if (file_type >= 0 && H5Tget_member_index(file_type, f.name) < 0) continue;
    if (f.type == schema::FieldType::S48) {
      auto s = h5::type(H5Tcopy(H5T_C_S1), "string field type");
      h5::check(H5Tset_size(s, f.size), "string field size");
      h5::check(H5Tset_strpad(s, H5T_STR_NULLPAD), "string field padding");
      h5::check(H5Tinsert(t, f.name, f.offset, s), std::string("field ") + f.name);
    } else {
      h5::check(H5Tinsert(t, f.name, f.offset, native(f.type)), std::string("field ") + f.name);
    }
  }
  return t;
}

namespace {

void write_table(hid_t group, const char* name, hid_t type, int rank, const hsize_t* dims, const void* data) {
  auto sp = h5::space(H5Screate_simple(rank, dims, nullptr), std::string("space of ") + name);
  auto dcpl = h5::plist(H5Pcreate(H5P_DATASET_CREATE), "dataset properties");
  hsize_t rows = dims[0];
  if (rows > 0) {
    // Chunked and compressed: step tables of long runs shrink several-fold.
    hsize_t chunk[2] = {std::min<hsize_t>(rows, 4096), rank > 1 ? dims[1] : 1};
    h5::check(H5Pset_chunk(dcpl, rank, chunk), "chunking");
    h5::check(H5Pset_deflate(dcpl, 4), "compression");
  }
  auto ds = h5::dataset(H5Dcreate2(group, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT), std::string("dataset ") + name);
  if (rows > 0) h5::check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), std::string("writing ") + name);
}

template <class Row>
void write_rows(hid_t group, const schema::TableInfo& table, const std::vector<Row>& rows) {
  auto t = compound_type(table);
  const hsize_t dims[1] = {rows.size()};
  write_table(group, table.name, t, 1, dims, rows.data());
}

void write_attributes(hid_t group, const schema::RunAttributes& a) {
#define LB_WRITE_ATTR(name, type, group_, doc) \
  if (a.name) h5::write_attr(group, #name, *a.name);
  LB_RUN_ATTRIBUTES(LB_WRITE_ATTR)
#undef LB_WRITE_ATTR
}

// Reads what the file has of each schema attribute, converting between int and float.
void read_attributes(hid_t group, schema::RunAttributes& a) {
  auto read = [&](const char* name, auto& slot) {
    using T = typename std::remove_reference_t<decltype(slot)>::value_type;
    if constexpr (std::is_same_v<T, std::string>) {
      slot = h5::read_string_attr(group, name);
    } else if constexpr (std::is_same_v<T, double>) {
      slot = h5::read_double_attr(group, name);
    } else {
      slot = h5::read_int_attr(group, name);
    }
  };
#define LB_READ_ATTR(name, type, group_, doc) read(#name, a.name);
  LB_RUN_ATTRIBUTES(LB_READ_ATTR)
#undef LB_READ_ATTR
}

template <class Row>
std::vector<Row> read_rows(hid_t group, const schema::TableInfo& table) {
  std::vector<Row> rows;
  if (!h5::link_exists(group, table.name)) return rows;
  auto ds = h5::dataset(H5Dopen2(group, table.name, H5P_DEFAULT), std::string("dataset ") + table.name);
  auto ft = h5::type(H5Dget_type(ds), "type");
  if (H5Tget_class(ft) != H5T_COMPOUND) throw std::runtime_error(std::string(table.name) + " is not a compound table");
  auto sp = h5::space(H5Dget_space(ds), "space");
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  rows.resize(std::size_t(std::max<hssize_t>(0, n)));
  auto mt = compound_type(table, ft);
  if (!rows.empty()) h5::check(H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), std::string("reading ") + table.name);
  return rows;
}

// An exclusive advisory lock on `<file>.lock`, held for one transaction.
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error(path + ".lock: cannot create the lock file: " + std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) throw std::runtime_error(path + ".lock: cannot lock: " + std::strerror(errno));
    }
  }
  ~FileLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

void fsync_path(const std::string& path, bool directory) {
  const int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return;
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0 && !directory) throw std::runtime_error(path + ": fsync failed: " + std::strerror(saved));
}

// Writes the run into an open file; false when it is already there.
bool write_run(hid_t f, const std::string& shown_path, const RunData& run) {
  if (!h5::link_exists(f, "/runs")) h5::group(H5Gcreate2(f, "/runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), "/runs");
  const std::string run_path = "/runs/" + run.run_id;
  if (h5::link_exists(f, run_path)) return false;
  auto g = h5::group(H5Gcreate2(f, run_path.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), shown_path + ": " + run_path);
  write_attributes(g, run.attrs);
  write_rows(g, schema::steps_table(), run.steps);
  write_rows(g, schema::epochs_table(), run.epochs);
  write_rows(g, schema::evaluations_table(), run.evaluations);
  if (!run.allreduce_sweep.empty()) write_rows(g, schema::allreduce_sweep_table(), run.allreduce_sweep);
  if (!run.energy.empty()) write_rows(g, schema::energy_table(), run.energy);
  const hsize_t dims[2] = {run.steps.size(), hsize_t(run.world_size)};
  std::vector<double> ranks = run.rank_step_time_s;
  ranks.resize(run.steps.size() * std::size_t(run.world_size), std::nan(""));
  write_table(g, schema::kRankStepTimeTable, H5T_NATIVE_DOUBLE, 2, dims, ranks.data());
  return true;
}

}  // namespace

int results_schema_version(const std::string& path) {
  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  h5::quiet_errors();
  if (H5Fis_hdf5(path.c_str()) <= 0) throw std::runtime_error(path + ": not an HDF5 file");
  auto f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open");
  return int(h5::read_int_attr(f, "schema_version").value_or(0));
}

bool add_run_to_results_file(const std::string& path, const RunData& run) {
  FileLock lock(path);
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  bool added = false;
  try {
    std::error_code ec;
    fs::remove(tmp, ec);
    const bool exists = fs::exists(path);
    if (exists) fs::copy_file(path, tmp, fs::copy_options::overwrite_existing);
    {
      std::lock_guard<std::mutex> h5lock(h5::hdf5_mutex());
      h5::quiet_errors();
      h5::Handle f;
      if (exists) {
        f = h5::file(H5Fopen(tmp.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), path + ": cannot open for writing");
        const auto version = h5::read_int_attr(f, "schema_version");
        if (!version || *version < 1)
          throw std::runtime_error(path + ": an HDF5 file without a valid schema_version, not a results file; not touched");
        if (*version > schema::kVersion)
          throw std::runtime_error(path + ": schema_version " + std::to_string(*version) + " is newer than this program "
                                   "writes (" + std::to_string(schema::kVersion) + "); not touched");
        if (*version < schema::kVersion) h5::write_attr(f, "schema_version", std::int64_t(schema::kVersion));
      } else {
        f = h5::file(H5Fcreate(tmp.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT), path + ": cannot create");
        h5::write_attr(f, "schema_version", std::int64_t(schema::kVersion));
        h5::write_attr(f, "producer", "lumibench harness");
      }
      added = write_run(f, path, run);
      h5::check(H5Fflush(f, H5F_SCOPE_GLOBAL), path + ": flush failed");
    }
    if (!added) {
      fs::remove(tmp, ec);
      return false;
    }
    fsync_path(tmp, false);
    fs::rename(tmp, path);
    fsync_path(fs::absolute(path).parent_path().string(), true);
  } catch (const fs::filesystem_error& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw std::runtime_error(path + ": " + e.code().message() + " (the file was left as it was)");
  } catch (const std::exception& e) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw std::runtime_error(std::string(e.what()) + " (the file was left as it was)");
  }
  return added;
}

std::vector<std::string> run_ids(const std::string& path) {
  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  h5::quiet_errors();
  auto f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open");
  std::vector<std::string> ids;
  if (!h5::link_exists(f, "/runs")) return ids;
  auto g = h5::group(H5Gopen2(f, "/runs", H5P_DEFAULT), path + ": /runs");
  hsize_t n = 0;
  H5Gget_num_objs(g, &n);
  for (hsize_t i = 0; i < n; ++i) {
    char name[1024] = {};
    if (H5Gget_objname_by_idx(g, i, name, sizeof name - 1) > 0) ids.emplace_back(name);
  }
  return ids;
}

RunData read_run(const std::string& path, const std::string& run_id) {
  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  h5::quiet_errors();
  auto f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path + ": cannot open");
  const std::string run_path = "/runs/" + run_id;
  auto g = h5::group(H5Gopen2(f, run_path.c_str(), H5P_DEFAULT), path + ": no run " + run_id);
  RunData run;
  run.run_id = run_id;
  read_attributes(g, run.attrs);
  run.steps = read_rows<schema::StepRecord>(g, schema::steps_table());
  run.epochs = read_rows<schema::EpochRecord>(g, schema::epochs_table());
  run.evaluations = read_rows<schema::EvaluationRecord>(g, schema::evaluations_table());
  run.allreduce_sweep = read_rows<schema::AllreduceSweepRecord>(g, schema::allreduce_sweep_table());
  run.energy = read_rows<schema::EnergyRecord>(g, schema::energy_table());
  if (h5::link_exists(g, schema::kRankStepTimeTable)) {
    auto ds = h5::dataset(H5Dopen2(g, schema::kRankStepTimeTable, H5P_DEFAULT), "rank_step_time_s");
    auto sp = h5::space(H5Dget_space(ds), "space");
    hsize_t dims[2] = {0, 0};
    if (H5Sget_simple_extent_ndims(sp) == 2) {
      H5Sget_simple_extent_dims(sp, dims, nullptr);
      run.world_size = int(dims[1]);
      run.rank_step_time_s.resize(dims[0] * dims[1]);
      if (!run.rank_step_time_s.empty())
        h5::check(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, run.rank_step_time_s.data()), "reading rank_step_time_s");
    }
  }
  return run;
}

namespace {

// True when the journal has not one whole line: its writer died between creating it and finishing
// the header (JournalWriter creates, locks, then appends the header), so it holds nothing to recover.
bool has_no_whole_line(const std::string& journal) {
  std::ifstream in(journal, std::ios::binary);
  std::string first;
  std::getline(in, first);
  return !in || in.eof();
}

}  // namespace

std::vector<std::string> recover_orphaned_journals(const std::string& results_path) {
  std::vector<std::string> notes;
  for (const auto& journal : journals_of(results_path)) {
    JournalReadResult read;
    WriterState writer;
    try {
      read = read_journal(journal);
      writer = journal_writer_state(journal, read, double(std::time(nullptr)));
    } catch (const std::exception& e) {
      // Unreadable: named when its writer is gone (the lock is free), left alone otherwise; removed
      // when it never got a whole line, or it would be named again by every later run.
      if (!journal_is_orphaned(journal)) continue;
      std::error_code ec;
      if (has_no_whole_line(journal) && fs::remove(journal, ec))
        notes.push_back(journal + ": removed: its writer ended before the journal's first line was whole "
                                  "(killed as it started); nothing to recover");
      else
        notes.push_back(journal + ": not recovered: " + e.what());
      continue;
    }
    if (!writer.gone) continue;
    try {
      RunData& run = read.run;
      if (!run.attrs.status || *run.attrs.status == "running") {
        run.attrs.status = "crashed";
        run.attrs.error = "the process ended without recording an outcome (killed by a signal, a node failure or "
                          "the time limit): " + writer.reason + "; recovered from its journal with the " +
                          std::to_string(run.steps.size()) + " steps it flushed";
      }
      const bool added = add_run_to_results_file(results_path, run);
      std::error_code ec;
      fs::remove(journal, ec);
      notes.push_back(journal + ": " + (added ? "recovered run " : "already in the results file: run ") + run.run_id +
                      " (" + std::to_string(run.steps.size()) + " steps, status " + *run.attrs.status + ")");
    } catch (const std::exception& e) {
      notes.push_back(journal + ": not recovered: " + e.what());
    }
  }
  std::error_code ec;
  fs::remove(journal_dir(results_path), ec);  // only when empty
  return notes;
}

}  // namespace lb
