// Reading results files written to docs/hdf5-schema.md, and refusing what is not one.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>

#include "analysis/results_reader.h"
#include "support/results_writer.h"
#include "support/run_builder.h"
#include "support/temp_dir.h"

using namespace lb::analysis;
using namespace lb::testing;

TEST(ResultsReader, ReadsSettingsStepsEpochsAndRankTimes) {
  TempDir dir;
  RunShape shape;
  shape.run_id = "20261124T070000Z-nid005000-42-j123";
  shape.device = "rocm";
  shape.nodes = 2;
  shape.world_size = 16;
  shape.gpus = 16;
  shape.threads = 7;
  shape.batch_size = 32;
  shape.epochs = 2;
  shape.subset_fraction = 0.1;
  shape.straggler = 0.25;
  shape.pretrained = true;
  const std::string path = dir.file("results.h5");
  write_results_file(path, {build_run(shape)});

  const FileReadResult r = read_results_file(path);
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(r.runs.size(), 1u);
  const RunRecord& run = r.runs[0];
  EXPECT_EQ(run.run_id, shape.run_id);
  EXPECT_EQ(run.source_path, path);
  EXPECT_EQ(run.origin, Origin::Measured);
  EXPECT_EQ(run.status, RunStatus::Completed);
  const RunSettings& s = run.settings;
  EXPECT_EQ(s.model, "vit_b_16");
  EXPECT_EQ(s.device, "gpu");
  EXPECT_EQ(s.device_model, "AMD MI250X (GCD)");
  EXPECT_EQ(s.nodes, 2);
  EXPECT_EQ(s.ranks, 16);
  EXPECT_EQ(s.gpus, 16);
  EXPECT_EQ(s.threads, 7);
  EXPECT_EQ(s.precision, "fp32");
  EXPECT_EQ(s.batch_size, 32);
  EXPECT_EQ(s.global_batch_size, 512);
  EXPECT_EQ(s.dataset, "tiny-imagenet");
  EXPECT_EQ(s.synthetic, false);
  EXPECT_EQ(s.full_train_samples, 80000);
  EXPECT_EQ(s.full_val_samples, 20000);
  EXPECT_EQ(s.train_samples, 8000);
  EXPECT_EQ(s.val_samples, 2000);
  EXPECT_DOUBLE_EQ(*s.subset_fraction, 0.1);
  EXPECT_EQ(s.epochs, 2);
  EXPECT_EQ(s.optimizer, "adamw");
  EXPECT_DOUBLE_EQ(*s.lr, 1e-3);
  EXPECT_EQ(s.pretrained, true);
  EXPECT_TRUE(run.is_subset());

  const size_t steps_per_epoch = (8000 + 511) / 512;
  ASSERT_EQ(run.steps.size(), 2 * steps_per_epoch);
  EXPECT_EQ(run.steps.samples[0], 512);
  EXPECT_EQ(run.steps.samples[steps_per_epoch - 1], 8000 - 512 * 15);
  EXPECT_EQ(run.steps.warmup[0], 1);
  EXPECT_EQ(run.steps.warmup[2], 0);
  EXPECT_EQ(run.steps.epoch[steps_per_epoch], 1);
  EXPECT_NEAR(run.steps.total_s[2], 512 * 0.01, 1e-12);
  ASSERT_EQ(run.steps.slowest_rank_s.size(), run.steps.size());
  EXPECT_NEAR(run.steps.slowest_rank_s[2], 512 * 0.01 * 1.25, 1e-12);
  EXPECT_NEAR(run.steps.mean_rank_s[2], 512 * 0.01 * (1 + 0.25 / 16), 1e-12);

  ASSERT_EQ(run.epochs.size(), 2u);
  EXPECT_NEAR(run.epochs[0].val_time_s, 2000 * 0.003, 1e-12);
  EXPECT_NEAR(run.epochs[1].val_top1, 0.3, 1e-12);
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
}

TEST(ResultsReader, ReadsEveryRunOfAFile) {
  TempDir dir;
  RunShape a, b;
  a.run_id = "b-run";
  b.run_id = "a-run";
  b.status = "interrupted";
  b.finished_epochs = 1;
  write_results_file(dir.file("two.h5"), {build_run(a), build_run(b)});
  const FileReadResult r = read_results_file(dir.file("two.h5"));
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.runs.size(), 2u);
  EXPECT_EQ(r.runs[0].run_id, "a-run");  // name order
  EXPECT_EQ(r.runs[0].status, RunStatus::Interrupted);
  EXPECT_EQ(r.runs[0].epochs.size(), 1u);
}

TEST(ResultsReader, NewerSchemaIsRefusedWithTheVersions) {
  TempDir dir;
  write_results_file(dir.file("future.h5"), {build_run(RunShape{})}, kSupportedSchemaVersion + 1);
  const FileReadResult r = read_results_file(dir.file("future.h5"));
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.runs.empty());
  EXPECT_NE(r.error.find(dir.file("future.h5")), std::string::npos);
  EXPECT_NE(r.error.find("schema_version 2 is newer"), std::string::npos);
  EXPECT_NE(r.error.find("(1)"), std::string::npos);
}

TEST(ResultsReader, ForeignAndUnreadableFilesAreNamed) {
  TempDir dir;
  // An HDF5 file of someone else's: no schema_version, no /runs.
  hid_t f = H5Fcreate(dir.file("foreign.h5").c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Gclose(H5Gcreate2(f, "images", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  H5Fclose(f);
  const FileReadResult foreign = read_results_file(dir.file("foreign.h5"));
  EXPECT_FALSE(foreign.ok);
  EXPECT_NE(foreign.error.find("foreign.h5: not a lumibench results file"), std::string::npos);

  const FileReadResult text = read_results_file(dir.write("notes.h5", "not hdf5 at all"));
  EXPECT_FALSE(text.ok);
  EXPECT_NE(text.error.find("notes.h5: not an HDF5 file"), std::string::npos);

  const FileReadResult missing = read_results_file(dir.file("missing.h5"));
  EXPECT_FALSE(missing.ok);
  EXPECT_NE(missing.error.find("missing.h5: cannot open"), std::string::npos);
}

TEST(ResultsReader, MissingFieldsAndAttributesAreReportedPerRun) {
  TempDir dir;
  FixtureRun run = build_run(RunShape{});
  run.attrs.erase("epochs");
  run.attrs.erase("status");
  write_results_file(dir.file("partial.h5"), {run});
  const FileReadResult r = read_results_file(dir.file("partial.h5"));
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_EQ(r.runs[0].status, RunStatus::Unknown);
  EXPECT_FALSE(r.runs[0].settings.epochs);
  ASSERT_FALSE(r.runs[0].warnings.empty());
  EXPECT_NE(r.runs[0].warnings[0].find("missing attributes: status, epochs"), std::string::npos);
}

TEST(ResultsReader, AnEmptyRunKilledBeforeItsFirstFlushStillReads) {
  TempDir dir;
  RunShape shape;
  shape.status = "running";
  shape.finished_epochs = 0;
  write_results_file(dir.file("early.h5"), {build_run(shape)});
  const FileReadResult r = read_results_file(dir.file("early.h5"));
  ASSERT_TRUE(r.ok);
  ASSERT_EQ(r.runs.size(), 1u);
  EXPECT_EQ(r.runs[0].status, RunStatus::Running);
  EXPECT_EQ(r.runs[0].steps.size(), 0u);
  EXPECT_TRUE(r.runs[0].epochs.empty());
}
