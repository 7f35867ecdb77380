// The recorder: what is written reads back (HDF5 C API, as any reader would), flushes are
// transactions, runs never touch each other, newer schemas are refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "record/h5.h"
#include "record/recorder.h"

namespace lb {
namespace {
namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("lb_recorder_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

StepRecord step_row(std::int64_t i) {
  StepRecord r;
  r.step = i;
  r.epoch = int(i / 10);
  r.step_in_epoch = int(i % 10);
  r.samples = 32;
  r.total_s = 0.5 + double(i);
  r.loss = float(5.0 - 0.01 * double(i));
  r.lr = 1e-3;
  return r;
}

std::int64_t rows(hid_t file, const std::string& path) {
  auto ds = h5::dataset(H5Dopen2(file, path.c_str(), H5P_DEFAULT), path);
  auto sp = h5::space(H5Dget_space(ds), path);
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(sp, dims, nullptr);
  return std::int64_t(dims[0]);
}

TEST(Recorder, RoundTripAcrossFlushes) {
  const auto dir = temp_dir("roundtrip");
  const auto path = (dir / "results.h5").string();
  Recorder r(path, "run-a", 2);
  r.set("status", "running");
  r.set("batch_size", 32);
  r.set("lr", 1e-3);
  r.flush();
  for (int i = 0; i < 15; ++i) r.add_step(step_row(i), {0.5 + i, 0.6 + i});
  EpochRecord e;
  e.epoch = 0;
  e.val_top1 = 0.25;
  r.add_epoch(e);
  r.set("status", "completed");
  r.flush();
  for (int i = 15; i < 20; ++i) r.add_step(step_row(i), {1, 2});
  r.flush();

  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  auto f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path);
  EXPECT_EQ(h5::read_int_attr(f, "schema_version"), kSchemaVersion);
  auto g = h5::group(H5Gopen2(f, "/runs/run-a", H5P_DEFAULT), "run");
  EXPECT_EQ(h5::read_string_attr(g, "status"), "completed");
  EXPECT_EQ(h5::read_int_attr(g, "batch_size"), 32);
  {
    auto a = h5::attr(H5Aopen(g, "lr", H5P_DEFAULT), "lr");
    auto t = h5::type(H5Aget_type(a), "type");
    EXPECT_EQ(H5Tget_class(t), H5T_FLOAT);  // a double stays a double
    double lr = 0;
    H5Aread(a, H5T_NATIVE_DOUBLE, &lr);
    EXPECT_DOUBLE_EQ(lr, 1e-3);
  }
  EXPECT_EQ(rows(f, "/runs/run-a/steps"), 20);
  EXPECT_EQ(rows(f, "/runs/run-a/epochs"), 1);
  EXPECT_EQ(rows(f, "/runs/run-a/rank_step_time_s"), 20);
  // Row contents: the 13th step's fields, and the second rank's time of step 3.
  auto ds = h5::dataset(H5Dopen2(f, "/runs/run-a/steps", H5P_DEFAULT), "steps");
  std::vector<StepRecord> back(20);
  auto t = h5::type(H5Dget_type(ds), "type");
  ASSERT_GE(H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()), 0);
  EXPECT_EQ(back[13].step, 13);
  EXPECT_EQ(back[13].epoch, 1);
  EXPECT_DOUBLE_EQ(back[13].total_s, 13.5);
  EXPECT_FLOAT_EQ(back[13].loss, float(5.0 - 0.13));
  auto rt = h5::dataset(H5Dopen2(f, "/runs/run-a/rank_step_time_s", H5P_DEFAULT), "ranks");
  std::vector<double> times(40);
  ASSERT_GE(H5Dread(rt, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, times.data()), 0);
  EXPECT_DOUBLE_EQ(times[3 * 2 + 1], 3.6);
  fs::remove_all(dir);
}

TEST(Recorder, AnotherRunLeavesTheFirstByteForByteInItsGroup) {
  const auto dir = temp_dir("two");
  const auto path = (dir / "results.h5").string();
  Recorder a(path, "run-a", 1);
  a.set("status", "completed");
  for (int i = 0; i < 5; ++i) a.add_step(step_row(i), {1});
  a.flush();
  Recorder b(path, "run-b", 1);
  b.set("status", "running");
  b.add_step(step_row(0), {1});
  b.flush();
  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  auto f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path);
  EXPECT_EQ(rows(f, "/runs/run-a/steps"), 5);
  EXPECT_EQ(rows(f, "/runs/run-b/steps"), 1);
  auto g = h5::group(H5Gopen2(f, "/runs/run-a", H5P_DEFAULT), "run");
  EXPECT_EQ(h5::read_string_attr(g, "status"), "completed");
  fs::remove_all(dir);
}

TEST(Recorder, NewerSchemaIsRefusedAndTheFileUntouched) {
  const auto dir = temp_dir("newer");
  const auto path = (dir / "results.h5").string();
  {
    std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
    auto f = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path);
    h5::write_attr(f, "schema_version", 99);
  }
  const auto before = slurp(path);
  EXPECT_EQ(results_schema_version(path), 99);
  Recorder r(path, "run-a", 1);
  try {
    r.flush();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema_version 99 is newer"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(path), before);
  fs::remove_all(dir);
}

TEST(Recorder, FailedWriteLeavesTheFileAsItWasAndKeepsTheRows) {
  const auto dir = temp_dir("failed");
  const auto path = (dir / "results.h5").string();
  Recorder r(path, "run-a", 1);
  r.add_step(step_row(0), {1});
  r.flush();
  const auto before = slurp(path);
  // Block the transaction's temporary file with a non-empty folder of the same name, as a full
  // disk or a vanished mount would make the copy fail.
  const auto blocker = dir / ("results.h5.tmp." + std::to_string(::getpid()));
  fs::create_directories(blocker / "x");
  r.add_step(step_row(1), {1});
  try {
    r.flush();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("was left as it was"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(path), before);
  fs::remove_all(blocker);
  r.flush();  // the staged row is written once the obstacle is gone
  std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
  auto f = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path);
  EXPECT_EQ(rows(f, "/runs/run-a/steps"), 2);
  fs::remove_all(dir);
}

TEST(Recorder, MissingFolderIsNamed) {
  try {
    Recorder r("/nonexistent-folder-lb/results.h5", "x", 1);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
  }
}

}  // namespace
}  // namespace lb
