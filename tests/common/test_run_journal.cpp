// The run journal: what is appended reads back, a line cut short by a kill is ignored, later
// attributes override earlier ones, non-finite values survive as NaN, and locks tell live
// journals from orphans.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>

#include "common/run_journal.h"

namespace lb {
namespace {
namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  auto d = fs::temp_directory_path() / ("lb_journal_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

TEST(RunJournal, AppendedRecordsReadBack) {
  const auto dir = temp_dir("roundtrip");
  const auto path = (dir / "run.jsonl").string();
  {
    JournalWriter w(path, "run-1", 2);
    schema::RunAttributes a;
    a.status = "running";
    a.batch_size = 8;
    schema::StepRecord s;
    s.step = 3;
    s.loss = std::numeric_limits<float>::quiet_NaN();
    s.total_s = 0.5;
    schema::EpochRecord e;
    e.val_top1 = 0.75;
    e.val_loss = std::numeric_limits<double>::infinity();
    w.append(JournalWriter::line(a) + "\n" + JournalWriter::line(s, {0.5, 0.6}) + "\n" + JournalWriter::line(e) + "\n");
    a.status = "completed";
    a.batch_size.reset();
    w.append(JournalWriter::line(a) + "\n");
  }
  const auto r = read_journal(path);
  EXPECT_FALSE(r.truncated_tail);
  EXPECT_TRUE(r.problems.empty());
  EXPECT_EQ(r.run.run_id, "run-1");
  EXPECT_EQ(r.run.world_size, 2);
  EXPECT_EQ(r.run.attrs.status, "completed");
  EXPECT_EQ(r.run.attrs.batch_size, 8) << "a later attrs line overrides only what it sets";
  ASSERT_EQ(r.run.steps.size(), 1u);
  EXPECT_EQ(r.run.steps[0].step, 3);
  EXPECT_TRUE(std::isnan(r.run.steps[0].loss));
  EXPECT_EQ(r.run.rank_step_time_s, (std::vector<double>{0.5, 0.6}));
  ASSERT_EQ(r.run.epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(r.run.epochs[0].val_top1, 0.75);
  EXPECT_TRUE(std::isnan(r.run.epochs[0].val_loss)) << "non-finite values are read as NaN";
  fs::remove_all(dir);
}

TEST(RunJournal, ALineCutShortIsIgnored) {
  const auto dir = temp_dir("torn");
  const auto path = (dir / "run.jsonl").string();
  {
    JournalWriter w(path, "run-1", 1);
    schema::StepRecord s;
    w.append(JournalWriter::line(s, {1.0}) + "\n");
  }
  std::ofstream(path, std::ios::app) << "{\"step\": {\"step\": 4, \"tot";  // killed mid-write
  const auto r = read_journal(path);
  EXPECT_TRUE(r.truncated_tail);
  EXPECT_EQ(r.run.steps.size(), 1u);
  fs::remove_all(dir);
}

TEST(RunJournal, BadLinesAreReportedAndSkipped) {
  const auto dir = temp_dir("bad");
  const auto path = (dir / "run.jsonl").string();
  { JournalWriter w(path, "run-1", 1); }
  std::ofstream(path, std::ios::app) << "not json\n{\"step\": {\"epoch\": 1e30}}\n{\"mystery\": 1}\n";
  const auto r = read_journal(path);
  EXPECT_EQ(r.problems.size(), 3u);
  EXPECT_TRUE(r.run.steps.empty());
  fs::remove_all(dir);
}

TEST(RunJournal, ForeignFilesAreRefused) {
  const auto dir = temp_dir("foreign");
  const auto path = (dir / "x.jsonl").string();
  std::ofstream(path) << "{\"hello\": 1}\n";
  EXPECT_THROW(read_journal(path), std::runtime_error);
  std::ofstream(path) << "{\"journal\": \"lumibench run\", \"schema_version\": 99, \"run_id\": \"a\"}\n";
  EXPECT_THROW(read_journal(path), std::runtime_error);
  EXPECT_THROW(read_journal((dir / "missing.jsonl").string()), std::runtime_error);
  fs::remove_all(dir);
}

TEST(RunJournal, LockTellsLiveFromOrphaned) {
  const auto dir = temp_dir("lock");
  const auto path = (dir / "run.jsonl").string();
  {
    JournalWriter w(path, "run-1", 1);
    EXPECT_FALSE(journal_is_orphaned(path));
    EXPECT_THROW(JournalWriter(path, "run-1", 1), std::runtime_error) << "one writer per journal";
  }
  EXPECT_TRUE(journal_is_orphaned(path));
  fs::remove_all(dir);
}

TEST(RunJournal, JournalsOfAResultsFileAreFound) {
  const auto dir = temp_dir("find");
  const auto results = (dir / "results.h5").string();
  EXPECT_TRUE(journals_of(results).empty());
  fs::create_directories(journal_dir(results));
  { JournalWriter w(journal_dir(results) + "/b.jsonl", "b", 1); }
  { JournalWriter w(journal_dir(results) + "/a.jsonl", "a", 1); }
  std::ofstream(journal_dir(results) + "/notes.txt") << "x";
  const auto found = journals_of(results);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_NE(found[0].find("a.jsonl"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lb
