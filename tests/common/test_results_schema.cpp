// The schema's own consistency: unique names, tables whose HDF5 layout covers every byte of the
// row structs, and types that round-trip through an HDF5 file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "common/results_file.h"
#include "common/results_schema.h"

namespace lb {
namespace {
namespace fs = std::filesystem;

TEST(ResultsSchema, NamesAreUnique) {
  std::set<std::string> names;
  for (const auto& a : schema::run_attributes()) EXPECT_TRUE(names.insert(a.name).second) << a.name;
  for (const auto* t : schema::compound_tables()) {
    std::set<std::string> fields;
    for (const auto& f : t->fields) EXPECT_TRUE(fields.insert(f.name).second) << t->name << "." << f.name;
  }
}

TEST(ResultsSchema, EveryAttributeIsDocumentedAndGrouped) {
  for (const auto& a : schema::run_attributes()) {
    EXPECT_NE(std::string(a.group), "") << a.name;
    EXPECT_NE(schema::markdown_tables().find(std::string("`") + a.name + "`"), std::string::npos) << a.name;
  }
}

TEST(ResultsSchema, FieldsLieInsideTheirRows) {
  for (const auto* t : schema::compound_tables()) {
    for (const auto& f : t->fields) EXPECT_LE(f.offset + f.size, t->row_size) << t->name << "." << f.name;
  }
}

TEST(ResultsSchema, FixedTextTruncatesAndReadsBack) {
  schema::S48 s(std::string(100, 'x'));
  EXPECT_EQ(s.str().size(), 47u);
  s.assign("rapl:package-0");
  EXPECT_EQ(s.str(), "rapl:package-0");
}

TEST(ResultsSchema, EveryFieldAndAttributeRoundTripsThroughHdf5) {
  const auto dir = fs::temp_directory_path() / ("lb_schema_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto path = (dir / "r.h5").string();
  RunData run;
  run.run_id = "run-x";
  run.world_size = 3;
  // Every attribute set, so a type that does not survive the file shows up.
#define LB_SET(name, type, group, doc) run.attrs.name = schema::type{};
  LB_RUN_ATTRIBUTES(LB_SET)
#undef LB_SET
  run.attrs.status = "completed";
  run.attrs.lr = 0.125;
  run.attrs.batch_size = 1LL << 40;
  schema::StepRecord s;
  s.step = 7;
  s.loss = 1.5f;
  s.warmup = 1;
  s.total_s = 0.25;
  run.steps = {s, s};
  run.rank_step_time_s = {1, 2, 3, 4, 5, 6};
  run.epochs.emplace_back().val_top1 = 0.5;
  run.evaluations.emplace_back().step = 9;
  run.allreduce_sweep.push_back({4096, 1e-4, 5, 3});
  schema::EnergyRecord e;
  e.epoch = -1;
  e.counter.assign("cray_pm:accel0");
  e.joules = 12.5;
  run.energy = {e};
  ASSERT_TRUE(add_run_to_results_file(path, run));
  EXPECT_FALSE(add_run_to_results_file(path, run)) << "a run is added once";
  const RunData back = read_run(path, "run-x");
#define LB_CHECK(name, type, group, doc) EXPECT_EQ(back.attrs.name, run.attrs.name) << #name;
  LB_RUN_ATTRIBUTES(LB_CHECK)
#undef LB_CHECK
  ASSERT_EQ(back.steps.size(), 2u);
  EXPECT_EQ(back.steps[1].step, 7);
  EXPECT_EQ(back.steps[1].warmup, 1);
  EXPECT_FLOAT_EQ(back.steps[1].loss, 1.5f);
  EXPECT_EQ(back.rank_step_time_s, run.rank_step_time_s);
  EXPECT_DOUBLE_EQ(back.epochs.at(0).val_top1, 0.5);
  EXPECT_EQ(back.evaluations.at(0).step, 9);
  EXPECT_EQ(back.allreduce_sweep.at(0).bytes, 4096);
  EXPECT_EQ(back.energy.at(0).counter.str(), "cray_pm:accel0");
  EXPECT_DOUBLE_EQ(back.energy.at(0).joules, 12.5);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lb
