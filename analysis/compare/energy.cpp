#include "analysis/compare/energy.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "analysis/compare/comparison.h"
#include "analysis/compare/repetitions.h"
#include "common/errors.h"
#include "analysis/input/names.h"

namespace lb::analysis {

void validate_energy_options(const EnergyOptions& o) {
  for (const EnergyFigure& f : kEnergyFigures) {
    const double v = o.*f.value;
    if (!(std::isfinite(v) && (f.positive ? v > 0 : v >= 0) && v <= 1e7)) {
      throw UsageError("--" + std::string(f.name) + " " + format_number(v) + ": expected " + f.expected);
    }
  }
  if (trim(o.billing_unit).empty()) throw UsageError("--billing-unit: expected a non-empty name");
}

std::vector<Assumption> energy_assumptions(const EnergyOptions& o) {
  const EnergyOptions d;
  // The option, its value and its default from kEnergyFigures[figure].
  auto item = [&](size_t figure, std::string name, std::string unit, std::string source) {
    const EnergyFigure& f = kEnergyFigures[figure];
    Assumption a;
    a.option = "--" + std::string(f.name);
    a.name = std::move(name);
    a.value = o.*f.value;
    a.unit = std::move(unit);
    a.is_default = a.value == d.*f.value;
    a.source = a.is_default ? std::move(source)
                            : "set with " + a.option + " (default " + format_number(d.*f.value) + " " + a.unit + ")";
    return a;
  };
  std::vector<Assumption> out;
  out.push_back(item(0, "modelled power of a laptop (whole machine at the wall)", "W",
                     "assumption for a thin-and-light laptop under sustained all-core load: Intel specifies the "
                     "Core i7-1185G7 of the LUMI AI guide's laptop runs at 28 W configurable TDP-up (Intel product "
                     "specification, 2020), plus about 12 W for memory, storage, display, board and power-supply losses"));
  out.push_back(item(1, "modelled power per GPU (one MI250X GCD, with its share of the node)", "W",
                     "assumption: half the 500 W board power of one AMD Instinct MI250X module (AMD data sheet, 2021) "
                     "plus 30 W per GCD for its share of the node's CPU, memory and network; close to what Frontier, "
                     "built of the same HPE Cray EX235a nodes, drew running HPL (21.1 MW for 9,408 nodes, TOP500 list "
                     "of June 2022: about 2.24 kW per node, 280 W per GCD)"));
  out.push_back(item(2, "grid carbon intensity at the cluster", "g CO2e/kWh",
                     "LUMI's data centre in Kajaani runs on 100% hydroelectric power (CSC, 2023); 24 g CO2e/kWh is the "
                     "median life-cycle emission of hydropower (IPCC AR5 WG III, Annex III, Table A.III.2, 2014)"));
  out.push_back(item(3, "grid carbon intensity at the laptop", "g CO2e/kWh",
                     "a typical European grid: the EU-27 average emission intensity of electricity generation in 2023, "
                     "58% below 1990's 510 g CO2e/kWh (European Environment Agency, indicator 'Greenhouse gas emission "
                     "intensity of electricity generation in Europe', 2024); at generation, not life cycle"));
  out.push_back(item(4, o.billing_unit + " billed per hour of one GPU (GCD)", o.billing_unit,
                     "LUMI's billing policy (LUMI user documentation, 'Billing policy', 2025): one GPU-hour is one "
                     "MI250X module (two GCDs, two GPUs to PyTorch) for one hour, so 0.5 per GCD-hour; a standard-g "
                     "node (4 modules, 8 GCDs) bills 4 GPU-hours per node-hour"));
  out.push_back(item(5, o.billing_unit + " billed per node-hour, when the site bills whole nodes", o.billing_unit,
                     "0: not used (on LUMI 8 GCDs x 0.5 already make standard-g's 4 GPU-hours per node-hour; "
                     "set 4 to bill a partial node as a whole standard-g node)"));
  return out;
}

RunEnergy measure_run_energy(const RunRecord& run, const RunMetrics& m) {
  RunEnergy e;
  const RecordedEnergy& rec = run.energy;
  const std::string device = run.settings.device.value_or("");
  const bool gpu = device == "gpu";
  auto enough = [&](bool host, bool accelerators) { return gpu ? accelerators : (device == "cpu" ? host : true); };
  std::string partial;
  if (std::any_of(rec.counters.begin(), rec.counters.end(), [](const EnergyCounterRow& r) { return r.epoch == -1; })) {
    const CounterSelection s = select_counters(rec.counters, -1);
    if (s.available && enough(s.covers_host, s.covers_accelerators)) {
      e.measured = true;
      e.from = "energy table";
      e.run_j = s.joules;
      e.run_s = s.seconds > 0 ? s.seconds : run.wall_time_s.value_or(0);
      e.parts = s.parts;
      e.coverage = s.coverage;
      e.integrated = s.integrated;
      for (const auto& l : s.left_out) e.notes.push_back("counter " + l + ": not added");
      for (const auto& u : s.unreadable) e.notes.push_back("counter " + u + " unreadable over the run");
      if (gpu && !s.covers_host) {
        e.notes.push_back("the host (CPU, memory) was not measured: the energy covers the GPUs only, a lower bound");
      }
      if (s.integrated) e.notes.push_back("integrated from power samples (not an energy counter)");
      if (rec.energy_j && e.run_j > 0 && std::fabs(*rec.energy_j - e.run_j) > 0.02 * e.run_j) {
        e.notes.push_back("the run's energy_j attribute (" + format_energy(*rec.energy_j) + ") differs from the counters by " +
                          format_number(std::round(100.0 * (*rec.energy_j - e.run_j) / e.run_j)) +
                          "%: the counters by the rule are used (docs/methodology.md)");
      }
    } else if (s.available) {
      partial = "the readable counters cover only " + s.coverage + ", not the " + (gpu ? "GPUs" : "CPU") + " of this run";
    }
  }
  if (!e.measured && partial.empty() && rec.energy_j) {
    const std::string src = to_lower(rec.sources);
    const bool covers_gpu = src.find("cray_pm") != std::string::npos || src.find("rocm_smi") != std::string::npos ||
                            src.find("amd_smi") != std::string::npos || src.find("nvml") != std::string::npos;
    const bool covers_cpu = src.find("rapl") != std::string::npos || src.find("cray_pm") != std::string::npos;
    if (!src.empty() && !enough(covers_cpu, covers_gpu)) {
      partial = "the energy_j attribute comes from " + rec.sources + " only, not the " + (gpu ? "GPUs" : "CPU") + " of this run";
    } else if (run.wall_time_s && *run.wall_time_s > 0) {
      e.measured = true;
      e.from = "energy_j attribute";
      e.run_j = *rec.energy_j;
      e.run_s = *run.wall_time_s;
      e.coverage = "as totalled by the harness (" + (rec.sources.empty() ? std::string("sources not stated") : rec.sources) + ")";
    }
  }
  if (!e.measured) {
    if (!partial.empty()) {
      e.not_measured_reason = partial;
    } else if (!rec.unavailable.empty()) {
      e.not_measured_reason = "energy counters unavailable: " + rec.unavailable;
    } else if (rec.anything_recorded()) {
      e.not_measured_reason = "no energy counter was readable over the run";
    } else if (run.is_imported()) {
      e.not_measured_reason = "imported: the source states no energy";
    } else {
      e.not_measured_reason = "no energy recorded (a file from a harness without energy counters)";
    }
    return e;
  }
  if (!rec.unavailable.empty()) e.notes.push_back("not read: " + rec.unavailable);
  if (!(e.run_s > 0)) {
    e.measured = false;
    e.not_measured_reason = "the energy's window has no length";
    return e;
  }
  e.mean_power_w = e.run_j / e.run_s;

  // Power inside the finished epochs (training and validation) and outside them (setup, teardown),
  // from the same counters per epoch.
  double epoch_j = 0, epoch_s = 0;
  bool epochs_ok = m.finished_epochs > 0 && !run.epochs.empty();
  for (const auto& ep : run.epochs) {
    if (!epochs_ok) break;
    if (e.from == "energy table") {
      const CounterSelection s = select_counters(rec.counters, ep.epoch, &e.parts);
      epochs_ok = s.available && s.seconds > 0;
      epoch_j += s.joules;
      epoch_s += s.seconds;
    } else {
      epochs_ok = std::isfinite(ep.energy_j) && ep.energy_j >= 0 && ep.epoch_time_s > 0;
      epoch_j += ep.energy_j;
      epoch_s += ep.epoch_time_s;
    }
  }
  if (epochs_ok && epoch_s > 0) {
    e.epoch_power_w = epoch_j / epoch_s;
    const double rest_s = e.run_s - epoch_s, rest_j = e.run_j - epoch_j;
    if (rest_s > 1e-6 * e.run_s && rest_j >= 0) e.other_power_w = rest_j / rest_s;
  }
  return e;
}

std::string combine_kinds(const std::string& a, const std::string& b) {
  if (a == "modelled" || b == "modelled") return "modelled";
  if (a.find("extrapolated") != std::string::npos || b.find("extrapolated") != std::string::npos) return "extrapolated";
  return "measured";
}

namespace {

constexpr double kJoulesPerKwh = 3.6e6;

// An interval through an increasing map `f`: an end the interval leaves unbounded stays so (0 below,
// `no_upper` above).
template <class F>
Interval mapped(const Interval& t, F f, double no_upper) {
  Interval out = t;
  out.value = f(t.value);
  out.lo = t.has_interval && !t.has_lower() ? 0.0 : f(t.lo);
  out.hi = t.has_interval && !t.has_upper() ? no_upper : f(t.hi);
  return out;
}

// An interval scaled by a positive factor.
Interval scaled(const Interval& t, double factor) {
  return mapped(t, [factor](double v) { return v * factor; }, t.hi);
}

// Fills e.job_j for a measured run with a job estimate: a run that did exactly the job keeps its
// energy (less the extra --eval-every passes at the epochs' power); otherwise the job's time is
// split into setup and teardown (S + D, at the power outside the epochs) and the rest (at the
// epochs' power).
void normalize_run_energy(RunEnergy& e, const RunMetrics& m, const JobEstimate& job) {
  e.job_j.reset();
  if (!e.measured || !job.available) return;
  const double p_epochs = e.epoch_power_w.value_or(e.mean_power_w);
  if (!job.extrapolated) {
    // The run did the job: its own energy, less the extra validation passes the job does not have.
    e.job_j = Interval::point(std::max(0.0, e.run_j - p_epochs * m.extra_validation_s));
    e.job_extrapolated = false;
    return;
  }
  const double p_other = e.other_power_w.value_or(e.epoch_power_w ? *e.epoch_power_w : e.mean_power_w);
  const double once_s = m.startup_s.value_or(0) + m.teardown_s.value_or(0);
  auto energy_at = [&](double t) {
    const double once = std::min(std::max(once_s, 0.0), t);
    return p_other * once + p_epochs * (t - once);
  };
  // A job time without an interval is a point (lo == hi == value), and so is its energy.
  e.job_j = mapped(job.time_s, energy_at, std::numeric_limits<double>::infinity());
  e.job_extrapolated = true;
}

void config_energy(ConfigResult& c, const Comparison& cmp, const EnergyOptions& o) {
  ConfigEnergy& e = c.energy;
  const std::vector<size_t> used = runs_used(c, cmp.runs);
  e.runs_used = used.size();
  // The device decides the power model; the site decides the grid and the billing: the cluster's
  // (Configuration::cluster), else the laptop's, a laptop with a GPU included. A configuration
  // that does not state its device ran at neither site as far as analyze can tell: no grid
  // intensity, never billed nor called own.
  const std::string& device = c.config[Field::device];
  const bool cluster = c.config.cluster();
  e.site = cluster ? "cluster" : device.empty() ? "unknown" : "laptop";
  e.grid_g_per_kwh = cluster ? o.cluster_grid_g_per_kwh : device.empty() ? std::nan("") : o.laptop_grid_g_per_kwh;

  // Memory: what the configuration's runs needed (the largest of them).
  std::vector<size_t> memory_runs;
  std::copy_if(c.runs.begin(), c.runs.end(), std::back_inserter(memory_runs),
               [&](size_t r) { return cmp.runs[r].in_comparison; });
  if (memory_runs.empty()) memory_runs = c.runs;
  for (size_t r : memory_runs) {
    const RunRecord& run = cmp.runs[r].run;
    bool any = false;
    auto take = [&](std::optional<int64_t>& into, const std::optional<int64_t>& v) {
      if (!v || *v < 0) return;
      any = true;
      into = into ? std::max(*into, *v) : *v;
    };
    take(e.peak_rss_bytes, run.peak_rss_bytes);
    take(e.peak_rss_bytes_max_rank, run.peak_rss_bytes_max_rank);
    take(e.peak_device_memory_bytes, run.peak_device_memory_bytes);
    if (any) ++e.memory_runs;
  }

  if (!c.time_s) {
    e.reason = e.cost_reason = "no job time";
    return;
  }
  const Interval& t = *c.time_s;

  // Energy: measured power of the runs with counters, applied to the configuration's time.
  std::vector<size_t> measured;
  for (size_t r : used) {
    if (cmp.runs[r].energy.job_j) measured.push_back(r);
  }
  bool from_other_runs = false;
  if (measured.empty()) {
    for (size_t r : c.runs) {
      if (cmp.runs[r].in_comparison && cmp.runs[r].energy.job_j) measured.push_back(r);
    }
    from_other_runs = !measured.empty();
  }
  e.measured_runs = measured.size();
  if (!measured.empty()) {
    double sum_j = 0, sum_s = 0;
    std::vector<std::string> coverages;
    for (size_t r : measured) {
      const RunAnalysis& a = cmp.runs[r];
      sum_j += a.energy.job_j->value;
      sum_s += a.job.time_s.value;
      add_unique(coverages, a.energy.coverage);
      for (const auto& n : a.energy.notes) add_unique(e.notes, "run " + a.run.run_id + ": " + n);
    }
    e.coverage = join(coverages, "; ");
    e.power_w = sum_s > 0 ? sum_j / sum_s : 0;
    const bool single = measured.size() == 1 && used.size() == 1 && measured.front() == used.front();
    e.energy_j = single ? *cmp.runs[measured.front()].energy.job_j : scaled(t, e.power_w);
    const bool all_runs = !from_other_runs && measured.size() == used.size();
    e.kind = !c.extrapolated && all_runs ? "measured" : "extrapolated";
    if (single) {
      const RunAnalysis& a = cmp.runs[measured.front()];
      e.method = a.energy.job_extrapolated
                     ? "measured power of run " + a.run.run_id + " (" + a.energy.from + ") over the extrapolated job time"
                     : "measured (" + a.energy.from + ")";
    } else {
      e.method = "measured energy per second of job of " + counted(measured.size(), "run") + " (" +
                 format_number(std::round(e.power_w * 10) / 10) + " W) over the configuration's job time";
    }
    if (from_other_runs) {
      e.notes.push_back("energy measured only in runs of this configuration that did not enter its time: their power "
                        "is applied to the configuration's time (extrapolated)");
    } else if (measured.size() < used.size()) {
      e.notes.push_back("energy measured in " + std::to_string(measured.size()) + " of the " + std::to_string(used.size()) +
                        " runs behind the time: their power is applied to the configuration's time (extrapolated)");
    }
  } else {
    // Modelled: the stated power over the configuration's time.
    std::vector<std::string> reasons;
    for (size_t r : used) add_unique(reasons, cmp.runs[r].energy.not_measured_reason);
    e.reason = reasons.empty() ? "no run with an energy figure" : join(reasons, "; ");
    if (device == "gpu" && c.gpus > 0) {
      e.power_w = o.gpu_power_w * c.gpus;
      e.coverage = counted(c.gpus, "GPU") + " x " + format_number(o.gpu_power_w) +
                   " W (--gpu-power, the node's share included)";
    } else if (device == "cpu") {
      const int nodes = std::max(c.nodes, 1);
      e.power_w = o.laptop_power_w * nodes;
      e.coverage = (nodes == 1 ? std::string() : std::to_string(nodes) + " x ") + format_number(o.laptop_power_w) +
                   " W (--laptop-power, the whole machine)";
    }
    if (e.power_w > 0) {
      e.energy_j = scaled(t, e.power_w);
      e.kind = "modelled";
      e.method = "modelled: " + format_number(e.power_w) + " W stated power x the job time (" +
                 figure_kind(c.is_imported, c.extrapolated) + ")";
    } else {
      e.reason += device == "gpu" ? "; GPU count unknown: no power to model from" : "; device unknown: no power to model from";
    }
  }
  if (e.energy_j) {
    const std::optional<int64_t> train = c.config.count(Field::full_train_samples);
    if (train && cmp.epochs > 0) {
      const double images = static_cast<double>(*train) * cmp.epochs;
      if (images > 0) e.per_image_j = e.energy_j->value / images;
    }
    if (std::isfinite(e.grid_g_per_kwh)) e.co2_g = scaled(*e.energy_j, e.grid_g_per_kwh / kJoulesPerKwh);
  }

  // Cost: the cluster's billing rule over the job time.
  if (device.empty()) {
    e.cost_reason = "placement unknown: the device is not stated, so it is neither billed as a cluster job nor counted as the user's laptop";
  } else if (!cluster) {
    e.cost_reason = "own machine: no allocation billed";
  } else if (c.gpus <= 0) {
    e.cost_reason = "GPU count unknown";
  } else {
    const double by_gpu = c.gpus * o.billing_per_gpu_hour;
    const double by_node = std::max(c.nodes, 0) * o.billing_per_node_hour;
    e.billed_per_hour = std::max(by_gpu, by_node);
    e.cost_rule = by_node > by_gpu ? counted(c.nodes, "node") + " x " + format_number(o.billing_per_node_hour) + " " +
                                         o.billing_unit + " per node-hour"
                                   : counted(c.gpus, "GPU") + " x " + format_number(o.billing_per_gpu_hour) + " " +
                                         o.billing_unit + " per GPU-hour";
    e.cost = scaled(t, e.billed_per_hour / 3600.0);
    e.cost_kind = figure_kind(c.is_imported, c.extrapolated);
  }
}

}  // namespace

void assess_energy(Comparison& cmp) {
  for (auto& a : cmp.runs) normalize_run_energy(a.energy, a.metrics, a.job);
  for (auto& c : cmp.configs) config_energy(c, cmp, cmp.energy_options);
  if (!cmp.baseline) return;
  const ConfigEnergy& base = cmp.configs[*cmp.baseline].energy;
  for (auto& c : cmp.configs) {
    if (!base.energy_j || !c.energy.energy_j || !(c.energy.energy_j->value > 0) || !(base.energy_j->value > 0)) continue;
    c.energy.vs_baseline = &c == &cmp.configs[*cmp.baseline] ? Interval::point(1.0)
                                                             : ratio_interval(*base.energy_j, *c.energy.energy_j);
    c.energy.vs_baseline_kind = combine_kinds(base.kind, c.energy.kind);
  }
}

}  // namespace lb::analysis
