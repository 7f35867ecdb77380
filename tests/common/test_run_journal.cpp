// The run journal: what is appended reads back, a line cut short by a kill is ignored, later
// attributes override earlier ones, non-finite values survive as NaN, and locks tell live
// journals from orphans.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>
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

// A journal written on another host: its lock and pid say nothing here, its silence does. Gone
// when silent for more than kSilentFlushGaps times its longest gap between flushes (at least
// kMinSilenceS); with no flush after its header, after kSilenceBeforeCadenceS.
TEST(RunJournal, AWriterOnAnotherHostIsGoneWhenSilentPastItsCadence) {
  const auto dir = temp_dir("remote");
  const auto path = (dir / "run.jsonl").string();
  const double now = double(std::time(nullptr));
  {
    std::ofstream f(path);
    f << "{\"journal\": \"lumibench run\", \"schema_version\": 3, \"run_id\": \"r\", \"world_size\": 8, "
         "\"host\": \"nid-elsewhere-\", \"pid\": 12}\n";
    // Flushes 10 s apart, one 60 s gap (a validation pass), the last one now.
    for (double t : {now - 80, now - 70, now - 60, now}) f << "{\"flush\": {\"unix_s\": " << std::fixed << t << "}}\n";
  }
  const auto r = read_journal(path);
  ASSERT_EQ(r.writer.host, "nid-elsewhere-");
  EXPECT_EQ(r.writer.pid, 12);
  ASSERT_EQ(r.writer.flush_unix_s.size(), 4u);
  EXPECT_TRUE(r.problems.empty());
  const double allowed = std::max(kSilentFlushGaps * 60, kMinSilenceS);
  EXPECT_FALSE(journal_writer_state(path, r, now + allowed - 5).gone) << "silent, but within its cadence";
  const WriterState late = journal_writer_state(path, r, now + allowed + 5);
  EXPECT_TRUE(late.gone);
  EXPECT_NE(late.reason.find("nid-elsewhere-"), std::string::npos) << late.reason;

  std::ofstream(path) << "{\"journal\": \"lumibench run\", \"schema_version\": 3, \"run_id\": \"r\", "
                         "\"host\": \"nid-elsewhere-\", \"pid\": 12}\n{\"flush\": {\"unix_s\": "
                      << std::fixed << now << "}}\n";
  const auto header_only = read_journal(path);
  EXPECT_FALSE(journal_writer_state(path, header_only, now + kSilenceBeforeCadenceS - 5).gone)
      << "no cadence yet: setup may take long";
  EXPECT_TRUE(journal_writer_state(path, header_only, now + kSilenceBeforeCadenceS + 5).gone);
  fs::remove_all(dir);
}

// On the writer's own host the lock decides at once: the journal of a closed (killed) writer is
// gone, whatever its silence, and the header names the writer.
TEST(RunJournal, AWriterOnThisHostIsGoneWhenItsLockIsFree) {
  const auto dir = temp_dir("local");
  const auto path = (dir / "run.jsonl").string();
  const double now = double(std::time(nullptr));
  {
    JournalWriter w(path, "run-1", 1);
    const auto r = read_journal(path);
    EXPECT_EQ(r.writer.host, this_host());
    EXPECT_EQ(r.writer.pid, std::int64_t(::getpid()));
    EXPECT_EQ(r.writer.flush_unix_s.size(), 1u) << "the header's own flush";
    EXPECT_FALSE(journal_writer_state(path, r, now + 1e6).gone) << "alive, however long it has been silent";
  }
  const WriterState s = journal_writer_state(path, read_journal(path), now);
  EXPECT_TRUE(s.gone);
  EXPECT_NE(s.reason.find("lock"), std::string::npos) << s.reason;
  fs::remove_all(dir);
}

// A FIFO or a device named like a journal is refused before anything is read (reading would
// block, or never end).
TEST(RunJournal, AFifoIsRefusedWithoutBlocking) {
  const auto dir = temp_dir("fifo");
  const auto path = (dir / "run.jsonl").string();
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  try {
    read_journal(path);
    ADD_FAILURE() << "a FIFO was read as a journal";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("not a regular file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(read_journal("/dev/zero"), std::runtime_error);
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
