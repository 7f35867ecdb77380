// Grouping, normalization, baseline, speedups, scaling, warnings and accuracy curves.
#include <gtest/gtest.h>

#include <cmath>

#include "common/errors.h"
#include "analysis/input/names.h"
#include "support/comparison_fixture.h"

using namespace lb::analysis;
using namespace lb::testing;

namespace {

// Two laptop configurations (8 threads: two subset sizes; 1 thread: one) and LUMI 1 node.
std::vector<RunShape> laptop_and_lumi() {
  // Results files list runs in name order: the names keep the configurations in this order.
  return {laptop_shape("a-laptop8", 8, 0.01, 0.01), laptop_shape("b-laptop8", 8, 0.02, 0.01),
          laptop_shape("c-laptop1", 1, 0.01, 0.04), lumi_shape("d-lumi1", 1, 0.0002)};
}

}  // namespace

TEST(Comparison, GroupsRunsIntoConfigurationsRegardlessOfSubsetSize) {
  const Comparison c = build_comparison(analyse(laptop_and_lumi()), {});
  ASSERT_EQ(c.configs.size(), 3u);
  EXPECT_EQ(c.configs[0].id, "C1");
  EXPECT_EQ(c.configs[0].label, "Laptop 8 threads");
  EXPECT_EQ(c.configs[0].runs.size(), 2u);
  EXPECT_EQ(c.configs[1].label, "Laptop 1 thread");
  EXPECT_EQ(c.configs[2].label, "LUMI 1 node (8 GPUs)");
  EXPECT_TRUE(c.configs[2].is_cluster);
  EXPECT_EQ(c.configs[0].subset_fractions, (std::vector<double>{0.01, 0.02}));
}

// "Cluster" is where the run's record places it, not its device: a laptop with a GPU (one
// machine, no Slurm job) is the user's own machine, labelled, gridded and billed as such.
TEST(Comparison, ALaptopWithAGpuIsNotTheCluster) {
  auto shapes = laptop_and_lumi();
  RunShape gpu_laptop = lumi_shape("e-laptop-gpu", 1, 0.001);
  gpu_laptop.own_machine = true;
  gpu_laptop.world_size = gpu_laptop.gpus = 1;
  gpu_laptop.gpu_model = "NVIDIA GeForce RTX 4070 Laptop GPU";
  shapes.push_back(gpu_laptop);
  const Comparison c = build_comparison(analyse(shapes), {});
  ASSERT_EQ(c.configs.size(), 4u);
  const ConfigResult& lumi = c.configs[2];
  const ConfigResult& laptop = c.configs[3];
  EXPECT_EQ(lumi.config.placement, Placement::Cluster);
  EXPECT_TRUE(lumi.is_cluster);
  EXPECT_EQ(lumi.energy.site, "cluster");
  EXPECT_EQ(laptop.config.placement, Placement::OwnMachine);
  EXPECT_EQ(laptop.label, "Laptop 1 GPU");
  EXPECT_FALSE(laptop.is_cluster);
  EXPECT_FALSE(laptop.placement_unknown);
  EXPECT_EQ(laptop.gpus, 1);
  EXPECT_EQ(laptop.energy.site, "laptop");
  EXPECT_FALSE(laptop.energy.cost);
  EXPECT_EQ(laptop.energy.cost_reason, "own machine: no allocation billed");
}

TEST(Comparison, TheSameSettingsOnTheClusterAndOnOwnMachineAreTwoConfigurations) {
  // One GPU, the same model and settings: one run under Slurm, one outside any scheduler. Pooled,
  // the second would take the first's label, grid and billing.
  RunShape cluster = lumi_shape("f-cluster", 1, 0.001);
  cluster.world_size = cluster.gpus = 1;
  RunShape own = cluster;
  own.run_id = "g-own";
  own.own_machine = true;
  const Comparison c = build_comparison(analyse({laptop_shape("0-lap", 8, 0.01, 0.01), cluster, own}), {});
  ASSERT_EQ(c.configs.size(), 3u);
  EXPECT_EQ(c.configs[1].config.placement, Placement::Cluster);
  EXPECT_EQ(c.configs[2].config.placement, Placement::OwnMachine);
  EXPECT_EQ(c.configs[2].label, "Laptop 1 GPU");
}

TEST(Comparison, DefaultBaselineIsTheSlowestLaptopAndSetsTheEpochs) {
  auto shapes = laptop_and_lumi();
  shapes[3].batch_size = 4;  // global batch 32, as the laptops: the same work, so it may stand in the headline
  const Comparison c = build_comparison(analyse(shapes), {});
  ASSERT_TRUE(c.baseline);
  EXPECT_EQ(c.configs[*c.baseline].label, "Laptop 1 thread");
  EXPECT_EQ(c.epochs, 3);
  EXPECT_EQ(c.epochs_source, "the baseline configuration's epochs");
  // Noise-free runs: times are the formula's, speedups their ratios.
  const double t_base = expected_job_time(shapes[2], 3);
  const double t_lumi = expected_job_time(shapes[3], 3);
  const ConfigResult& base = c.configs[*c.baseline];
  EXPECT_NEAR(base.time_s->value, t_base, 1e-6);
  EXPECT_TRUE(base.extrapolated);
  const ConfigResult& lumi = c.configs[2];
  EXPECT_NEAR(lumi.time_s->value, t_lumi, 1e-6);
  EXPECT_FALSE(lumi.extrapolated);
  EXPECT_EQ(lumi.method, "measured");
  EXPECT_NEAR(lumi.speedup->value, t_base / t_lumi, 1e-9);
  EXPECT_NEAR(base.speedup->value, 1.0, 1e-12);
  ASSERT_TRUE(c.max_speedup);
  EXPECT_EQ(*c.max_speedup, 2u);
  EXPECT_EQ(*c.fastest, 2u);
  // Display order: slowest first.
  EXPECT_EQ(c.display_order.front(), *c.baseline);
  EXPECT_EQ(c.display_order.back(), 2u);
}

TEST(Comparison, SeveralExtrapolatedRunsAreAveragedWithTheirSpread) {
  const auto shapes = laptop_and_lumi();
  const Comparison c = build_comparison(analyse(shapes), {});
  const ConfigResult& laptop8 = c.configs[0];
  const double a = expected_job_time(shapes[0], 3), b = expected_job_time(shapes[1], 3);
  EXPECT_NEAR(a, b, 1e-9);  // the same job from two subset sizes: equal in a noise-free world
  EXPECT_NEAR(laptop8.time_s->value, a, 1e-6);
  EXPECT_EQ(laptop8.method, "mean of 2 extrapolated runs (1%, 2% subsets)");
  EXPECT_EQ(laptop8.runs_used, 2u);
}

TEST(Comparison, EpochsOptionNormalizesEveryConfiguration) {
  const auto shapes = laptop_and_lumi();
  ComparisonOptions o;
  o.epochs = 10;
  const Comparison c = build_comparison(analyse(shapes), o);
  EXPECT_EQ(c.epochs, 10);
  EXPECT_EQ(c.epochs_source, "--epochs");
  EXPECT_NEAR(c.configs[1].time_s->value, expected_job_time(shapes[2], 10), 1e-6);
  EXPECT_NEAR(c.configs[2].time_s->value, expected_job_time(shapes[3], 10), 1e-6);
  // The LUMI run did 3 epochs; at 10 its time is an extrapolation.
  EXPECT_TRUE(c.configs[2].extrapolated);
  EXPECT_EQ(c.job_description, "ViT-B/16, tiny-imagenet train split 80,000, 10 epochs");
  ComparisonOptions zero_epochs;
  zero_epochs.epochs = 0;
  EXPECT_THROW(build_comparison(analyse(shapes), zero_epochs), lb::UsageError);
}

TEST(Comparison, DifferingSettingsAreNamedInEveryComparisonWarning) {
  auto shapes = laptop_and_lumi();
  RunShape& lumi = shapes[3];
  lumi.epochs = 10;
  lumi.lr = 0.003;
  lumi.pretrained = true;
  lumi.precision_fp32 = 0;
  const Comparison c = build_comparison(analyse(shapes), {});
  const ConfigResult& l = c.configs[2];
  EXPECT_EQ(l.differences, (std::vector<std::string>{"precision bf16 vs fp32", "global batch 256 vs 32",
                                                     "epochs 10 vs 3", "peak learning rate 0.003 vs 0.001",
                                                     "initial weights pretrained vs scratch"}));
  EXPECT_TRUE(contains_text(l.warnings, "differs from the baseline (Laptop 1 thread) in: precision bf16 vs fp32; "
                                        "global batch 256 vs 32; epochs 10 vs 3"));
  EXPECT_TRUE(contains_text(c.warnings, "LUMI 1 node (8 GPUs): differs from the baseline"));
  // Still shown and still compared.
  EXPECT_TRUE(l.speedup.has_value());
  // Same-work configurations carry no difference warning.
  EXPECT_TRUE(c.configs[0].differences.empty());
}

TEST(Comparison, ExplicitBaselineByRunIdConfigurationIdOrLabel) {
  const auto runs = analyse(laptop_and_lumi());
  for (const std::string name : {"b-laptop8", "C1", "Laptop 8 threads", "laptop 8 THREADS"}) {
    ComparisonOptions o;
    o.baseline = name;
    const Comparison c = build_comparison(runs, o);
    ASSERT_TRUE(c.baseline) << name;
    EXPECT_EQ(*c.baseline, 0u) << name;
    EXPECT_EQ(c.baseline_reason, "--baseline " + name);
  }
  ComparisonOptions o;
  o.baseline = "no-such-run";
  try {
    build_comparison(runs, o);
    FAIL() << "expected a usage error";
  } catch (const lb::UsageError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("--baseline 'no-such-run'"), std::string::npos);
    EXPECT_NE(m.find("C2 \"Laptop 1 thread\""), std::string::npos);
  }
}

TEST(Comparison, IncompleteRunsStayVisibleButOutOfSpeedups) {
  auto shapes = laptop_and_lumi();
  shapes[3].status = "failed";
  const auto runs = analyse(shapes);
  const Comparison c = build_comparison(runs, {});
  const ConfigResult& lumi = c.configs[2];
  EXPECT_FALSE(lumi.time_s);
  EXPECT_FALSE(lumi.speedup);
  EXPECT_NE(lumi.not_comparable_reason.find("--include-incomplete"), std::string::npos);
  EXPECT_FALSE(c.runs[3].in_comparison);
  EXPECT_TRUE(contains_text(c.warnings, "run d-lumi1: status failed"));
  ComparisonOptions o;
  o.include_incomplete = true;
  const Comparison with = build_comparison(runs, o);
  EXPECT_TRUE(with.configs[2].time_s);
  EXPECT_TRUE(with.configs[2].speedup);
  EXPECT_TRUE(with.configs[2].extrapolated);  // a failed run did not do the job: not measured
}

TEST(Comparison, StrongScalingAgainstOneNodeAndOneGpu) {
  // 1, 2 and 4 nodes with per-sample times giving known step-time speedups, plus 1 GPU.
  RunShape one_gpu = lumi_shape("g1", 1, 0.0016);
  one_gpu.world_size = 1;
  one_gpu.gpus = 1;
  one_gpu.batch_size = 256;  // the same global batch as one node
  RunShape n1 = lumi_shape("n1", 1, 0.0002), n2 = lumi_shape("n2", 2, 0.000125), n4 = lumi_shape("n4", 4, 0.00008);
  n2.batch_size = 16;  // global batch 256 everywhere
  n4.batch_size = 8;
  const Comparison c = build_comparison(analyse({laptop_shape("a-lap", 8, 0.01, 0.01), one_gpu, n1, n2, n4}), {});
  const ConfigResult* node1 = config_labelled(c, "LUMI 1 node (8 GPUs)");
  const ConfigResult* node4 = config_labelled(c, "LUMI 4 nodes (32 GPUs)");
  const ConfigResult* gpu1 = config_labelled(c, "LUMI 1 node (1 GPU)");
  ASSERT_TRUE(node1 && node4 && gpu1);
  ASSERT_TRUE(node4->vs_one_node);
  const double t1 = node1->time_s->value, t4 = node4->time_s->value, tg = gpu1->time_s->value;
  EXPECT_NEAR(node4->vs_one_node->speedup.value, t1 / t4, 1e-9);
  EXPECT_DOUBLE_EQ(node4->vs_one_node->ideal, 4.0);
  EXPECT_NEAR(node4->vs_one_node->efficiency.value, t1 / t4 / 4, 1e-9);
  ASSERT_TRUE(node4->vs_one_gpu);
  EXPECT_NEAR(node4->vs_one_gpu->speedup.value, tg / t4, 1e-9);
  EXPECT_DOUBLE_EQ(node4->vs_one_gpu->ideal, 32.0);
  EXPECT_NEAR(node4->vs_one_gpu->efficiency.value, tg / t4 / 32, 1e-9);
  EXPECT_TRUE(node4->vs_one_gpu->differences.empty());  // same global batch: same work
  // Fewer GPUs than a node is not node scaling.
  EXPECT_FALSE(gpu1->vs_one_node);
  EXPECT_NEAR(*node4->images_per_s_per_gpu, 1.0 / 0.00008 / 32, 1e-6);
  // The laptop is not a cluster configuration: no scaling.
  const ConfigResult* laptop = config_labelled(c, "Laptop 8 threads");
  ASSERT_TRUE(laptop);
  EXPECT_FALSE(laptop->vs_one_node);
  EXPECT_FALSE(laptop->vs_one_gpu);
}

TEST(Comparison, ImportedFamiliesScaleAgainstTheirOwnReferences) {
  const std::string guide =
      "Name,State,Runtime,epochs,total_gpus,nodes,device_type,architecture,batch_size_per_gpu,train_split_samples\n"
      "g1,finished,7224,3,1,1,rocm,vit_b_16,32,80000\n"
      "g8,finished,963,3,8,1,rocm,vit_b_16,32,80000\n";
  const Comparison c = build_comparison(analyse({lumi_shape("n1", 1, 0.0002), lumi_shape("n2", 2, 0.00011)}, guide), {});
  const ConfigResult* measured2 = config_labelled(c, "LUMI 2 nodes (16 GPUs)");
  const ConfigResult* guide8 = config_labelled(c, "LUMI 1 node (8 GPUs), reference ref");
  ASSERT_TRUE(measured2 && guide8);
  EXPECT_EQ(c.configs[measured2->vs_one_node->reference].label, "LUMI 1 node (8 GPUs)");
  EXPECT_FALSE(measured2->vs_one_gpu);  // the only 1-GPU run is the guide's
  ASSERT_TRUE(guide8->vs_one_gpu);
  EXPECT_NEAR(guide8->vs_one_gpu->speedup.value, 7224.0 / 963.0, 1e-9);
  EXPECT_TRUE(guide8->is_imported);
}

TEST(Comparison, SubsetFitReportsLinearityAndWarnsWhenItFails) {
  const Comparison linear = build_comparison(
      analyse({laptop_shape("a", 8, 0.01, 0.01), laptop_shape("b", 8, 0.02, 0.01), laptop_shape("c", 8, 0.05, 0.01)}), {});
  const ConfigResult& l = linear.configs[0];
  ASSERT_TRUE(l.subset_fit);
  EXPECT_EQ(l.subset_fit->fit.n, 3u);
  EXPECT_NEAR(l.subset_fit->fit.slope, 0.01, 1e-12);
  EXPECT_NEAR(l.subset_fit->fit.intercept, 1.0 / 3.0, 1e-9);  // the warm-up excess, spread over 3 epochs
  EXPECT_NEAR(l.subset_fit->fit.r_squared, 1.0, 1e-12);
  EXPECT_NEAR(l.subset_fit->predicted_full_epoch_train_s, 800 + 1.0 / 3.0, 1e-6);
  EXPECT_FALSE(contains_text(l.warnings, "not linear"));

  // The biggest subset twice as fast per sample: R^2 = 0.794 by hand.
  const Comparison bent = build_comparison(
      analyse({laptop_shape("a", 8, 0.01, 0.01), laptop_shape("b", 8, 0.02, 0.01), laptop_shape("c", 8, 0.05, 0.005)}), {});
  const ConfigResult& b = bent.configs[0];
  ASSERT_TRUE(b.subset_fit);
  // x = 800, 1600, 4000; y = 8, 16, 20 (+ a constant): S_xy = 163200/9, S_xx = 49.92e6/9, S_yy = 672/9.
  EXPECT_NEAR(b.subset_fit->fit.r_squared, 163200.0 * 163200.0 / (49.92e6 * 672.0), 1e-9);
  EXPECT_TRUE(contains_text(b.warnings, "not linear in samples"));
  EXPECT_TRUE(b.time_s->has_interval);  // three runs that disagree: a wide interval
  EXPECT_GT(b.time_s->hi - b.time_s->lo, 0.1 * b.time_s->value);
}

TEST(Comparison, SubsetRunsNeverGetAnInventedAccuracyButMayBeProjected) {
  // A workstation GPU run of the same recipe as the laptop (1 rank, batch 32, 3 epochs) on
  // the full split: its measured accuracy per epoch is placed at the laptop's estimated times.
  RunShape gpu = lumi_shape("b-gpu-full", 1, 0.001);
  gpu.device = "cuda";
  gpu.world_size = 1;
  gpu.gpus = 1;
  gpu.gpu_model = "NVIDIA RTX";
  gpu.acc_start = 0.5;
  gpu.acc_gain = 0.2;
  gpu.startup_s = 5.0;
  gpu.warmup_extra_s = 0.5;
  const RunShape laptop = laptop_shape("a-lap", 8, 0.01, 0.01);
  const Comparison c = build_comparison(analyse({laptop, gpu}), {});
  const ConfigResult& lap = c.configs[0];
  EXPECT_FALSE(lap.best_accuracy_pct);  // subset accuracy is not the configuration's
  const AccuracySeries* projected = nullptr;
  for (const auto& s : c.accuracy) {
    if (s.projected) projected = &s;
  }
  ASSERT_NE(projected, nullptr);
  EXPECT_EQ(projected->label, "Laptop 8 threads (projected)");
  EXPECT_TRUE(projected->extrapolated);
  EXPECT_EQ(projected->run_id, "b-gpu-full");
  ASSERT_EQ(projected->points.size(), 3u);
  // Laptop: startup 5 s and warm-up excess 1 s (teardown 1 s comes after the last pass); per epoch
  // 80,000 x 0.01 + 2 s train, 20,000 x 0.01/3 s validation.
  for (int k = 1; k <= 3; ++k) {
    EXPECT_NEAR(projected->points[k - 1].time_s, 6 + k * 802.0 + k * 20000 * 0.01 / 3, 1e-6);
    EXPECT_NEAR(projected->points[k - 1].accuracy_pct, 100 * (0.5 + 0.2 * (k - 1)), 1e-9);
  }
  EXPECT_NE(projected->details.find("not measured on this configuration"), std::string::npos);
  ASSERT_TRUE(c.best_accuracy);
  EXPECT_EQ(c.best_accuracy->run_id, "b-gpu-full");
  EXPECT_NEAR(c.best_accuracy->accuracy_pct, 90.0, 1e-9);

  // A different recipe (global batch 256) gives no projection.
  const Comparison other = build_comparison(analyse({laptop, lumi_shape("b-lumi", 1, 0.0002)}), {});
  for (const auto& s : other.accuracy) EXPECT_FALSE(s.projected) << s.label;
}

// With --eval-every the source run has passes inside epochs; each is placed at the estimated time
// at which the laptop would have done as many steps (and as many epoch-end validations).
TEST(Comparison, ProjectedCurvesPlaceEveryValidationPass) {
  RunShape gpu = lumi_shape("b-gpu-full", 1, 0.001);
  gpu.device = "cuda";
  gpu.world_size = 1;
  gpu.gpus = 1;
  gpu.gpu_model = "NVIDIA RTX";
  gpu.eval_every = 1000;  // 2,500 steps per epoch: passes at 1000, 2000, (2500), 3000, 4000, 5000, (5000), ...
  const Comparison c = build_comparison(analyse({laptop_shape("a-lap", 8, 0.01, 0.01), gpu}), {});
  const AccuracySeries* projected = nullptr;
  const AccuracySeries* measured = nullptr;
  for (const auto& s : c.accuracy) (s.projected ? projected : measured) = &s;
  ASSERT_TRUE(projected && measured);
  ASSERT_EQ(measured->points.size(), 10u);  // 7 extra passes and 3 epoch ends
  ASSERT_EQ(projected->points.size(), 10u);
  const double epoch_s = 80000 * 0.01 + 2.0, val_s = 20000 * 0.01 / 3;
  EXPECT_NEAR(projected->points[0].time_s, 6 + 0.4 * epoch_s, 1e-6);                // step 1000
  EXPECT_NEAR(projected->points[2].time_s, 6 + epoch_s + val_s, 1e-6);              // end of epoch 1
  EXPECT_NEAR(projected->points[5].time_s, 6 + 2 * epoch_s + val_s, 1e-6);          // step 5000, before
  EXPECT_NEAR(projected->points[6].time_s, 6 + 2 * epoch_s + 2 * val_s, 1e-6);      // epoch 2's own pass
  for (size_t k = 1; k < projected->points.size(); ++k) {
    EXPECT_GE(projected->points[k].time_s, projected->points[k - 1].time_s);
    EXPECT_DOUBLE_EQ(projected->points[k].accuracy_pct, measured->points[k].accuracy_pct);
  }
}

// A full run of the job and subset runs of the same configuration: the full run is the figure,
// and the subset runs' extrapolation is checked against it.
TEST(Comparison, AMeasuredJobChecksTheExtrapolationOfItsConfiguration) {
  RunShape full = laptop_shape("full", 8, 1.0, 0.01);
  const auto agree = build_comparison(analyse({laptop_shape("sub", 8, 0.02, 0.01), full}), {});
  ASSERT_EQ(agree.configs.size(), 1u);
  EXPECT_FALSE(agree.configs[0].extrapolated);
  EXPECT_FALSE(contains_text(agree.configs[0].warnings, "check:"));
  // The subset ran at twice the per-sample time (another job on the machine): said, with numbers.
  const auto miss = build_comparison(analyse({laptop_shape("sub", 8, 0.02, 0.02), full}), {});
  ASSERT_EQ(miss.configs.size(), 1u);
  const ConfigResult& c = miss.configs[0];
  EXPECT_FALSE(c.extrapolated);
  EXPECT_NEAR(c.time_s->value, expected_job_time(full, 3), 1e-6);
  EXPECT_TRUE(contains_text(c.warnings, "check: extrapolating from the 1 other run of this configuration gives "))
      << c.warnings.front();
  EXPECT_TRUE(contains_text(c.warnings, "the measured time is " +
                                            format_number(std::round(expected_job_time(full, 3) * 10) / 10) + " s (+"));
}

TEST(Comparison, ConfigurationsWithEqualLabelsAreToldApart) {
  RunShape a = laptop_shape("a", 8, 0.01, 0.01), b = laptop_shape("b", 8, 0.01, 0.01);
  b.batch_size = 64;
  const Comparison c = build_comparison(analyse({a, b}), {});
  ASSERT_EQ(c.configs.size(), 2u);
  EXPECT_EQ(c.configs[0].label, "Laptop 8 threads (per-rank batch 32, global batch 32)");
  EXPECT_EQ(c.configs[1].label, "Laptop 8 threads (per-rank batch 64, global batch 64)");
}
