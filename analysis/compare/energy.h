// Energy, carbon, cost and memory of each configuration for the normalized job: measured from the
// energy counters the harness recorded, or modelled from a stated power (and marked so), with the
// cluster's billing rule and each site's grid intensity as options. Formulas, the counter rule and
// every default with its source: docs/methodology.md, "Energy, carbon, cost and memory".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/compare/run_metrics.h"
#include "analysis/input/run_record.h"
#include "common/energy_selection.h"
#include "common/format.h"
#include "analysis/compare/statistics.h"

namespace lb::analysis {

using lb::CounterSelection;
using lb::select_counters;

// The figures that are assumptions, not measurements. Every one is an option of analyze.
struct EnergyOptions {
  // Modelled power of a laptop (CPU) configuration: the whole machine at the wall, per node (W).
  double laptop_power_w = 40;
  // Modelled power per GPU as PyTorch counts them (one GCD of an MI250X), its share of the node's
  // CPU, memory and network included (W).
  double gpu_power_w = 280;
  // Grid carbon intensity where the cluster's and where the laptop's electricity comes from (g CO2e/kWh).
  double cluster_grid_g_per_kwh = 24;
  double laptop_grid_g_per_kwh = 214;
  // The cluster's billing: units per GPU-hour (one GPU as PyTorch counts them) and per node-hour;
  // a job is billed max(GPUs x the first, nodes x the second) per hour. LUMI: 0.5 per GCD-hour
  // (one GPU-hour = one MI250X module, two GCDs, for one hour), so a full standard-g node (8 GCDs)
  // bills 4 GPU-hours per node-hour.
  std::string billing_unit = "GPU-hours";
  double billing_per_gpu_hour = 0.5;
  double billing_per_node_hour = 0;
};

// The numeric options, in the order analyze reads and checks them: finite, at most 1e7, and more
// than 0 (`positive`) or from 0. energy_assumptions (energy.cpp) describes them by this order.
struct EnergyFigure {
  const char* name;  // the option without its dashes
  double EnergyOptions::*value;
  bool positive;
  const char* expected;  // what a value out of range is told
};
inline constexpr EnergyFigure kEnergyFigures[] = {
    {"laptop-power", &EnergyOptions::laptop_power_w, true, "watts, a number more than 0"},
    {"gpu-power", &EnergyOptions::gpu_power_w, true, "watts per GPU, a number more than 0"},
    {"cluster-grid-intensity", &EnergyOptions::cluster_grid_g_per_kwh, false, "grams of CO2e per kWh, a number from 0"},
    {"laptop-grid-intensity", &EnergyOptions::laptop_grid_g_per_kwh, false, "grams of CO2e per kWh, a number from 0"},
    {"billing-per-gpu-hour", &EnergyOptions::billing_per_gpu_hour, false, "billing units per GPU-hour, a number from 0"},
    {"billing-per-node-hour", &EnergyOptions::billing_per_node_hour, false, "billing units per node-hour, a number from 0"},
};

// Throws UsageError naming the option when a figure is out of range.
void validate_energy_options(const EnergyOptions& options);

// One assumption as the reports print it: the option, its value, and where the value comes from
// (the default's source and date, or "set with --option" when the user changed it).
struct Assumption {
  std::string option;  // "--gpu-power"
  std::string name;    // "modelled power per GPU"
  double value = 0;
  std::string unit;    // "W"
  std::string source;
  bool is_default = true;
};
std::vector<Assumption> energy_assumptions(const EnergyOptions& options);

// The counter rule (which recorded counters make a window's energy) is common/energy_selection.h.

// A run's measured energy, before any job is normalized.
struct RunEnergy {
  bool measured = false;
  std::string not_measured_reason;    // why the counters give no energy for this run
  std::string from;                   // "energy table" or "energy_j attribute"
  double run_j = 0;                   // the whole run
  double run_s = 0;                   // the window it covers
  std::vector<std::string> parts;     // the counters summed
  std::string coverage;
  bool integrated = false;
  double mean_power_w = 0;            // run_j / run_s
  std::optional<double> epoch_power_w;  // over the finished epochs' windows (training and validation)
  std::optional<double> other_power_w;  // outside them (setup, teardown)
  std::vector<std::string> notes;
  // The normalized job's energy from this run: its measured power over the job's time.
  std::optional<Interval> job_j;
  bool job_extrapolated = true;       // false: the run did exactly the job
};

// From the recorded counters (the `energy` table by the rule above, else the `energy_j`
// attribute). `metrics` gives the run's finished epochs.
RunEnergy measure_run_energy(const RunRecord& run, const RunMetrics& metrics);

// A configuration's energy, carbon, cost and memory for the normalized job.
struct ConfigEnergy {
  std::optional<Interval> energy_j;  // nullopt: neither measured nor modelled (reason says why)
  std::string kind;                  // "measured", "extrapolated" or "modelled"
  std::string method;                // how the figure was obtained
  std::string reason;                // why it is modelled (or missing)
  double power_w = 0;                // measured energy per second of job, or the stated power
  size_t measured_runs = 0, runs_used = 0;
  std::string coverage;              // what the counters cover (measured), or what the power stands for
  std::optional<double> per_image_j;           // energy / (epochs x train split)
  std::optional<Interval> vs_baseline;         // baseline energy / this energy
  std::string vs_baseline_kind;
  // Carbon: energy x the site's grid intensity.
  std::optional<Interval> co2_g;
  std::string site;                  // "cluster", "laptop", or "unknown" (device not stated)
  double grid_g_per_kwh = 0;         // NaN for an unknown site: no CO2e
  // Cost in the cluster's billing units (cluster configurations only).
  std::optional<Interval> cost;
  std::string cost_kind;             // the kind of the time it is computed from
  double billed_per_hour = 0;
  std::string cost_rule;             // "8 GPUs x 0.5 GPU-hours per GPU-hour"
  std::string cost_reason;           // why there is none
  // Memory: the largest over the configuration's runs.
  std::optional<int64_t> peak_rss_bytes, peak_rss_bytes_max_rank, peak_device_memory_bytes;
  size_t memory_runs = 0;
  std::vector<std::string> notes;
};

// "modelled" when either side is, else "extrapolated" when either is, else "measured".
std::string combine_kinds(const std::string& a, const std::string& b);

struct Comparison;
// Fills RunAnalysis::energy's job figure and ConfigResult::energy for every configuration, with
// cmp.energy_options.
void assess_energy(Comparison& cmp);

}  // namespace lb::analysis
