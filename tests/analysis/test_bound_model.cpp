// Why a configuration is as fast as it is (bound attribution, FLOP/s against the measured
// matrix-product rate) and the scaling model (alpha-beta fit of the allreduce sweep, predictions
// marked modelled), in every output.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "analysis/compare/bound.h"
#include "analysis/report/chart_fill.h"
#include "analysis/input/csv_reader.h"
#include "analysis/report/reports.h"
#include "analysis/compare/scaling_model.h"
#include "support/comparison_fixture.h"

using namespace lb::analysis;
using namespace lb::testing;

namespace {

std::map<std::string, std::map<std::string, std::string>> csv_rows(const Comparison& c) {
  const CsvParseResult csv = parse_csv(benchmark_csv_text(c));
  if (!csv.ok) throw std::runtime_error(csv.error);
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (const auto& row : csv.table.rows) {
    std::map<std::string, std::string> m;
    for (size_t i = 0; i < csv.table.header.size(); ++i) m[csv.table.header[i]] = row[i];
    rows[m["run_id"]] = m;
  }
  return rows;
}

constexpr double kAlpha = 20e-6;   // s per ring step
constexpr double kBeta = 1e-10;    // s per byte (10 GB/s)
constexpr int64_t kParameters = 86'000'000;
constexpr double kOneRankStep = 32 * 0.0016;  // 32 images per rank at 1.6 ms each

// One GPU, one node of 8 and two nodes of 8, 32 images per rank; the multi-rank runs measured an
// allreduce sweep that follows the ring model exactly and ran `slack` slower than the model.
std::vector<RunShape> scaling_family(double slack = 1.0) {
  auto gpu_run = [](const std::string& id, int64_t nodes, int64_t ranks) {
    RunShape s = lumi_shape(id, nodes, 0.0);
    s.world_size = ranks;
    s.gpus = ranks;
    s.batch_size = 32;
    s.parameters = kParameters;
    s.full_train = 80000;
    s.epochs = 1;
    if (ranks > 1) {
      s.sweep_alpha_s = kAlpha;
      s.sweep_beta_s_per_byte = kBeta;
    }
    return s;
  };
  RunShape one = gpu_run("a-1gpu", 1, 1);
  one.per_sample_s = kOneRankStep / 32;
  std::vector<RunShape> out = {one};
  for (auto [id, nodes, ranks] : {std::tuple{"b-1node", 1, 8}, std::tuple{"c-2nodes", 2, 16}}) {
    RunShape s = gpu_run(id, nodes, ranks);
    const double step = kOneRankStep + ring_allreduce_s(kAlpha, kBeta, ranks, 4.0 * kParameters, 14);
    s.per_sample_s = step * slack / (32.0 * ranks);
    out.push_back(s);
  }
  return out;
}

}  // namespace

TEST(Bound, TheLabelFollowsTheDocumentedRule) {
  EXPECT_EQ(bound_label(0.05, 0.02), "compute-bound");
  EXPECT_EQ(bound_label(0.30, 0.02), "data-bound");
  EXPECT_EQ(bound_label(0.05, 0.25), "communication-bound");
  EXPECT_EQ(bound_label(0.25, 0.25), "data-bound");  // a tie goes to the data: it is waited for first
  EXPECT_EQ(bound_label(0.22, 0.30), "communication-bound");
  EXPECT_EQ(bound_label(0.199, 0.199), "compute-bound");
}

TEST(Bound, SharesArePooledOverRunsAndFlopsCompareWithTheMeasuredRate) {
  RunShape data_bound = laptop_shape("a-lap", 8, 0.01, 0.01);
  data_bound.data_wait_share = 0.3;
  data_bound.gemm_flops_per_s = 1e12;
  RunShape comm_bound = lumi_shape("b-lumi", 1, 0.0002);
  comm_bound.comm_share = 0.25;
  comm_bound.gemm_flops_per_s = 40e12;
  RunShape compute_a = lumi_shape("c-lumi2", 2, 0.0001), compute_b = lumi_shape("d-lumi2", 2, 0.0001);
  compute_b.run_scale = 3.0;           // three times the step time: three times the weight in the pool
  compute_b.data_wait_share = 0.15;
  const Comparison c = build_comparison(analyse({data_bound, comm_bound, compute_a, compute_b}), {});
  const ConfigResult& lap = c.configs[c.runs[0].config];
  const ConfigResult& one = c.configs[c.runs[1].config];
  const ConfigResult& two = c.configs[c.runs[2].config];
  ASSERT_TRUE(lap.bound && one.bound && two.bound);
  EXPECT_EQ(lap.bound->label, "data-bound");
  EXPECT_NEAR(lap.bound->data_wait, 0.3, 1e-12);
  EXPECT_NEAR(lap.bound->compute, 0.7, 1e-12);
  EXPECT_NEAR(lap.bound->comm, 0.0, 1e-12);
  EXPECT_EQ(one.bound->label, "communication-bound");
  EXPECT_NEAR(one.bound->comm, 0.25, 1e-12);
  EXPECT_NEAR(one.bound->compute, 0.70, 1e-12);
  // A ratio of sums, not a mean of ratios: (0.05 x 1 + 0.15 x 3) / 4 = 0.125.
  EXPECT_EQ(two.bound->runs, 2u);
  EXPECT_NEAR(two.bound->data_wait, 0.125, 1e-9);
  EXPECT_EQ(two.bound->label, "compute-bound");
  // Model FLOP/s per rank against the measured rate: 3 x 17.56 GFLOP/image x 5000 images/s / 8.
  const double per_rank = 3 * 17.56e9 * (1 / 0.0002) / 8;
  EXPECT_NEAR(*one.bound->model_flops_per_s / per_rank, 1.0, 1e-9);
  EXPECT_NEAR(*one.bound->model_flops_utilisation, per_rank / 40e12, 1e-9);
  EXPECT_FALSE(two.bound->gemm_flops_per_s);  // not measured: no fraction invented
  EXPECT_FALSE(two.bound->model_flops_utilisation);

  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("## Bound attribution: where the step time goes"), std::string::npos);
  EXPECT_NE(md.find("| **communication-bound** |"), std::string::npos) << md;
  EXPECT_NE(md.find("| **data-bound** |"), std::string::npos);
  const auto j = nlohmann::json::parse(summary_json_text(c));
  for (const auto& cfg : j["configurations"]) {
    ASSERT_TRUE(cfg["bound"].is_object()) << cfg["label"];
    EXPECT_EQ(cfg["bound"]["kind"], "measured");
  }
  EXPECT_EQ(j["runs"][1]["bound"]["label"], "communication-bound");
  const auto rows = csv_rows(c);
  EXPECT_EQ(rows.at("a-lap").at("bound"), "data-bound");
  EXPECT_EQ(rows.at("d-lumi2").at("bound"), "compute-bound");
  EXPECT_EQ(rows.at("d-lumi2").at("config_bound"), "compute-bound");
  EXPECT_NEAR(std::stod(rows.at("b-lumi").at("model_flops_utilisation")), per_rank / 40e12, 1e-9);
  const auto chart = to_chart_data(c);
  ASSERT_EQ(chart.bounds.size(), 3u);
  for (const auto& b : chart.bounds) {
    EXPECT_LE(b.data_wait + b.compute + b.comm + b.other, 1 + 1e-9) << b.label;
    EXPECT_FALSE(b.bound.empty());
  }
}

TEST(Bound, WithoutAComputeBreakdownComputeIsTheRestOfTheStep) {
  ConfigResult c;
  c.runs = {0};
  RunAnalysis a;
  a.in_comparison = true;
  a.metrics.steady_step_sum_s = 10;
  a.metrics.steady_data_wait_sum_s = 1;
  a.metrics.steady_comm_sum_s = 2.5;
  const auto b = summarize_bound(c, {a});
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->compute_recorded);
  EXPECT_NEAR(b->compute, 0.65, 1e-12);
  EXPECT_NEAR(b->other, 0.0, 1e-12);
  EXPECT_EQ(b->label, "communication-bound");
  a.run.origin = Origin::Imported;  // imports have no steps: no attribution
  EXPECT_FALSE(summarize_bound(c, {a}));
}

TEST(ScalingModel, TheAlphaBetaFitRecoversTheSweep) {
  std::vector<AllreduceSample> sweep;
  for (int ranks : {8, 16}) {
    for (int64_t bytes = 1024; bytes <= (int64_t{1} << 28); bytes *= 4) {
      sweep.push_back({bytes, ring_allreduce_s(kAlpha, kBeta, ranks, static_cast<double>(bytes)), 10, ranks});
    }
  }
  const TwoTermFit fit = fit_allreduce(sweep);
  ASSERT_TRUE(fit.valid);
  EXPECT_NEAR(fit.a / kAlpha, 1.0, 1e-9);
  EXPECT_NEAR(fit.b / kBeta, 1.0, 1e-9);
  EXPECT_LT(fit.rms_relative_error, 1e-9);
  // 2 (n - 1) alpha + 2 (n - 1) / n m beta, by hand for 8 ranks, 1 MB, 3 messages.
  EXPECT_NEAR(ring_allreduce_s(kAlpha, kBeta, 8, 1e6, 3), 3 * 14 * kAlpha + 1.75e6 * kBeta, 1e-15);
  EXPECT_EQ(ring_allreduce_s(kAlpha, kBeta, 1, 1e6), 0.0);
}

TEST(ScalingModel, PredictedAgainstMeasuredAndModelledNodeCounts) {
  const Comparison c = build_comparison(analyse(scaling_family()), {});
  ASSERT_EQ(c.scaling_models.size(), 1u);
  const ScalingModel& m = c.scaling_models[0];
  EXPECT_EQ(c.configs[m.reference].label, "LUMI 1 node (1 GPU)");
  EXPECT_NEAR(m.reference_step_s, kOneRankStep, 1e-12);
  EXPECT_NEAR(m.alpha_s / kAlpha, 1.0, 1e-6);
  EXPECT_NEAR(m.beta_s_per_byte / kBeta, 1.0, 1e-6);
  EXPECT_DOUBLE_EQ(m.gradient_bytes, 4.0 * kParameters);
  EXPECT_EQ(m.buckets, 14);  // 344 MB in buckets of 25 MiB
  EXPECT_EQ(m.ranks_per_node, 8);
  EXPECT_EQ(m.sweep_ranks, (std::vector<int>{8, 16}));
  // Ranks 1 (the reference), 8 and 16 measured; 32 and 64 (4 and 8 nodes) modelled.
  std::vector<int> ranks;
  for (const auto& p : m.points) ranks.push_back(p.ranks);
  EXPECT_EQ(ranks, (std::vector<int>{1, 8, 16, 32, 64}));
  for (const auto& p : m.points) {
    SCOPED_TRACE(p.ranks);
    const double predicted = kOneRankStep + ring_allreduce_s(kAlpha, kBeta, p.ranks, 4.0 * kParameters, 14);
    EXPECT_NEAR(p.predicted_step_s / predicted, 1.0, 1e-6);
    EXPECT_NEAR(p.predicted_efficiency, kOneRankStep / p.predicted_step_s, 1e-12);
    if (p.ranks <= 16) {
      ASSERT_TRUE(p.config && p.measured_step_s);
      EXPECT_NEAR(*p.measured_step_s / predicted, 1.0, 1e-6);  // these runs follow the model
    } else {
      EXPECT_FALSE(p.config);
      EXPECT_FALSE(p.measured_step_s);
      EXPECT_EQ(p.nodes, p.ranks / 8);
    }
  }
  EXPECT_FALSE(contains_text(c.warnings, "scaling model: measured step time"));

  // Every output marks the predictions modelled.
  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("## Scaling model: measured"), std::string::npos) << md;
  EXPECT_NE(md.find("| 32 | 4 | not run (modelled) |"), std::string::npos) << md;
  EXPECT_NE(md.find("*modelled* = predicted by the scaling model"), std::string::npos);
  const auto j = nlohmann::json::parse(summary_json_text(c));
  ASSERT_EQ(j["scaling_models"].size(), 1u);
  for (const auto& p : j["scaling_models"][0]["points"]) {
    EXPECT_EQ(p["predicted"]["kind"], "modelled");
    EXPECT_FALSE(p["predicted"]["extrapolated"].get<bool>());
    if (p["ranks"] == 64) {
      EXPECT_TRUE(p["measured"].is_null());
    }
  }
  const auto rows = csv_rows(c);
  ASSERT_TRUE(rows.count("modelled: 32 ranks (4 nodes)"));
  const auto& modelled = rows.at("modelled: 32 ranks (4 nodes)");
  EXPECT_EQ(modelled.at("is_modelled"), "true");
  EXPECT_EQ(modelled.at("status"), "modelled");
  EXPECT_EQ(modelled.at("in_comparison"), "false");
  EXPECT_EQ(modelled.at("job_time_s"), "");
  EXPECT_EQ(rows.at("b-1node").at("is_modelled"), "false");
  EXPECT_NE(rows.at("b-1node").at("model_predicted_step_s"), "");
  const auto chart = to_chart_data(c);
  ASSERT_EQ(chart.model.size(), 5u);
  EXPECT_TRUE(chart.model[1].measured);
  EXPECT_FALSE(chart.model[3].measured);
  EXPECT_NE(chart.model[3].label.find("modelled"), std::string::npos);
  EXPECT_NE(chart.model_description.find("alpha 20 us"), std::string::npos) << chart.model_description;
}

TEST(ScalingModel, AMeasurementFarFromThePredictionIsExplained) {
  const Comparison slow = build_comparison(analyse(scaling_family(1.5)), {});
  EXPECT_TRUE(contains_text(slow.warnings, "% above the modelled"));
  EXPECT_TRUE(contains_text(slow.warnings, "a cost the model lacks"));
}

TEST(ScalingModel, WithoutAOneRankRunThereIsNoModelAndItSaysWhy) {
  auto shapes = scaling_family();
  shapes.erase(shapes.begin());
  const Comparison c = build_comparison(analyse(shapes), {});
  EXPECT_TRUE(c.scaling_models.empty());
  EXPECT_TRUE(contains_text(c.warnings, "not built: no one-rank configuration"));
  // Older files have no sweep: nothing is modelled, and the reason is given once per family.
  for (auto& s : shapes) s.schema_v1 = true;
  const Comparison old = build_comparison(analyse(shapes), {});
  EXPECT_TRUE(old.scaling_models.empty());
  EXPECT_EQ(std::count_if(old.warnings.begin(), old.warnings.end(),
                          [](const std::string& w) { return w.find("no allreduce sweep recorded") != std::string::npos; }),
            1);
  // One-rank runs alone have nothing to model: nothing is said.
  const Comparison single = build_comparison(analyse({scaling_family().front()}), {});
  EXPECT_FALSE(contains_text(single.warnings, "scaling model"));
}
