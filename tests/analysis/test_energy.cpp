// Energy, carbon, cost and memory (analysis/energy.h): the counter rule, measured against
// modelled energy, runs with and without counters, mixed configurations, a counter recorded as
// unavailable, the billing rule and grid intensities as options, memory beside time, and every
// output (summary.md, summary.json, benchmark_data.csv, the chart data). Fixtures written here.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "analysis/analyze_app.h"
#include "analysis/report/chart_fill.h"
#include "analysis/report/chart_output.h"
#include "analysis/input/csv_reader.h"
#include "analysis/compare/energy.h"
#include "common/errors.h"
#include "analysis/report/reports.h"
#include "support/comparison_fixture.h"

using namespace lb::analysis;
using namespace lb::testing;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

EnergyCounterRow row(int32_t epoch, const std::string& counter, double joules, double seconds = 100) {
  EnergyCounterRow r;
  r.epoch = epoch;
  r.counter = counter;
  r.joules = joules;
  r.seconds = seconds;
  return r;
}

std::map<std::string, std::map<std::string, std::string>> csv_rows(const Comparison& c) {
  const CsvParseResult csv = parse_csv(benchmark_csv_text(c));
  if (!csv.ok) throw std::runtime_error(csv.error);
  std::map<std::string, std::map<std::string, std::string>> rows;
  for (const auto& r : csv.table.rows) {
    std::map<std::string, std::string> m;
    for (size_t i = 0; i < csv.table.header.size(); ++i) m[csv.table.header[i]] = r[i];
    rows[m["run_id"]] = m;
  }
  return rows;
}

const ConfigResult& config_of(const Comparison& c, const std::string& run_id) {
  for (const auto& r : c.runs) {
    if (r.run.run_id == run_id) return c.configs[r.config];
  }
  throw std::runtime_error("no run " + run_id);
}

const RunAnalysis& run_of(const Comparison& c, const std::string& run_id) {
  for (const auto& r : c.runs) {
    if (r.run.run_id == run_id) return r;
  }
  throw std::runtime_error("no run " + run_id);
}

// A laptop run of the full split (it did the job: measured) with RAPL package and DRAM counters.
RunShape laptop_full(const std::string& id) {
  RunShape s = laptop_shape(id, 8, 1.0, 0.001);
  s.energy_counters = {{"rapl:package-0", 20.0}, {"rapl:dram", 5.0}};
  s.outside_power_factor = 0.4;  // 10 W while setting up and tearing down
  return s;
}

// Sums of the epoch times of a shape: the window its counters measured at full power.
double epochs_seconds(const RunShape& s) {
  const FixtureRun f = build_run(s);
  double t = 0;
  for (const auto& e : f.epochs) t += e.epoch_time_s;
  return t;
}

double wall_of(const RunShape& s) { return std::get<double>(build_run(s).attrs.at("wall_time_s")); }

}  // namespace

// ---- Reading ---------------------------------------------------------------------------------

TEST(EnergyReader, ReadsTheEnergyTableEpochEnergyAndMemory) {
  RunShape s = laptop_full("lap-e");
  s.peak_rss_bytes_max_rank = 5'000'000'000;
  s.peak_device_memory_bytes = 0;
  s.energy_unavailable = "rapl: /sys/class/powercap/intel-rapl:1/energy_uj: Permission denied";
  const RunRecord r = round_trip(s);
  EXPECT_EQ(r.energy.sources, "rapl");
  EXPECT_EQ(r.energy.unavailable, s.energy_unavailable);
  ASSERT_TRUE(r.energy.energy_j);
  ASSERT_EQ(r.energy.counters.size(), 2u * (3 + 1));  // two counters, three epochs and the whole run
  EXPECT_EQ(r.energy.counters[0].counter, "rapl:package-0");
  EXPECT_EQ(r.energy.counters[0].epoch, 0);
  EXPECT_EQ(r.energy.counters[3].epoch, -1);
  EXPECT_NEAR(r.energy.counters[0].joules, 20.0 * r.epochs[0].epoch_time_s, 1e-9);
  EXPECT_NEAR(r.epochs[1].energy_j, 25.0 * r.epochs[1].epoch_time_s, 1e-9);
  EXPECT_EQ(r.peak_rss_bytes_max_rank, 5'000'000'000);
  EXPECT_EQ(r.peak_device_memory_bytes, 0);
}

TEST(EnergyReader, OlderFilesHaveNoEnergyAndStillRead) {
  RunShape s = laptop_shape("old-1", 8, 0.01, 0.01);
  s.schema_v1 = true;
  const RunRecord r = round_trip(s);
  EXPECT_FALSE(r.energy.anything_recorded());
  EXPECT_FALSE(r.peak_device_memory_bytes);
  const Comparison c = build_comparison(analyse({s}), {});
  EXPECT_EQ(c.configs[0].energy.kind, "modelled");
  EXPECT_NE(c.configs[0].energy.reason.find("no energy recorded"), std::string::npos) << c.configs[0].energy.reason;
}

// ---- The counter rule ------------------------------------------------------------------------

TEST(CounterRule, TheNodeCounterIsNeverAddedToItsParts) {
  const std::vector<EnergyCounterRow> rows = {
      row(-1, "cray_pm:node", 1000),  row(-1, "cray_pm:accel0", 200), row(-1, "cray_pm:accel1", 200),
      row(-1, "cray_pm:cpu", 100),    row(-1, "cray_pm:memory", 50),  row(-1, "rocm_smi:gpu", 700),
      row(-1, "rapl:package-0", 90)};
  const CounterSelection s = select_counters(rows, -1);
  ASSERT_TRUE(s.available);
  EXPECT_DOUBLE_EQ(s.joules, 1000);
  EXPECT_EQ(s.parts, std::vector<std::string>({"cray_pm:node"}));
  EXPECT_TRUE(s.covers_host && s.covers_accelerators);
  EXPECT_TRUE(contains_text(s.left_out, "cray_pm:accel: inside cray_pm:node"));
  EXPECT_TRUE(contains_text(s.left_out, "rocm_smi:gpu: inside cray_pm:node"));
}

TEST(CounterRule, ALaptopIsItsPackagesPlusDramAndNeverItsCores) {
  const std::vector<EnergyCounterRow> rows = {row(-1, "rapl:package-0", 50), row(-1, "rapl:package-1", 40),
                                              row(-1, "rapl:dram", 10), row(-1, "rapl:core-0", 30),
                                              row(-1, "rapl:uncore-0", 5)};
  const CounterSelection s = select_counters(rows, -1);
  ASSERT_TRUE(s.available);
  EXPECT_DOUBLE_EQ(s.joules, 100);
  EXPECT_EQ(s.parts, std::vector<std::string>({"rapl:package", "rapl:dram"}));
  EXPECT_TRUE(s.covers_host);
  EXPECT_FALSE(s.covers_accelerators);
  EXPECT_TRUE(contains_text(s.left_out, "rapl:core: part of the package"));
  // psys contains the packages and DRAM: alone when readable.
  std::vector<EnergyCounterRow> with_psys = rows;
  with_psys.push_back(row(-1, "rapl:psys", 130));
  const CounterSelection p = select_counters(with_psys, -1);
  EXPECT_DOUBLE_EQ(p.joules, 130);
  EXPECT_TRUE(contains_text(p.left_out, "rapl:package: inside rapl:psys"));
}

TEST(CounterRule, AGpuNodeWithoutItsNodeCounterIsHostPlusGpusCountedOnce) {
  const std::vector<EnergyCounterRow> rows = {row(-1, "rapl:package-0", 300), row(-1, "rocm_smi:gpu", 1600),
                                              row(-1, "cray_pm:accel0", 800), row(-1, "cray_pm:accel1", 790),
                                              row(-1, "cray_pm:node", kNaN)};
  const CounterSelection s = select_counters(rows, -1);
  ASSERT_TRUE(s.available);
  EXPECT_DOUBLE_EQ(s.joules, 1900);
  EXPECT_EQ(s.parts, std::vector<std::string>({"rapl:package", "rocm_smi:gpu"}));
  EXPECT_TRUE(s.covers_host && s.covers_accelerators);
  EXPECT_TRUE(contains_text(s.left_out, "cray_pm:accel: the same accelerators, measured once"));
  EXPECT_TRUE(contains_text(s.unreadable, "cray_pm:node")) << "unreadable, never zero";
}

TEST(CounterRule, AClassTotalWinsOverItsPartsAndAnUnreadablePartMakesNoFigure) {
  const CounterSelection total = select_counters(
      {row(-1, "rapl:package-0", 50), row(-1, "rapl:package", 95), row(-1, "rapl:package-1", 45)}, -1);
  EXPECT_DOUBLE_EQ(total.joules, 95);
  const CounterSelection broken = select_counters({row(-1, "rapl:package-0", 50), row(-1, "rapl:package-1", kNaN)}, -1);
  EXPECT_FALSE(broken.available) << "a sum that silently misses a socket is no figure";
  EXPECT_TRUE(contains_text(broken.unreadable, "rapl:package"));
  // Windows: only the rows of the asked epoch, and with `only` the same counters or nothing.
  const std::vector<EnergyCounterRow> rows = {row(0, "rapl:package-0", 10), row(0, "rapl:dram", 2),
                                              row(1, "rapl:package-0", 11), row(-1, "rapl:package-0", 30)};
  EXPECT_DOUBLE_EQ(select_counters(rows, 0).joules, 12);
  const std::vector<std::string> both = {"rapl:package", "rapl:dram"};
  EXPECT_FALSE(select_counters(rows, 1, &both).available);
}

// ---- Runs with and without counters ------------------------------------------------------------

TEST(RunEnergy, ARunThatDidTheJobKeepsItsMeasuredEnergy) {
  const RunShape s = laptop_full("lap-full");
  const Comparison c = build_comparison(analyse({s}), {});
  const ConfigEnergy& e = c.configs[0].energy;
  const double epochs = epochs_seconds(s), wall = wall_of(s);
  const double expected = 25.0 * epochs + 10.0 * (wall - epochs);
  ASSERT_TRUE(e.energy_j);
  EXPECT_EQ(e.kind, "measured");
  EXPECT_NEAR(e.energy_j->value, expected, 1e-6 * expected);
  EXPECT_FALSE(e.energy_j->has_interval);
  EXPECT_NEAR(*e.per_image_j, expected / (3 * 80000.0), 1e-9);
  EXPECT_NEAR(e.co2_g->value, expected / 3.6e6 * 214, 1e-6);
  EXPECT_EQ(e.site, "laptop");
  EXPECT_FALSE(e.cost);
  EXPECT_EQ(e.cost_reason, "own machine: no allocation billed");
  const RunEnergy& r = run_of(c, "lap-full").energy;
  EXPECT_TRUE(r.measured);
  EXPECT_EQ(r.from, "energy table");
  EXPECT_NEAR(*r.epoch_power_w, 25.0, 1e-9);
  EXPECT_NEAR(*r.other_power_w, 10.0, 1e-9);
  EXPECT_NE(e.coverage.find("rapl:package (CPU package) + rapl:dram (DRAM)"), std::string::npos) << e.coverage;
}

TEST(RunEnergy, ASubsetRunIsExtrapolatedWithItsEpochAndSetupPower) {
  RunShape s = laptop_full("lap-1pct");
  s.subset_fraction = 0.01;
  const Comparison c = build_comparison(analyse({s}), {});
  const ConfigEnergy& e = c.configs[0].energy;
  // Setup and teardown (5 s + 1 s) at 10 W, the rest of the full job at the epochs' 25 W.
  const double t = c.configs[0].time_s->value;
  EXPECT_NEAR(t, expected_job_time(s, 3), 1e-6 * t);
  const double expected = 10.0 * 6 + 25.0 * (t - 6);
  EXPECT_EQ(e.kind, "extrapolated");
  EXPECT_NEAR(e.energy_j->value, expected, 1e-6 * expected);
  EXPECT_NE(e.method.find("measured power of run lap-1pct"), std::string::npos) << e.method;
  const auto rows = csv_rows(c);
  EXPECT_EQ(rows.at("lap-1pct").at("job_energy_kind"), "extrapolated");
  EXPECT_EQ(rows.at("lap-1pct").at("config_energy_kind"), "extrapolated");
  EXPECT_EQ(rows.at("lap-1pct").at("run_energy_counters"), "rapl:package+rapl:dram");
}

TEST(RunEnergy, WithoutCountersEnergyIsModelledFromTheStatedPowerAndMarkedSo) {
  RunShape lumi = lumi_shape("lumi-1", 1, 0.0002);
  ComparisonOptions o;
  const Comparison c = build_comparison(analyse({lumi}), o);
  const ConfigResult& k = c.configs[0];
  ASSERT_TRUE(k.energy.energy_j);
  EXPECT_EQ(k.energy.kind, "modelled");
  EXPECT_NEAR(k.energy.energy_j->value, 8 * 280.0 * k.time_s->value, 1e-6);
  EXPECT_EQ(k.energy.power_w, 8 * 280.0);
  EXPECT_NE(k.energy.reason.find("no energy counter was readable"), std::string::npos) << k.energy.reason;
  // The stated power is an option.
  o.energy.gpu_power_w = 300;
  const Comparison d = build_comparison(analyse({lumi}), o);
  EXPECT_NEAR(d.configs[0].energy.energy_j->value, 8 * 300.0 * k.time_s->value, 1e-6);
  // Every output says "modelled" next to the figure.
  const auto j = nlohmann::json::parse(summary_json_text(c));
  const auto& energy = j["configurations"][0]["energy"];
  EXPECT_EQ(energy["kind"], "modelled");
  EXPECT_EQ(energy["job_j"]["kind"], "modelled");
  EXPECT_TRUE(energy["job_j"]["modelled"].get<bool>());
  EXPECT_FALSE(energy["job_j"]["extrapolated"].get<bool>());
  EXPECT_EQ(j["configurations"][0]["co2e_g"]["job"]["kind"], "modelled");
  EXPECT_EQ(csv_rows(c).at("lumi-1").at("config_energy_kind"), "modelled");
  EXPECT_EQ(csv_rows(c).at("lumi-1").at("job_energy_j"), "") << "a modelled figure is never a run's measured energy";
  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("| modelled | "), std::string::npos);
}

TEST(RunEnergy, ACounterRecordedAsUnavailableIsModelledAndSaysWhy) {
  RunShape s = laptop_shape("lap-denied", 8, 0.01, 0.01);
  s.energy_unavailable = "rapl: /sys/class/powercap/intel-rapl:0/energy_uj: Permission denied";
  // And one whose table holds the counter with no figure (NaN joules).
  FixtureRun nan_run = build_run(laptop_shape("lap-nan", 4, 0.01, 0.01));
  nan_run.energy.push_back(energy_row(-1, "rapl:package-0", kNaN, 100));
  nan_run.energy.push_back(energy_row(0, "rapl:package-0", kNaN, 50));
  std::vector<RunAnalysis> runs;
  for (auto& r : round_trip({build_run(s), nan_run})) runs.push_back(analyse_run(std::move(r)));
  const Comparison c = build_comparison(std::move(runs), {});
  const ConfigResult& denied = config_of(c, "lap-denied");
  EXPECT_EQ(denied.energy.kind, "modelled");
  EXPECT_NEAR(denied.energy.energy_j->value, 40.0 * denied.time_s->value, 1e-6);
  EXPECT_NE(denied.energy.reason.find("energy counters unavailable: rapl: /sys/class/powercap/intel-rapl:0/energy_uj: "
                                      "Permission denied"),
            std::string::npos)
      << denied.energy.reason;
  const ConfigResult& nan = config_of(c, "lap-nan");
  EXPECT_EQ(nan.energy.kind, "modelled");
  EXPECT_EQ(nan.energy.reason, "no energy counter was readable over the run");
  const auto rows = csv_rows(c);
  EXPECT_EQ(rows.at("lap-denied").at("energy_unavailable"), s.energy_unavailable);
  EXPECT_NE(rows.at("lap-denied").at("config_energy_not_measured_reason").find("Permission denied"), std::string::npos);
  EXPECT_EQ(rows.at("lap-nan").at("run_energy_j"), "");
  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("not measured: energy counters unavailable: rapl:"), std::string::npos);
  const auto j = nlohmann::json::parse(summary_json_text(c));
  for (const auto& run : j["runs"]) {
    EXPECT_FALSE(run["energy"]["measured"].get<bool>());
    EXPECT_TRUE(run["energy"]["run_j"].is_null()) << "unavailable is never zero";
  }
}

TEST(RunEnergy, AGpuRunMeasuredOnlyOnItsHostIsNotTheRunsEnergy) {
  RunShape gpu = lumi_shape("lumi-host-only", 1, 0.0002);
  gpu.energy_counters = {{"rapl:package-0", 250.0}};
  RunShape gpus_only = lumi_shape("lumi-gpus-only", 2, 0.0001);
  gpus_only.energy_counters = {{"rocm_smi:gpu", 4000.0}};
  const Comparison c = build_comparison(analyse({gpu, gpus_only}), {});
  const ConfigResult& host = config_of(c, "lumi-host-only");
  EXPECT_EQ(host.energy.kind, "modelled");
  EXPECT_NE(host.energy.reason.find("cover only rapl:package"), std::string::npos) << host.energy.reason;
  // GPUs without the host are measured, and said to be a lower bound.
  const ConfigResult& g = config_of(c, "lumi-gpus-only");
  EXPECT_EQ(g.energy.kind, "measured");
  EXPECT_TRUE(contains_text(g.energy.notes, "the energy covers the GPUs only, a lower bound"));
}

TEST(RunEnergy, TheHarnessTotalIsCheckedAgainstTheCounterRule) {
  RunShape s = lumi_shape("lumi-node", 1, 0.0002);
  s.energy_counters = {{"cray_pm:node", 2000.0}, {"cray_pm:accel0", 400.0}, {"rocm_smi:gpu", 1500.0}};
  const Comparison c = build_comparison(analyse({s}), {});  // energy_j: the sum of all three, double counted
  const ConfigEnergy& e = c.configs[0].energy;
  EXPECT_EQ(e.kind, "measured");
  EXPECT_NEAR(e.power_w, 2000.0, 1e-6);
  EXPECT_TRUE(contains_text(e.notes, "energy_j attribute")) << "the double-counted total is named";
  EXPECT_TRUE(contains_text(e.notes, "rocm_smi:gpu: inside cray_pm:node: not added"));
  // Without a table, the attribute alone is the run's energy.
  FixtureRun f = build_run(lumi_shape("lumi-attr", 1, 0.0002));
  const double wall = std::get<double>(f.attrs.at("wall_time_s"));
  f.attrs["energy_j"] = 2100.0 * wall;
  f.attrs["energy_sources"] = std::string("cray_pm");
  std::vector<RunAnalysis> runs;
  for (auto& r : round_trip({f})) runs.push_back(analyse_run(std::move(r)));
  const Comparison d = build_comparison(std::move(runs), {});
  EXPECT_EQ(d.configs[0].energy.kind, "measured");
  EXPECT_NEAR(d.configs[0].energy.energy_j->value, 2100.0 * wall, 1e-6);
  EXPECT_EQ(d.runs[0].energy.from, "energy_j attribute");
}

// ---- Configurations ----------------------------------------------------------------------------

TEST(ConfigEnergy, MixedConfigurationsAndRunsKeepMeasuredAndModelledApart) {
  RunShape laptop = laptop_full("lap-m");
  laptop.subset_fraction = 0.02;
  RunShape one_node = lumi_shape("lumi-1n", 1, 0.0002);  // no counters: modelled
  RunShape two_a = lumi_shape("lumi-2n-a", 2, 0.0001), two_b = lumi_shape("lumi-2n-b", 2, 0.0001);
  two_a.energy_counters = {{"cray_pm:node", 2 * 2200.0}};  // measured in one of the two repetitions
  two_b.run_scale = 1.02;
  one_node.batch_size = 4;  // the laptop's global batch of 32: the same work, so in the headline
  two_a.batch_size = two_b.batch_size = 2;
  const Comparison c = build_comparison(analyse({laptop, one_node, two_a, two_b}), {});
  const ConfigResult& lap = config_of(c, "lap-m");
  const ConfigResult& one = config_of(c, "lumi-1n");
  const ConfigResult& two = config_of(c, "lumi-2n-a");
  EXPECT_EQ(&two, &config_of(c, "lumi-2n-b")) << "repetitions of one configuration";
  EXPECT_EQ(lap.energy.kind, "extrapolated");
  EXPECT_EQ(one.energy.kind, "modelled");
  EXPECT_EQ(two.energy.kind, "extrapolated") << "measured in 1 of 2 runs";
  EXPECT_EQ(two.energy.measured_runs, 1u);
  EXPECT_TRUE(contains_text(two.energy.notes, "energy measured in 1 of the 2 runs"));
  // The measured run's energy per second of job, over the configuration's (mean) time.
  const RunAnalysis& a = run_of(c, "lumi-2n-a");
  EXPECT_NEAR(two.energy.energy_j->value, a.energy.job_j->value / a.job.time_s.value * two.time_s->value, 1e-6);
  // Ratios against the baseline (the laptop) carry the weaker kind.
  ASSERT_TRUE(one.energy.vs_baseline && two.energy.vs_baseline);
  EXPECT_EQ(one.energy.vs_baseline_kind, "modelled");
  EXPECT_EQ(two.energy.vs_baseline_kind, "extrapolated");
  EXPECT_NEAR(one.energy.vs_baseline->value, lap.energy.energy_j->value / one.energy.energy_j->value, 1e-9);
  const std::string md = summary_markdown(c, {});
  // The headline's configuration (the largest speedup: two nodes) at what energy, carbon and cost.
  EXPECT_NE(md.find("- Energy, carbon and cost of the job: LUMI 2 nodes (16 GPUs) "), std::string::npos) << md;
  EXPECT_NE(md.find("(extrapolated), "), std::string::npos);
  const auto charts = to_chart_data(c);
  ASSERT_EQ(charts.energy.size(), 3u);
  for (const auto& bar : charts.energy) {
    if (bar.label == one.label) {
      EXPECT_EQ(bar.energy_kind, lb::charts::Provenance::Modelled);
    }
    if (bar.label == two.label) {
      EXPECT_EQ(bar.energy_kind, lb::charts::Provenance::Extrapolated);
    }
    if (bar.label == lap.label) {
      EXPECT_EQ(bar.energy_kind, lb::charts::Provenance::Extrapolated);
      EXPECT_FALSE(bar.has_cost) << "the laptop is not billed";
    }
    if (bar.is_cluster) {
      EXPECT_TRUE(bar.has_cost);
      EXPECT_EQ(bar.cost_kind, lb::charts::Provenance::Measured) << "cost follows the time's kind";
    }
  }
}

TEST(ConfigEnergy, ImportedConfigurationsAreModelledFromTheirTime) {
  const std::string guide =
      "Name,State,Runtime,epochs,total_gpus,nodes,device_type,architecture,train_split_samples,source\n"
      "guide-8,finished,963,10,8,1,rocm,vit_b_16,80000,LUMI AI guide\n"
      "guide-x,finished,500,10,,,rocm,vit_b_16,80000,LUMI AI guide\n";
  ComparisonOptions o;
  o.epochs = 10;
  const Comparison c = build_comparison(analyse({}, guide), o);
  const ConfigResult& eight = config_of(c, "guide-8");
  EXPECT_EQ(eight.energy.kind, "modelled");
  EXPECT_NEAR(eight.energy.energy_j->value, 963 * 8 * 280.0, 1e-6);
  EXPECT_EQ(eight.energy.reason, "imported: the source states no energy");
  EXPECT_NEAR(eight.energy.cost->value, 963 * 8 * 0.5 / 3600, 1e-12);
  EXPECT_EQ(eight.energy.cost_kind, "imported");
  // No GPU count: nothing to model from, and no figure invented.
  const ConfigResult& unknown = config_of(c, "guide-x");
  EXPECT_FALSE(unknown.energy.energy_j);
  EXPECT_FALSE(unknown.energy.cost);
  EXPECT_NE(unknown.energy.reason.find("GPU count unknown"), std::string::npos);
}

TEST(ConfigEnergy, BillingAndGridIntensitiesAreOptions) {
  RunShape one_gpu = lumi_shape("lumi-1gpu", 1, 0.0016);
  one_gpu.world_size = 1;
  one_gpu.gpus = 1;
  const RunShape two = lumi_shape("lumi-2n", 2, 0.0001);
  ComparisonOptions o;
  Comparison c = build_comparison(analyse({one_gpu, two}), o);
  const double t1 = config_of(c, "lumi-1gpu").time_s->value, t2 = config_of(c, "lumi-2n").time_s->value;
  // LUMI: 0.5 GPU-hours per GCD-hour; 16 GCDs on 2 nodes make 4 per node-hour.
  EXPECT_NEAR(config_of(c, "lumi-1gpu").energy.cost->value, 0.5 * t1 / 3600, 1e-12);
  EXPECT_NEAR(config_of(c, "lumi-2n").energy.cost->value, 16 * 0.5 * t2 / 3600, 1e-12);
  EXPECT_EQ(config_of(c, "lumi-2n").energy.cost_rule, "16 GPUs x 0.5 GPU-hours per GPU-hour");
  EXPECT_NEAR(config_of(c, "lumi-2n").energy.co2_g->value, config_of(c, "lumi-2n").energy.energy_j->value / 3.6e6 * 24,
              1e-9);
  // A site that bills whole nodes: the one-GPU run pays its node.
  o.energy.billing_per_node_hour = 4;
  o.energy.billing_unit = "node-share-hours";
  o.energy.cluster_grid_g_per_kwh = 300;
  c = build_comparison(analyse({one_gpu, two}), o);
  EXPECT_NEAR(config_of(c, "lumi-1gpu").energy.cost->value, 4 * t1 / 3600, 1e-12);
  EXPECT_EQ(config_of(c, "lumi-1gpu").energy.cost_rule, "1 node x 4 node-share-hours per node-hour");
  EXPECT_NEAR(config_of(c, "lumi-2n").energy.cost->value, 8 * t2 / 3600, 1e-12);
  EXPECT_NEAR(config_of(c, "lumi-2n").energy.co2_g->value, config_of(c, "lumi-2n").energy.energy_j->value / 3.6e6 * 300,
              1e-9);
  const auto j = nlohmann::json::parse(summary_json_text(c));
  EXPECT_EQ(j["configurations"][0]["cost"]["unit"], "node-share-hours");
  bool set_by_user = false;
  for (const auto& a : j["energy_assumptions"]["figures"]) {
    if (a["option"] == "--cluster-grid-intensity") {
      EXPECT_FALSE(a["default"].get<bool>());
      EXPECT_EQ(a["source"], "set with --cluster-grid-intensity (default 24 g CO2e/kWh)");
      set_by_user = true;
    }
  }
  EXPECT_TRUE(set_by_user);
  o.energy.laptop_power_w = 0;
  EXPECT_THROW(build_comparison(analyse({two}), o), lb::UsageError);
}

TEST(ConfigMemory, TheLargestPeakOfTheRunsStandsBesideTheTime) {
  RunShape a = lumi_shape("lumi-mem-a", 1, 0.0002), b = lumi_shape("lumi-mem-b", 1, 0.0002);
  a.peak_rss_bytes_max_rank = static_cast<int64_t>(20 * kGiB);
  a.peak_device_memory_bytes = static_cast<int64_t>(48 * kGiB);
  b.peak_rss_bytes_max_rank = static_cast<int64_t>(22 * kGiB);
  b.peak_device_memory_bytes = static_cast<int64_t>(47 * kGiB);
  RunShape lap = laptop_shape("lap-mem", 8, 0.01, 0.01);
  lap.peak_device_memory_bytes = 0;
  const Comparison c = build_comparison(analyse({a, b, lap}), {});
  const ConfigEnergy& e = config_of(c, "lumi-mem-a").energy;
  EXPECT_EQ(e.memory_runs, 2u);
  EXPECT_EQ(*e.peak_rss_bytes_max_rank, static_cast<int64_t>(22 * kGiB));
  EXPECT_EQ(*e.peak_device_memory_bytes, static_cast<int64_t>(48 * kGiB));
  EXPECT_EQ(*e.peak_rss_bytes, 3'000'000'000);  // rank 0's, as the builder writes it
  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("| 2.79 GiB / 22 GiB | 48 GiB |"), std::string::npos) << md;
  EXPECT_NE(md.find("| none (CPU) |"), std::string::npos);
  const auto rows = csv_rows(c);
  EXPECT_EQ(rows.at("lumi-mem-b").at("peak_device_memory_bytes"), std::to_string(static_cast<int64_t>(47 * kGiB)));
  EXPECT_EQ(rows.at("lumi-mem-b").at("config_peak_device_memory_bytes"), std::to_string(static_cast<int64_t>(48 * kGiB)));
  EXPECT_EQ(rows.at("lumi-mem-b").at("config_peak_rss_bytes"), std::to_string(static_cast<int64_t>(22 * kGiB)));
  const auto j = nlohmann::json::parse(summary_json_text(c));
  for (const auto& cfg : j["configurations"]) {
    if (cfg["label"] != "LUMI 1 node (8 GPUs)") continue;
    EXPECT_EQ(cfg["memory"]["peak_device_memory_bytes"], static_cast<int64_t>(48 * kGiB));
    EXPECT_EQ(cfg["memory"]["kind"], "measured");
  }
  const auto charts = to_chart_data(c);
  ASSERT_EQ(charts.memory.size(), 2u);
  for (const auto& m : charts.memory) {
    if (m.is_cluster) {
      EXPECT_DOUBLE_EQ(m.host_bytes, 22 * kGiB);
      EXPECT_DOUBLE_EQ(m.device_bytes, 48 * kGiB);
    } else {
      EXPECT_DOUBLE_EQ(m.host_bytes, 3e9) << "rank 0's when that is all that is recorded";
      EXPECT_DOUBLE_EQ(m.device_bytes, 0);
    }
  }
}

// ---- Reports and the command line --------------------------------------------------------------

TEST(EnergyReports, EverySectionStatesItsAssumptionsWithSources) {
  const Comparison c = build_comparison(analyse({laptop_full("lap-r"), lumi_shape("lumi-r", 1, 0.0002)}), {});
  const std::string md = summary_markdown(c, {});
  EXPECT_NE(md.find("## Energy, carbon, cost and memory"), std::string::npos);
  for (const char* s : {"**40 W** (`--laptop-power`)", "**280 W** (`--gpu-power`)",
                        "**24 g CO2e/kWh** (`--cluster-grid-intensity`)", "**214 g CO2e/kWh** (`--laptop-grid-intensity`)",
                        "**0.5 GPU-hours** (`--billing-per-gpu-hour`)", "**0 GPU-hours** (`--billing-per-node-hour`)",
                        "IPCC AR5", "European Environment Agency", "LUMI user documentation", "TOP500",
                        "Not included: cooling"}) {
    EXPECT_NE(md.find(s), std::string::npos) << s;
  }
  const auto j = nlohmann::json::parse(summary_json_text(c));
  ASSERT_EQ(j["energy_assumptions"]["figures"].size(), 6u);
  for (const auto& a : j["energy_assumptions"]["figures"]) {
    EXPECT_TRUE(a["default"].get<bool>());
    EXPECT_FALSE(a["source"].get<std::string>().empty());
  }
  EXPECT_NE(j["energy_assumptions"]["counter_rule"].get<std::string>().find("cray_pm:node alone"), std::string::npos);
  const auto charts = to_chart_data(c);
  EXPECT_NE(charts.energy_footnote.find("280 W per GPU"), std::string::npos);
  EXPECT_EQ(charts.energy_assumptions.size(), 6u);
  const auto rows = csv_rows(c);
  EXPECT_EQ(rows.at("lumi-r").at("billing_unit"), "GPU-hours");
  EXPECT_EQ(rows.at("lumi-r").at("grid_g_per_kwh"), "24");
  EXPECT_EQ(rows.at("lap-r").at("grid_g_per_kwh"), "214");
  EXPECT_EQ(rows.at("lap-r").at("config_energy_kind"), "measured");
  EXPECT_EQ(rows.at("lap-r").at("config_cost_rule"), "own machine: no allocation billed");
}

TEST(EnergyCli, OptionsAreReadAndBadValuesNameTheOption) {
  TempDir dir;
  write_results_file(dir.file("r.h5"), {build_run(laptop_full("lap-cli")), build_run(lumi_shape("lumi-cli", 1, 0.0002))});
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"analyze", dir.file("r.h5"), "--out", dir.file("out"), "--no-charts", "--quiet"});
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    std::ostringstream out, err;
    const int code = run_analyze(static_cast<int>(argv.size()), argv.data(), out, err);
    return std::pair<int, std::string>(code, err.str());
  };
  const auto ok = run({"--gpu-power", "300", "--laptop-power", "35.5", "--cluster-grid-intensity", "0",
                       "--laptop-grid-intensity", "350", "--billing-unit", "GPU-h", "--billing-per-gpu-hour", "1",
                       "--billing-per-node-hour", "8"});
  ASSERT_EQ(ok.first, 0) << ok.second;
  const auto j = nlohmann::json::parse(read_text(dir.file("out/summary.json")));
  std::map<std::string, double> values;
  for (const auto& a : j["energy_assumptions"]["figures"]) values[a["option"]] = a["value"];
  EXPECT_EQ(values["--gpu-power"], 300);
  EXPECT_EQ(values["--laptop-power"], 35.5);
  EXPECT_EQ(values["--cluster-grid-intensity"], 0);
  EXPECT_EQ(values["--laptop-grid-intensity"], 350);
  EXPECT_EQ(values["--billing-per-gpu-hour"], 1);
  EXPECT_EQ(values["--billing-per-node-hour"], 8);
  EXPECT_EQ(j["energy_assumptions"]["billing_unit"], "GPU-h");
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"--gpu-power", "abc"}, "analyze: --gpu-power 'abc': expected watts per GPU, a number more than 0\n"},
           {{"--laptop-power", "0"}, "analyze: --laptop-power '0': expected watts, a number more than 0\n"},
           {{"--cluster-grid-intensity", "-1"},
            "analyze: --cluster-grid-intensity '-1': expected grams of CO2e per kWh, a number from 0\n"},
           {{"--laptop-grid-intensity", "x"},
            "analyze: --laptop-grid-intensity 'x': expected grams of CO2e per kWh, a number from 0\n"},
           {{"--billing-per-gpu-hour", "nan"},
            "analyze: --billing-per-gpu-hour 'nan': expected billing units per GPU-hour, a number from 0\n"},
           {{"--billing-per-node-hour", "-4"},
            "analyze: --billing-per-node-hour '-4': expected billing units per node-hour, a number from 0\n"},
           {{"--billing-unit", " "}, "analyze: --billing-unit: expected a non-empty name\n"}}) {
    const auto bad = run(args);
    EXPECT_EQ(bad.first, kExitUsage) << args[0];
    EXPECT_EQ(bad.second, message);
  }
}

TEST(EnergyCharts, AnalyzeWritesTheEnergyAndMemoryCharts) {
  if (!charts_built()) GTEST_SKIP() << "analyze built without the chart writers";
  RunShape lumi = lumi_shape("lumi-ch", 1, 0.0002);
  lumi.peak_device_memory_bytes = static_cast<int64_t>(40 * kGiB);
  const Comparison c = build_comparison(analyse({laptop_full("lap-ch"), lumi}), {});
  TempDir dir;
  const ChartOutcome out = write_charts(c, dir.path().string(), false);
  EXPECT_TRUE(out.problems.empty()) << out.problems.front();
  const std::string html = read_text(dir.file("lumi_energy_cost.html"));
  EXPECT_NE(html.find("LUMI \\u00b7 modelled"), std::string::npos) << "the modelled LUMI energy, named in the legend";
  EXPECT_NE(html.find("Laptop \\u00b7 measured"), std::string::npos);
  EXPECT_NE(read_text(dir.file("lumi_energy_cost.dat")).find("\"LUMI 1 node (8 GPUs)\""), std::string::npos);
  EXPECT_NE(read_text(dir.file("lumi_memory.dat")).find("40 GiB"), std::string::npos);
}

// Energy, CO2 and bytes are formatted by common/format.h (tests/common/test_format.cpp).
TEST(EnergyFormat, KindsCombineToTheWeaker) {
  EXPECT_EQ(combine_kinds("measured", "modelled"), "modelled");
  EXPECT_EQ(combine_kinds("measured", "extrapolated"), "extrapolated");
  EXPECT_EQ(combine_kinds("measured", "measured"), "measured");
}
