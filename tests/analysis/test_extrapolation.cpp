// Per-run metrics and the job-time extrapolation against hand-computed values.
#include <gtest/gtest.h>

#include <cmath>

#include "analysis/compare/extrapolation.h"
#include "analysis/compare/run_metrics.h"
#include "analysis/input/table_import.h"
#include "support/comparison_fixture.h"
#include "support/fixture_io.h"

using namespace lb::analysis;
using namespace lb::testing;

TEST(RunMetrics, SteadyStateFiguresOfANoiseFreeRun) {
  RunShape shape;  // 80,000 + 20,000 samples, 3 epochs, 0.01 s/sample, 2 warm-up steps +0.5 s
  shape.device = "rocm";
  shape.world_size = 8;
  shape.gpus = 8;
  shape.gemm_flops_per_s = 40e12;
  const RunRecord run = round_trip(shape);
  const RunMetrics m = compute_run_metrics(run);
  const size_t steps_per_epoch = 80000 / 256 + 1;  // 312 full steps and one of 128
  EXPECT_EQ(m.steps, 3 * steps_per_epoch);
  EXPECT_EQ(m.warmup_steps, 2u);
  EXPECT_EQ(m.steady_steps, 3 * steps_per_epoch - 2);
  ASSERT_TRUE(m.train_s_per_sample);
  EXPECT_NEAR(m.train_s_per_sample->value, 0.01, 1e-15);
  EXPECT_NEAR(*m.steady_images_per_s, 100.0, 1e-9);
  EXPECT_NEAR(*m.images_per_s_per_gpu, 12.5, 1e-9);
  EXPECT_NEAR(*m.warmup_excess_s, 2 * 0.5, 1e-9);
  EXPECT_NEAR(m.val_s_per_sample->value, 0.003, 1e-15);
  EXPECT_NEAR(m.epoch_overhead_s->value, 2.0, 1e-9);
  EXPECT_NEAR(*m.startup_s, 5.0, 1e-9);
  EXPECT_NEAR(*m.teardown_s, 1.0, 1e-9);
  EXPECT_EQ(m.finished_epochs, 3u);
  EXPECT_NEAR(*m.mean_val_time_s, 60.0, 1e-9);
  EXPECT_NEAR(*m.mean_train_time_s, 800.0 + 1.0 / 3.0, 1e-9);  // warm-up excess in epoch 1 only
  // FLOP/s: 3 * 17.56 GFLOP per image at 100 images/s for the job, an eighth of it per device,
  // against the matrix-product rate measured on the device.
  EXPECT_NEAR(*m.job_model_flops_per_s / (3 * 17.56e9 * 100), 1.0, 1e-12);
  EXPECT_NEAR(*m.model_flops_per_s / (3 * 17.56e9 * 100 / 8), 1.0, 1e-12);
  EXPECT_NEAR(*m.model_flops_utilisation, 3 * 17.56e9 * 100 / 8 / 40e12, 1e-12);
  EXPECT_NEAR(*m.data_wait_fraction, 0.05, 1e-12);
  EXPECT_NEAR(*m.final_val_top1_pct, 40.0, 1e-9);
  EXPECT_NEAR(*m.best_val_top1_pct, 40.0, 1e-9);
  EXPECT_EQ(m.best_epoch, 3);
  EXPECT_TRUE(m.warnings.empty()) << m.warnings.front();
}

TEST(Extrapolation, AFullRunOfExactlyTheJobIsMeasured) {
  RunShape shape;
  const RunRecord run = round_trip(shape);
  const JobEstimate j = estimate_job(run, compute_run_metrics(run), 3);
  ASSERT_TRUE(j.available);
  EXPECT_FALSE(j.extrapolated);
  EXPECT_EQ(j.method, "measured");
  // wall = startup 5 + 3 epochs x (train 800 + val 60 + overhead 2) + warm-up 1 + teardown 1
  EXPECT_NEAR(j.time_s.value, 5 + 3 * 862 + 1 + 1, 1e-6);
  EXPECT_NEAR(j.time_s.value, expected_job_time(shape, 3), 1e-6);
  EXPECT_FALSE(j.time_s.has_interval);
  EXPECT_TRUE(j.notes.empty());
}

TEST(Extrapolation, OtherEpochCountsAreExtrapolated) {
  RunShape shape;
  const RunRecord run = round_trip(shape);
  const JobEstimate j = estimate_job(run, compute_run_metrics(run), 10);
  ASSERT_TRUE(j.available);
  EXPECT_TRUE(j.extrapolated);
  EXPECT_EQ(j.method, "scaled from 3 measured epochs to 10");
  // T = one-time (5 + 1 + 1) + 10 x (80,000 x 0.01 + 2) + 10 x 20,000 x 0.003
  EXPECT_NEAR(j.time_s.value, 7 + 10 * 802 + 10 * 60, 1e-6);
  EXPECT_NEAR(j.time_s.value, expected_job_time(shape, 10), 1e-6);
  EXPECT_NEAR(j.one_time_s, 7.0, 1e-9);
  EXPECT_NEAR(j.train_epoch_s, 802.0, 1e-9);
  EXPECT_NEAR(j.validation_s, 60.0, 1e-9);
}

TEST(Extrapolation, SubsetRunWithStepNoiseGetsAnInterval) {
  RunShape shape;
  shape.subset_fraction = 0.01;  // 800 train samples: 25 steps of 32 per epoch
  shape.noise = 0.1;             // steps alternate 1.1 and 0.9 times the mean
  const RunRecord run = round_trip(shape);
  const RunMetrics m = compute_run_metrics(run);
  // 73 steady steps (75 minus 2 warm-up): 37 at +10% and 36 at -10% (steady steps start even).
  EXPECT_NEAR(m.train_s_per_sample->value, 0.01 * (73 + 0.1) / 73, 1e-15);
  EXPECT_DOUBLE_EQ(m.train_s_per_sample->df, 29.0);  // 30 blocks
  const JobEstimate j = estimate_job(run, m, 3);
  ASSERT_TRUE(j.available);
  EXPECT_TRUE(j.extrapolated);
  EXPECT_EQ(j.method, "extrapolated from a 1% subset to the full split");
  const double r = 0.01 * 73.1 / 73;
  // Warm-up excess: steps 0 (+10%) and 1 (-10%) minus r x samples, plus 2 x 0.5 s.
  const double warmup = 32 * 0.01 * 1.1 + 32 * 0.01 * 0.9 + 1.0 - 2 * 32 * r;
  const double expected = 5 + 1 + warmup + 3 * (80000 * r + 2.0) + 3 * 20000 * 0.003;
  EXPECT_NEAR(j.time_s.value, expected, 1e-6);
  ASSERT_TRUE(j.time_s.has_interval);
  // Only the train term has spread (every epoch's overhead and validation are equal):
  // half-width = t(0.975, 29) x E x N_train x se(r).
  const double half = student_t_quantile(0.975, 29) * 3 * 80000 * m.train_s_per_sample->std_error;
  EXPECT_NEAR(j.time_s.hi - j.time_s.value, half, 1e-6);
  EXPECT_NEAR(j.time_s.value - j.time_s.lo, half, 1e-6);
  EXPECT_GT(half, 0.0);
}

// --eval-every counts steps: a pass after every n-th step (the last step of an epoch included, and
// then the epoch-end pass as well). Those passes are not part of the job: their time leaves the
// overhead, they still measure the per-sample validation time.
TEST(Extrapolation, EvalEveryCountsStepsAndItsPassesAreNotPartOfTheJob) {
  RunShape shape;
  shape.subset_fraction = 0.01;  // 800 train (25 steps of 32 per epoch), 200 validation samples
  shape.eval_every = 10;         // steps 10, 20, ..., 70 of 75: 7 extra passes, one at epoch 2's last step
  const RunRecord run = round_trip(shape);
  ASSERT_EQ(run.evaluations.size(), 10u);
  const RunMetrics m = compute_run_metrics(run);
  EXPECT_TRUE(m.warnings.empty()) << m.warnings.front();
  EXPECT_EQ(m.extra_validations, 7u);
  EXPECT_NEAR(m.extra_validation_s, 7 * 200 * 0.003, 1e-9);
  EXPECT_NEAR(m.val_s_per_sample->value, 0.003, 1e-15);
  EXPECT_EQ(m.val_s_per_sample->n, 10u);  // every pass is an observation
  EXPECT_NEAR(m.epoch_overhead_s->value, 2.0, 1e-9);  // not 2 + the extra passes
  EXPECT_EQ(*m.steps_per_epoch, 25);
  const JobEstimate j = estimate_job(run, m, 3);
  EXPECT_EQ(j.validations, 3);
  EXPECT_NEAR(j.time_s.value, expected_job_time(shape, 3), 1e-6);
  // Accuracy on the job clock: the first extra pass sits where training reached step 10.
  ASSERT_EQ(m.accuracy_curve.size(), 10u);
  EXPECT_FALSE(m.accuracy_curve[0].epoch_end);
  EXPECT_EQ(m.accuracy_curve[0].step, 10);
  EXPECT_NEAR(m.accuracy_curve[0].time_s, 5.0 + 10 * 32 * 0.01 + 2 * 0.5, 1e-9);
  // Epoch 1's end: startup, 25 steps, overhead and its own validation; its 2 extra passes left out.
  EXPECT_TRUE(m.accuracy_curve[2].epoch_end);
  EXPECT_EQ(m.accuracy_curve[2].epoch, 1);
  EXPECT_NEAR(m.accuracy_curve[2].time_s, 5.0 + 800 * 0.01 + 1.0 + 2.0 + 200 * 0.003, 1e-9);
  // Step 50 ends epoch 2: the extra pass comes first, then the epoch-end pass.
  EXPECT_EQ(m.accuracy_curve[5].step, 50);
  EXPECT_FALSE(m.accuracy_curve[5].epoch_end);
  EXPECT_EQ(m.accuracy_curve[6].step, 50);
  EXPECT_TRUE(m.accuracy_curve[6].epoch_end);
}

TEST(Extrapolation, AMeasuredJobLeavesTheEvalEveryPassesOut) {
  RunShape shape;  // the full split: 2500 steps per epoch
  shape.eval_every = 1000;  // 7 extra passes of 20,000 x 0.003 = 60 s in 3 epochs
  const RunRecord run = round_trip(shape);
  const RunMetrics m = compute_run_metrics(run);
  const JobEstimate j = estimate_job(run, m, 3);
  EXPECT_FALSE(j.extrapolated);
  EXPECT_NEAR(*run.wall_time_s - j.time_s.value, 7 * 60.0, 1e-6);
  EXPECT_NEAR(j.time_s.value, expected_job_time(shape, 3), 1e-6);
  EXPECT_NE(j.method.find("less 7 --eval-every validation passes"), std::string::npos) << j.method;
  EXPECT_TRUE(j.notes.empty());  // the model agrees with the measurement
}

TEST(Extrapolation, WithoutEvaluationsTableAccuracyAndValidationComeFromEpochs) {
  RunShape shape;
  shape.write_evaluations = false;
  const RunRecord run = round_trip(shape);
  EXPECT_TRUE(run.evaluations.empty());
  const RunMetrics m = compute_run_metrics(run);
  EXPECT_FALSE(m.accuracy_from_evaluations);
  EXPECT_TRUE(m.warnings.empty());
  ASSERT_EQ(m.accuracy_curve.size(), 3u);
  EXPECT_DOUBLE_EQ(m.accuracy_curve[2].time_s, run.epochs[2].end_wall_s);
  EXPECT_EQ(m.accuracy_curve[2].step, -1);
  EXPECT_NEAR(*m.best_val_top1_pct, 40.0, 1e-9);  // 0.2 + 2 x 0.1
  EXPECT_EQ(m.val_s_per_sample->n, 3u);
  EXPECT_NEAR(estimate_job(run, m, 3).time_s.value, expected_job_time(shape, 3), 1e-6);
}

// Three steps of which one warm-up (a --subset run cut short): the t interval with 1 df reaches
// below zero. A time is positive, so the lower end is reported as missing, never as a number.
TEST(Extrapolation, FewSteadyStepsGiveAnIntervalWithoutALowerBound) {
  const RunRecord run = round_trip(few_steps_shape());
  const RunMetrics m = compute_run_metrics(run);
  ASSERT_EQ(m.steady_steps, 2u);
  const JobEstimate j = estimate_job(run, m, 1);
  ASSERT_TRUE(j.time_s.has_interval);
  EXPECT_FALSE(j.time_s.has_lower());
  EXPECT_EQ(j.time_s.lo, 0.0);
  EXPECT_TRUE(j.time_s.has_upper());
  const double half = student_t_quantile(0.975, 1) * 80000 * m.train_s_per_sample->std_error;
  EXPECT_NEAR(j.time_s.hi - j.time_s.value, half, 1e-6);
  EXPECT_GT(half, j.time_s.value);  // the symmetric interval would have gone negative
  ASSERT_EQ(j.notes.size(), 1u);
  EXPECT_NE(j.notes[0].find("run few-1: the 95% interval of its job time reaches zero"), std::string::npos) << j.notes[0];
  EXPECT_NE(j.notes[0].find("2 steady steps after 1 warm-up"), std::string::npos) << j.notes[0];
}

TEST(Extrapolation, RunWithoutAFinishedEpochSaysWhatIsMissing) {
  RunShape shape;
  shape.status = "interrupted";
  shape.finished_epochs = 1;
  FixtureRun fixture = build_run(shape);
  fixture.epochs.clear();  // killed before the first epoch record was flushed
  fixture.evaluations.clear();
  const RunRecord run = round_trip({fixture}).front();
  const JobEstimate j = estimate_job(run, compute_run_metrics(run), 3);
  ASSERT_TRUE(j.available);
  EXPECT_TRUE(j.extrapolated);
  ASSERT_EQ(j.notes.size(), 2u);
  EXPECT_NE(j.notes[0].find("per-epoch overhead not included"), std::string::npos);
  EXPECT_NE(j.notes[1].find("validation time not included"), std::string::npos);
  EXPECT_NEAR(j.time_s.value, 1.0 + 3 * 80000 * 0.01, 1e-6);  // warm-up excess + train only
}

TEST(Extrapolation, RunsWithoutStepsOrSplitSizeHaveNoEstimate) {
  RunShape shape;
  shape.finished_epochs = 0;
  shape.status = "running";
  const RunRecord empty = round_trip(shape);
  const JobEstimate j = estimate_job(empty, compute_run_metrics(empty), 3);
  EXPECT_FALSE(j.available);
  EXPECT_EQ(j.unavailable_reason, "no steady-state step records");
  FixtureRun fixture = build_run(RunShape{});
  fixture.attrs.erase("full_train_samples");
  const RunRecord no_split = round_trip({fixture}).front();
  EXPECT_EQ(estimate_job(no_split, compute_run_metrics(no_split), 3).unavailable_reason,
            "full_train_samples unknown");
}

TEST(Extrapolation, ImportedRuns) {
  const std::string text =
      "Name,State,Runtime,epochs,subset_percentage,extrapolated_total_time_hr,extrapolated_epoch_time_hr,"
      "epoch_duration_minutes,train_split_samples\n"
      "full,finished,963,10,,,,,80000\n"
      "full-epochs,finished,1000,10,,,,1.5,80000\n"
      "subset,finished,600,3,1,75.83,,,80000\n"
      "subset-epoch,finished,600,3,2,54.09,18,,80000\n"
      "subset-bare,finished,600,3,2,,,,80000\n";
  const auto runs = import_run_table_text(text, "t.csv", TableKind::Reference).runs;
  const RunMetrics none;
  const JobEstimate same = estimate_imported_job(runs[0], 10);
  EXPECT_FALSE(same.extrapolated);
  EXPECT_DOUBLE_EQ(same.time_s.value, 963);
  EXPECT_EQ(same.method, "imported");
  const JobEstimate scaled = estimate_imported_job(runs[0], 3);
  EXPECT_TRUE(scaled.extrapolated);
  EXPECT_NEAR(scaled.time_s.value, 963 * 0.3, 1e-9);
  EXPECT_FALSE(scaled.notes.empty());  // startup scaled too: said so
  // With an epoch duration the startup (1000 - 10 x 90 = 100 s) is kept once.
  EXPECT_NEAR(estimate_imported_job(runs[1], 3).time_s.value, 100 + 3 * 90, 1e-9);
  const JobEstimate subset = estimate_imported_job(runs[2], 3);
  EXPECT_TRUE(subset.extrapolated);
  EXPECT_NEAR(subset.time_s.value, 75.83 * 3600, 1e-6);
  EXPECT_NEAR(estimate_imported_job(runs[2], 10).time_s.value, 75.83 * 3600 * 10 / 3, 1e-6);
  EXPECT_NEAR(estimate_imported_job(runs[3], 10).time_s.value, 18 * 3600 * 10, 1e-6);
  const JobEstimate bare = estimate_imported_job(runs[4], 3);
  EXPECT_FALSE(bare.available);
  EXPECT_EQ(bare.unavailable_reason, "subset run without a full-split time from its source");
  EXPECT_TRUE(estimate_job(runs[0], none, 10).available);
}

TEST(RunMetrics, ConsistencyChecksNameTheProblem) {
  RunShape shape;
  shape.device = "rocm";
  shape.world_size = 4;
  shape.gpus = 4;
  shape.straggler = 0.5;  // one of four ranks 50% slower: slowest / mean = 1.5 / 1.125
  FixtureRun fixture = build_run(shape);
  fixture.epochs[1].train_samples = 12345;
  fixture.attrs["global_batch_size"] = int64_t{999};
  const RunRecord run = round_trip({fixture}).front();
  const RunMetrics m = compute_run_metrics(run);
  EXPECT_NEAR(*m.straggler_ratio, 1.5 / 1.125, 1e-12);
  auto has = [&](const std::string& text) {
    for (const auto& w : m.warnings) {
      if (w.find(text) != std::string::npos) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("stragglers"));
  EXPECT_TRUE(has("epoch 2: steps hold 80000 samples, the epoch record 12345"));
  EXPECT_TRUE(has("global_batch_size 999 is not batch_size x world_size"));
}
