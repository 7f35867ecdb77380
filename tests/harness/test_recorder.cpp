// The recorder: rows queue without I/O, flushes append to the run's journal, finish() folds the
// journal into the results file once, a failed fold leaves file and journal as they were, and a
// journal left by a dead process is recovered by the next run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/h5.h"
#include "common/results_file.h"
#include "common/run_journal.h"
#include "harness/record/recorder.h"

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

schema::StepRecord step_row(std::int64_t i) {
  schema::StepRecord r;
  r.step = i;
  r.epoch = int(i / 10);
  r.step_in_epoch = int(i % 10);
  r.samples = 32;
  r.total_s = 0.5 + double(i);
  r.loss = float(5.0 - 0.01 * double(i));
  r.lr = 1e-3;
  return r;
}

schema::RunAttributes status(const std::string& s) {
  schema::RunAttributes a;
  a.status = s;
  return a;
}

TEST(Recorder, RoundTripThroughJournalAndFold) {
  const auto dir = temp_dir("roundtrip");
  const auto path = (dir / "results.h5").string();
  Recorder r(path, "run-a", 2);
  schema::RunAttributes a = status("running");
  a.batch_size = 32;
  a.lr = 1e-3;
  r.set(a);
  r.flush();
  EXPECT_TRUE(fs::exists(r.journal_path()));
  EXPECT_FALSE(fs::exists(path)) << "nothing is folded before the run ends";
  for (int i = 0; i < 15; ++i) r.add_step(step_row(i), {0.5 + i, 0.6 + i});
  schema::EpochRecord e;
  e.epoch = 0;
  e.val_top1 = 0.25;
  r.add_epoch(e);
  r.set(status("completed"));
  r.request_flush();
  for (int i = 15; i < 20; ++i) r.add_step(step_row(i), {1, 2});
  r.finish();
  EXPECT_FALSE(fs::exists(r.journal_path()));
  EXPECT_EQ(r.steps_written(), 20);

  EXPECT_EQ(results_schema_version(path), schema::kVersion);
  const RunData back = read_run(path, "run-a");
  EXPECT_EQ(back.attrs.status, "completed");
  EXPECT_EQ(back.attrs.batch_size, 32);
  EXPECT_DOUBLE_EQ(back.attrs.lr.value_or(0), 1e-3);
  ASSERT_EQ(back.steps.size(), 20u);
  EXPECT_EQ(back.steps[13].step, 13);
  EXPECT_EQ(back.steps[13].epoch, 1);
  EXPECT_DOUBLE_EQ(back.steps[13].total_s, 13.5);
  EXPECT_FLOAT_EQ(back.steps[13].loss, float(5.0 - 0.13));
  ASSERT_EQ(back.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(back.epochs[0].val_top1, 0.25);
  ASSERT_EQ(back.world_size, 2);
  EXPECT_DOUBLE_EQ(back.rank_step_time_s[3 * 2 + 1], 3.6);
  fs::remove_all(dir);
}

TEST(Recorder, AnotherRunLeavesTheFirstUntouched) {
  const auto dir = temp_dir("two");
  const auto path = (dir / "results.h5").string();
  {
    Recorder a(path, "run-a", 1);
    a.set(status("completed"));
    for (int i = 0; i < 5; ++i) a.add_step(step_row(i), {1});
    a.finish();
  }
  const RunData first = read_run(path, "run-a");
  {
    Recorder b(path, "run-b", 1);
    b.set(status("completed"));
    b.add_step(step_row(0), {1});
    b.finish();
  }
  EXPECT_EQ(run_ids(path).size(), 2u);
  const RunData again = read_run(path, "run-a");
  EXPECT_EQ(again.steps.size(), first.steps.size());
  EXPECT_EQ(again.attrs.status, "completed");
  EXPECT_EQ(read_run(path, "run-b").steps.size(), 1u);
  fs::remove_all(dir);
}

TEST(Recorder, NewerSchemaIsRefusedTheFileUntouchedAndTheJournalKept) {
  const auto dir = temp_dir("newer");
  const auto path = (dir / "results.h5").string();
  {
    std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
    auto f = h5::file(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), path);
    h5::write_attr(f, "schema_version", std::int64_t(99));
  }
  const auto before = slurp(path);
  EXPECT_EQ(results_schema_version(path), 99);
  EXPECT_THROW(check_results_file(path), std::invalid_argument);
  Recorder r(path, "run-a", 1);
  r.add_step(step_row(0), {1});
  try {
    r.finish();
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("schema_version 99 is newer"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("is kept in"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(path), before);
  EXPECT_TRUE(fs::exists(r.journal_path()));
  fs::remove_all(dir);
}

TEST(Recorder, FailedFoldLeavesTheFileAsItWasAndTheRunInItsJournal) {
  const auto dir = temp_dir("failed");
  const auto path = (dir / "results.h5").string();
  {
    Recorder first(path, "run-0", 1);
    first.add_step(step_row(0), {1});
    first.finish();
  }
  const auto before = slurp(path);
  // Block the transaction's temporary file with a non-empty folder of the same name, as a full
  // disk or a vanished mount would make the copy fail.
  const auto blocker = dir / ("results.h5.tmp." + std::to_string(::getpid()));
  fs::create_directories(blocker / "x");
  std::string journal;
  {
    Recorder r(path, "run-a", 1);
    journal = r.journal_path();
    r.add_step(step_row(0), {1});
    r.add_step(step_row(1), {1});
    try {
      r.finish();
      FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("was left as it was"), std::string::npos) << e.what();
    }
    EXPECT_EQ(slurp(path), before);
  }
  fs::remove_all(blocker);
  // The writer is gone: the next harness recovers the run from its journal.
  const auto notes = recover_orphaned_journals(path);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("recovered run run-a"), std::string::npos) << notes[0];
  EXPECT_EQ(read_run(path, "run-a").steps.size(), 2u);
  EXPECT_EQ(read_run(path, "run-a").attrs.status, "crashed");
  EXPECT_FALSE(fs::exists(journal));
  fs::remove_all(dir);
}

// A writer killed between creating its journal and finishing the header leaves a file without one
// whole line, empty or cut short: nothing to recover, so the next run removes it (once, saying so)
// instead of naming it again every time. A journal with a whole but foreign first line stays.
TEST(Recorder, AnOrphanedJournalWithoutItsHeaderIsRemoved) {
  const auto dir = temp_dir("headerless");
  const auto path = (dir / "results.h5").string();
  fs::create_directories(journal_dir(path));
  const auto empty = journal_dir(path) + "/empty.jsonl", cut = journal_dir(path) + "/cut.jsonl",
             foreign = journal_dir(path) + "/foreign.jsonl";
  std::ofstream(empty).flush();
  std::ofstream(cut) << R"({"journal": "lumibench run", "schema_ver)";
  std::ofstream(foreign) << "{\"something\": \"else\"}\n";
  auto notes = recover_orphaned_journals(path);
  std::sort(notes.begin(), notes.end());
  ASSERT_EQ(notes.size(), 3u);
  EXPECT_NE(notes[0].find("cut.jsonl: removed: its writer ended before"), std::string::npos) << notes[0];
  EXPECT_NE(notes[1].find("empty.jsonl: removed"), std::string::npos) << notes[1];
  EXPECT_NE(notes[2].find("foreign.jsonl: not recovered: "), std::string::npos) << notes[2];
  EXPECT_FALSE(fs::exists(empty));
  EXPECT_FALSE(fs::exists(cut));
  EXPECT_TRUE(fs::exists(foreign));
  EXPECT_EQ(recover_orphaned_journals(path).size(), 1u) << "the foreign one is named again, the others are gone";
  fs::remove_all(dir);
}

TEST(Recorder, LiveJournalsAreNotRecovered) {
  const auto dir = temp_dir("live");
  const auto path = (dir / "results.h5").string();
  Recorder r(path, "run-live", 1);
  r.add_step(step_row(0), {1});
  r.flush();
  EXPECT_TRUE(recover_orphaned_journals(path).empty());
  EXPECT_TRUE(fs::exists(r.journal_path()));
  r.finish();
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
