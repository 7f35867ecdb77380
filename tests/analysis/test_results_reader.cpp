// Reading results files written to docs/hdf5-schema.md, and refusing what is not one.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>

#include <filesystem>
#include <memory>

#include "analysis/inputs.h"
#include "analysis/input/results_reader.h"
#include "common/results_file.h"
#include "common/run_journal.h"
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
  EXPECT_NE(r.error.find("schema_version " + std::to_string(kSupportedSchemaVersion + 1) + " is newer"),
            std::string::npos);
  EXPECT_NE(r.error.find("(" + std::to_string(kSupportedSchemaVersion) + ")"), std::string::npos);
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

TEST(ResultsReader, ReadsTheFieldsOfSchemaVersion2) {
  TempDir dir;
  RunShape shape;
  shape.device = "rocm";
  shape.world_size = 8;
  shape.gpus = 8;
  shape.precision = "bf16";
  shape.val_scope = "rank0_share";
  shape.repeat_group = "g-42";
  shape.repeat_index = 1;
  shape.repeat_count = 3;
  shape.adaptive_target_rel_ci = 0.02;
  shape.adaptive_stop_reason = "step_budget";
  shape.adaptive_rel_ci = 0.031;
  shape.gemm_flops_per_s = 95e12;
  shape.sweep_alpha_s = 1e-5;
  shape.sweep_beta_s_per_byte = 1e-10;
  write_results_file(dir.file("v2.h5"), {build_run(shape)});
  const FileReadResult r = read_results_file(dir.file("v2.h5"));
  ASSERT_TRUE(r.ok) << r.error;
  const RunRecord& run = r.runs[0];
  EXPECT_EQ(run.settings.precision, "bf16");
  EXPECT_EQ(run.settings.val_scope, "rank0_share");
  EXPECT_EQ(run.settings.val_images_per_eval, 20000 / 8);
  EXPECT_EQ(run.settings.comm_backend, "nccl");
  EXPECT_EQ(run.settings.comm_bucket_bytes, 25 << 20);
  EXPECT_EQ(run.repeat.group, "g-42");
  EXPECT_EQ(run.repeat.index, 1);
  EXPECT_EQ(run.repeat.count, 3);
  EXPECT_DOUBLE_EQ(*run.adaptive.target_rel_ci, 0.02);
  EXPECT_TRUE(run.adaptive.enabled());
  EXPECT_EQ(run.adaptive.stop_reason, "step_budget");
  EXPECT_DOUBLE_EQ(*run.adaptive.achieved_rel_ci, 0.031);
  EXPECT_DOUBLE_EQ(*run.gemm_flops_per_s, 95e12);
  EXPECT_EQ(run.parameters, 85'952'456);
  ASSERT_EQ(run.allreduce_sweep.size(), 7u);  // 1 KiB .. 256 MiB in factors of 8
  EXPECT_EQ(run.allreduce_sweep[0].bytes, 1024);
  EXPECT_EQ(run.allreduce_sweep[0].ranks, 8);
  EXPECT_EQ(run.allreduce_sweep[0].repeats, 20);
  EXPECT_NEAR(run.allreduce_sweep[0].seconds, 14 * 1e-5 + 1.75 * 1024 * 1e-10, 1e-15);
  // forward + backward + optimizer make the compute column, data wait and exposed communication
  // the rest of the step.
  ASSERT_EQ(run.steps.compute_s.size(), run.steps.size());
  EXPECT_NEAR(run.steps.compute_s[5] + run.steps.data_wait_s[5] + run.steps.comm_exposed_s[5], run.steps.total_s[5],
              1e-12);
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
}

// It also holds `peak_flops_per_device`, which older harnesses wrote (always 0) and the schema no
// longer defines: read without a warning, like any attribute the schema lacks.
TEST(ResultsReader, AVersion1FileLeavesTheNewFieldsUnknown) {
  TempDir dir;
  RunShape shape;
  shape.schema_v1 = true;
  write_results_file(dir.file("v1.h5"), {build_run(shape)}, 1);
  const FileReadResult r = read_results_file(dir.file("v1.h5"));
  ASSERT_TRUE(r.ok) << r.error;
  const RunRecord& run = r.runs[0];
  EXPECT_FALSE(run.settings.val_scope);
  EXPECT_FALSE(run.settings.val_images_per_eval);
  EXPECT_FALSE(run.settings.comm_backend);
  EXPECT_TRUE(run.repeat.group.empty());
  EXPECT_FALSE(run.repeat.count);
  EXPECT_FALSE(run.adaptive.target_rel_ci);
  EXPECT_FALSE(run.adaptive.enabled());
  EXPECT_FALSE(run.gemm_flops_per_s);
  EXPECT_TRUE(run.allreduce_sweep.empty());
  EXPECT_TRUE(run.warnings.empty()) << run.warnings.front();
  // A zero rate is "not measured", never a rate of zero.
  RunShape zero;
  write_results_file(dir.file("zero.h5"), {build_run(zero)});
  EXPECT_FALSE(read_results_file(dir.file("zero.h5")).runs[0].gemm_flops_per_s);
}

// Runs still in their journals beside a results file (being written, or of a process that died)
// are read as runs; a run already folded into the file is not read twice; a journal alone (the
// run's first, the file does not exist yet) is found through a directory too. A journal whose
// writer is alive is `running`; one whose writer is gone is `crashed`, with the steps it flushed.
TEST(JournalRuns, AreReadBesideTheResultsFileAndNeverTwice) {
  TempDir dir;
  const std::string results = dir.file("r.h5");
  lb::RunData folded;
  folded.run_id = "run-folded";
  folded.attrs.status = "completed";
  folded.attrs.model = "vit_b_16";
  folded.steps.resize(3);
  folded.rank_step_time_s.assign(3, 1.0);
  ASSERT_TRUE(lb::add_run_to_results_file(results, folded));
  std::filesystem::create_directories(lb::journal_dir(results));
  // The writer stays alive (it holds the journal's lock) as long as the returned object lives.
  auto write_journal = [&](const std::string& id, const char* status) {
    auto w = std::make_unique<lb::JournalWriter>(lb::journal_dir(results) + "/" + id + ".jsonl", id, 2);
    lb::schema::RunAttributes a;
    a.status = status;
    a.model = "vit_b_16";
    a.device = "cpu";
    lb::schema::StepRecord s;
    s.samples = 8;
    s.total_s = 0.5;
    std::string text = lb::JournalWriter::line(a) + "\n";
    for (int i = 0; i < 4; ++i) text += lb::JournalWriter::line(s, {0.5, 0.7}) + "\n";
    lb::schema::EpochRecord e;
    e.val_top1 = 0.4;
    text += lb::JournalWriter::line(e) + "\n";
    w->append(text);
    return w;
  };
  const auto live_writer = write_journal("run-live", "running");
  write_journal("run-killed", "running");  // its writer is gone at once, as after a SIGKILL
  write_journal("run-folded", "completed");  // folded while analyze looked: the file's copy counts
  const LoadedInputs in = load_inputs({{results}, {}, {}});
  ASSERT_EQ(in.runs.size(), 3u);
  const RunRecord* live = nullptr;
  const RunRecord* killed = nullptr;
  for (const auto& r : in.runs) {
    if (r.run.run_id == "run-live") live = &r.run;
    if (r.run.run_id == "run-killed") killed = &r.run;
  }
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, RunStatus::Running);
  EXPECT_EQ(live->epochs.size(), 1u);
  EXPECT_DOUBLE_EQ(live->epochs[0].val_top1, 0.4);
  bool noted = false;
  for (const auto& w : live->warnings) noted = noted || w.find("read from its journal") != std::string::npos;
  EXPECT_TRUE(noted);
  ASSERT_TRUE(killed);
  EXPECT_EQ(killed->status, RunStatus::Crashed) << "a journal whose writer is gone is never reported as running";
  EXPECT_NE(killed->error.find("4 steps flushed"), std::string::npos) << killed->error;
  EXPECT_NE(killed->error.find("no longer holds its lock"), std::string::npos) << killed->error;
  // A journal whose results file does not exist yet, found through the directory.
  std::filesystem::remove(results);
  const LoadedInputs only = load_inputs({{dir.path().string()}, {}, {}});
  ASSERT_EQ(only.runs.size(), 3u);  // every journal now
  bool ok = true;
  for (const auto& rep : only.reports) ok = ok && rep.ok;
  EXPECT_TRUE(ok);
}
