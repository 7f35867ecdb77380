#include "analysis/report/chart_fill.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "analysis/compare/energy.h"
#include "analysis/input/names.h"
#include "analysis/compare/quality.h"
#include "analysis/report/reports.h"
#include "analysis/report/selection.h"

namespace lb::analysis {
namespace {

using lb::charts::Provenance;

// A time another source gave and that it, or analyze, extrapolated (rescaled to this job's
// epochs) is drawn as extrapolated, outlined as imported: never as a plain import.
Provenance provenance(bool imported, bool extrapolated) {
  if (imported) return extrapolated ? Provenance::ImportedExtrapolated : Provenance::Imported;
  return extrapolated ? Provenance::Extrapolated : Provenance::Measured;
}

// Past this many rows a bar chart shows a sample (analysis/report/selection.h) and says so.
constexpr size_t kChartRows = 40;
// Past this many curves the accuracy charts show those of a sample of configurations.
constexpr size_t kChartCurves = 24;
// Lines of the accuracy charts' efficiency panel (beside the plot area, under the legend).
constexpr size_t kPanelLines = 10;

// The candidates a chart shows (readable_selection), with a line in `problems` when it leaves some out.
Selection sample(const Comparison& cmp, const std::vector<size_t>& candidates, size_t cap,
                 std::vector<std::string>& problems, const std::string& charts, const std::string& what = "configurations") {
  Selection s = readable_selection(cmp, candidates, cap);
  if (s.left_out > 0) problems.push_back(charts + ": " + selection_note(s, what));
  return s;
}

// A configuration's bar: its name and placement, where the headline puts it, and why not when it does not.
template <class Bar>
void identify(Bar& bar, const Comparison& cmp, size_t i) {
  using lb::charts::Standing;
  const ConfigResult& c = cmp.configs[i];
  bar.label = c.label;
  bar.is_cluster = c.is_cluster;
  bar.placement_unknown = c.placement_unknown;
  bar.standing = c.headline_eligible ? Standing::InHeadline : Standing::Excluded;
  if (cmp.max_speedup == i) bar.standing = Standing::Headline;
  if (cmp.baseline == i) bar.standing = Standing::Baseline;
  if (bar.standing == Standing::Excluded) bar.mark = join(c.headline_marks, "; ");
}

// The configurations of `from` that `keep` accepts, in its order.
template <class Keep>
std::vector<size_t> those(const std::vector<size_t>& from, Keep keep) {
  std::vector<size_t> out;
  for (size_t i : from) {
    if (keep(i)) out.push_back(i);
  }
  return out;
}

// The quality the text shows beside a scaling figure: below the bar, or no accuracy to check it.
std::string quality_mark(const ConfigResult& c) {
  if (c.quality.status == QualityStatus::Below && c.accuracy_reached_pct && c.quality.bar_pct) {
    return "below the quality bar: " + accuracy_text(c.accuracy_reached_pct) + " < " + accuracy_text(c.quality.bar_pct);
  }
  if (c.quality.status == QualityStatus::NotRecorded) return "accuracy not recorded";
  return "";
}

std::string details(const Comparison& cmp, const ConfigResult& c) {
  std::string text = c.id + ": " + figure_kind(c.is_imported, c.extrapolated) + "; " + c.method + "\n";
  // The accuracy each side of the speedup reached, and the quality bar.
  text += "accuracy reached: " + accuracy_text(c.accuracy_reached_pct);
  if (cmp.baseline) text += " (baseline " + accuracy_text(cmp.configs[*cmp.baseline].accuracy_reached_pct) + ")";
  if (c.quality.bar_pct) {
    text += "; quality bar " + accuracy_text(c.quality.bar_pct) + ": " + to_string(c.quality.status);
  }
  text += "\n";
  for (const auto& f : c.config.fields) {
    if (!f.value.empty() && f.key != Field::source) text += std::string(f.label) + ": " + f.value + "\n";
  }
  if (!c.subset_fractions.empty()) {
    text += "subset sizes:";
    for (double s : c.subset_fractions) text += " " + format_number(std::round(s * 10000.0) / 100.0) + "%";
    text += "\n";
  }
  text += "runs:";
  size_t shown = 0;
  for (size_t r : c.runs) {
    if (!cmp.runs[r].in_comparison) continue;
    if (++shown > 5) {
      text += " ... (" + std::to_string(c.runs_used) + " in all)";
      break;
    }
    text += " " + cmp.runs[r].run.run_id;
  }
  return text;
}

bool positive(double v) { return std::isfinite(v) && v > 0; }

// An interval the chart can draw: an end the measurements do not bound is drawn at the estimate
// (no whisker on that side).
void drawable(const Interval& v, double& value, double& lo, double& hi) {
  value = v.value;
  lo = v.has_interval && v.has_lower() && v.lo <= v.value ? v.lo : v.value;
  hi = v.has_interval && v.has_upper() && v.hi >= v.value ? v.hi : v.value;
}

// The same, with a line in the bar's `warnings` for each end drawn at the estimate.
void chart_interval(const Interval& t, double& value, double& lo, double& hi, std::vector<std::string>& warnings,
                    const std::string& what, std::string (*fmt)(double)) {
  drawable(t, value, lo, hi);
  if (!t.has_interval) return;
  if (!(t.has_lower() && t.lo <= t.value)) {
    warnings.push_back(what + ": the 95% interval has no lower bound (too few measurements)" +
                       (t.has_upper() ? ", upper end " + fmt(t.hi) : std::string()) + "; no whisker below");
  }
  if (!(t.has_upper() && t.hi >= t.value)) {
    warnings.push_back(what + ": the 95% interval has no upper bound (too few measurements)" +
                       (t.has_lower() ? ", lower end " + fmt(t.lo) : std::string()) + "; no whisker above");
  }
}

Provenance energy_provenance(const std::string& kind) {
  if (kind == "modelled") return Provenance::Modelled;
  return kind == "measured" ? Provenance::Measured : Provenance::Extrapolated;
}

// Time, energy, carbon and cost per configuration (chart 9) and peak memory (chart 10).
void fill_energy(const Comparison& cmp, lb::charts::ChartData& data, std::vector<std::string>& problems) {
  const EnergyOptions& o = cmp.energy_options;
  data.billing_unit = o.billing_unit;
  data.energy_footnote = "Modelled: " + format_number(o.laptop_power_w) + " W per laptop, " +
                         format_number(o.gpu_power_w) + " W per GPU. CO2e: " + format_number(o.cluster_grid_g_per_kwh) +
                         " g/kWh (cluster), " + format_number(o.laptop_grid_g_per_kwh) + " g/kWh (laptop). Cost: " +
                         format_number(o.billing_per_gpu_hour) + " " + o.billing_unit + " per GPU-hour. Sources: summary.md";
  for (const auto& a : energy_assumptions(o)) {
    data.energy_assumptions.push_back(a.name + ": " + format_number(a.value) + " " + a.unit + " (" + a.option + "): " + a.source);
  }
  const auto timed = those(cmp.display_order, [&](size_t i) {
    return cmp.configs[i].time_s && positive(cmp.configs[i].time_s->value);
  });
  const auto remembered = those(cmp.display_order, [&](size_t i) { return cmp.configs[i].energy.memory_runs > 0; });
  // When the comparison chart's bars are a sample too, its note names the energy chart as well.
  const Selection energy = readable_selection(cmp, timed, kChartRows);
  if (energy.left_out > 0 && data.sample_note.empty()) {
    problems.push_back("energy charts: " + selection_note(energy, "configurations"));
  }
  const std::vector<bool> in_energy = shown_mask(energy, cmp.configs.size());
  const std::vector<bool> in_memory =
      shown_mask(sample(cmp, remembered, kChartRows, problems, "memory charts"), cmp.configs.size());
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    const ConfigEnergy& e = c.energy;
    if (in_energy[i]) {
      lb::charts::EnergyBar bar;
      identify(bar, cmp, i);
      drawable(*c.time_s, bar.time_s, bar.time_lo_s, bar.time_hi_s);
      bar.time_kind = provenance(c.is_imported, c.extrapolated);
      std::string text = c.id + ": time " + figure_kind(c.is_imported, c.extrapolated) + "; " + c.method;
      if (e.energy_j && positive(e.energy_j->value)) {
        bar.has_energy = true;
        drawable(*e.energy_j, bar.energy_j, bar.energy_lo_j, bar.energy_hi_j);
        bar.energy_kind = energy_provenance(e.kind);
        text += "\nenergy " + e.kind + ": " + e.method + " (" + format_power(e.power_w) + ")";
        if (!e.coverage.empty()) text += "; covers " + e.coverage;
        if (e.per_image_j) text += "; " + format_number(std::round(*e.per_image_j * 1000) / 1000) + " J per image";
        if (e.kind == "modelled") text += "\nnot measured: " + e.reason;
        if (e.co2_g && positive(e.co2_g->value)) {
          bar.has_co2 = true;
          drawable(*e.co2_g, bar.co2_g, bar.co2_lo_g, bar.co2_hi_g);
        } else if (e.co2_g) {
          problems.push_back("energy chart: " + c.label + " has 0 g CO2e (grid intensity 0), which a log axis cannot "
                             "draw: shown as none");
        }
        text += std::isfinite(e.grid_g_per_kwh) ? "\nCO2e at " + format_number(e.grid_g_per_kwh) + " g/kWh (" + e.site + ")"
                                                : std::string("\nCO2e: none (placement not stated: no grid intensity)");
      } else {
        text += "\nenergy: none (" + e.reason + ")";
      }
      if (e.cost && positive(e.cost->value)) {
        bar.has_cost = true;
        drawable(*e.cost, bar.cost, bar.cost_lo, bar.cost_hi);
        bar.cost_kind = bar.time_kind;
        text += "\ncost: " + e.cost_rule;
      } else {
        text += "\ncost: " + (e.cost ? std::string("0 (rates are 0)") : e.cost_reason);
        if (e.cost) {
          problems.push_back("energy chart: " + c.label + " costs 0 " + o.billing_unit +
                             " (billing rates 0), which a log axis cannot draw: shown as not billed");
        }
      }
      bar.details = text;
      data.energy.push_back(std::move(bar));
    }
    if (in_memory[i]) {
      lb::charts::MemoryBar m;
      m.label = c.label;
      m.is_cluster = c.is_cluster;
      m.gpu = c.config[Field::device] == "gpu";
      m.host_rank0_bytes = static_cast<double>(e.peak_rss_bytes.value_or(0));
      m.host_bytes = static_cast<double>(e.peak_rss_bytes_max_rank.value_or(e.peak_rss_bytes.value_or(0)));
      m.device_bytes = static_cast<double>(e.peak_device_memory_bytes.value_or(0));
      m.details = c.id + ": the largest over " + std::to_string(e.memory_runs) + (e.memory_runs == 1 ? " run" : " runs");
      if (!e.peak_rss_bytes_max_rank) m.details += "; only rank 0's host memory recorded";
      data.memory.push_back(std::move(m));
    }
  }
}

}  // namespace

lb::charts::ChartData to_chart_data(const Comparison& cmp) {
  std::vector<std::string> problems;
  return to_chart_data(cmp, problems);
}

lb::charts::ChartData to_chart_data(const Comparison& cmp, std::vector<std::string>& problems) {
  lb::charts::ChartData data;
  data.cluster_name = cmp.cluster_name;
  data.job_description = cmp.job_description;
  data.epochs = cmp.epochs;
  if (cmp.baseline) data.baseline_label = cmp.configs[*cmp.baseline].label;

  // Every bar carries a speedup: without a baseline time there are none to draw.
  const bool have_speedups = cmp.baseline && cmp.configs[*cmp.baseline].time_s;
  if (!have_speedups) {
    problems.push_back(std::string("comparison charts skipped: ") +
                       (cmp.baseline ? "the baseline " + cmp.configs[*cmp.baseline].label + " has no job time"
                                     : "there is no baseline") +
                       ", so there are no speedups to draw");
  }
  std::vector<size_t> drawable_bars;
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.time_s || !have_speedups) continue;
    if (!positive(c.time_s->value) || !c.speedup || !positive(c.speedup->value)) {
      problems.push_back("comparison charts: " + c.label + " left out: its job time " +
                         format_number(c.time_s->value) + " s or speedup cannot be drawn");
      continue;
    }
    drawable_bars.push_back(i);
  }
  // Past a readable number of bars: a sample that keeps the headline's, said under the charts.
  const Selection bars_shown = readable_selection(cmp, drawable_bars, kChartRows);
  if (bars_shown.left_out > 0) {
    data.sample_note = selection_note(bars_shown, "configurations");
    problems.push_back("comparison, race and energy charts: " + data.sample_note);
  }
  for (size_t i : bars_shown.shown) {
    const ConfigResult& c = cmp.configs[i];
    lb::charts::Bar bar;
    identify(bar, cmp, i);
    bar.nodes = c.is_cluster ? c.nodes : 0;
    bar.gpus = c.gpus;
    bar.kind = provenance(c.is_imported, c.extrapolated);
    bar.warnings = c.warnings;
    chart_interval(*c.time_s, bar.time_s, bar.lo_s, bar.hi_s, bar.warnings, "job time", format_duration);
    // The chart shows a speedup interval only with both ends; a missing end drops it (said in warnings).
    const size_t noted = bar.warnings.size();
    chart_interval(*c.speedup, bar.speedup, bar.speedup_lo, bar.speedup_hi, bar.warnings, "speedup", format_speedup);
    if (bar.warnings.size() > noted) bar.speedup_lo = bar.speedup_hi = bar.speedup;
    bar.details = details(cmp, c);
    data.bars.push_back(std::move(bar));
  }

  std::vector<size_t> curve_configs;
  for (const auto& s : cmp.accuracy) {
    if (std::find(curve_configs.begin(), curve_configs.end(), s.config) == curve_configs.end()) {
      curve_configs.push_back(s.config);
    }
  }
  const std::vector<bool> curve_shown = shown_mask(
      sample(cmp, curve_configs, kChartCurves, problems, "accuracy charts", "configurations' curves"), cmp.configs.size());
  for (const auto& s : cmp.accuracy) {
    if (!curve_shown[s.config]) continue;
    lb::charts::AccuracyCurve curve;
    // The writers add " (projected)" to a projected curve's legend themselves.
    curve.label = s.projected ? cmp.configs[s.config].label : s.label;
    curve.is_cluster = cmp.configs[s.config].is_cluster;
    curve.placement_unknown = cmp.configs[s.config].placement_unknown;
    curve.kind = s.projected ? Provenance::Extrapolated : provenance(s.imported, s.extrapolated);
    curve.projected = s.projected;
    curve.details = s.details;
    size_t dropped = 0;
    for (const auto& p : s.points) {
      // A log time axis and a percentage axis: anything else cannot be drawn.
      if (!positive(p.time_s) || !std::isfinite(p.accuracy_pct) || p.accuracy_pct < 0 || p.accuracy_pct > 100) {
        ++dropped;
        continue;
      }
      curve.points.push_back({p.time_s, p.accuracy_pct, p.epoch});
    }
    if (dropped > 0) {
      problems.push_back("accuracy chart: " + std::to_string(dropped) + " point(s) of " + s.label +
                         " left out (time not positive or accuracy outside 0..100%)");
    }
    if (!curve.points.empty()) data.accuracy.push_back(std::move(curve));
  }

  // One unit for the scaling chart: the first scaled configuration's (measured first), GPUs when it
  // has a 1-GPU reference.
  const ConfigResult* first = nullptr;
  for (const auto& c : cmp.configs) {
    if ((c.vs_one_gpu || c.vs_one_node) && (!first || (first->is_imported && !c.is_imported))) first = &c;
  }
  const bool gpu_unit = first && first->vs_one_gpu;
  data.scaling_unit = gpu_unit ? "GPUs" : "nodes";
  const auto scaling_of = [&](size_t i) -> const std::optional<Scaling>& {
    return gpu_unit ? cmp.configs[i].vs_one_gpu : cmp.configs[i].vs_one_node;
  };
  const auto scaled = those(cmp.display_order, [&](size_t i) { return scaling_of(i).has_value(); });
  const Selection scaled_shown = sample(cmp, scaled, kChartRows, problems, "scaling charts");
  for (size_t i : scaled_shown.shown) {
    const ConfigResult& c = cmp.configs[i];
    const auto& s = scaling_of(i);
    const ConfigResult& ref = cmp.configs[s->reference];
    const int units = gpu_unit ? c.gpus : c.nodes;
    if (units <= 0 || !positive(s->speedup.value) || !positive(s->ideal) || !std::isfinite(s->efficiency.value)) {
      problems.push_back("scaling chart: " + c.label + " left out (no " + data.scaling_unit +
                         " count or no finite speedup)");
      continue;
    }
    lb::charts::ScalingPoint p;
    p.label = c.label;
    p.nodes = c.nodes;
    p.gpus = c.gpus;
    p.time_s = c.time_s->value;
    p.speedup = s->speedup.value;
    p.ideal = s->ideal;
    p.efficiency = s->efficiency.value;
    p.kind = provenance(c.is_imported || ref.is_imported, c.extrapolated || ref.extrapolated);
    p.mark = quality_mark(c);
    data.scaling.push_back(std::move(p));
  }
  // Along the axis, one provenance after the other (ScalingPoint has no series of its own).
  std::stable_sort(data.scaling.begin(), data.scaling.end(), [&](const auto& a, const auto& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    return gpu_unit ? a.gpus < b.gpus : a.nodes < b.nodes;
  });
  // Side panel: efficiency of each scaled configuration in the chart's unit, in short names,
  // measured before imported, along the axis; of a sample when there are more than it holds.
  const auto paneled = those(scaled_shown.shown, [&](size_t i) { return scaling_of(i)->reference != i; });
  const Selection panel_shown =
      sample(cmp, paneled, kPanelLines, problems, "accuracy charts' efficiency panel", "scaled configurations");
  std::vector<std::tuple<bool, int, std::string, std::string>> panel;
  for (size_t i : panel_shown.shown) {
    const ConfigResult& c = cmp.configs[i];
    const int units = gpu_unit ? c.gpus : c.nodes;
    std::string name = std::to_string(units) + (gpu_unit ? (units == 1 ? " GPU" : " GPUs") : (units == 1 ? " node" : " nodes"));
    if (c.is_imported) name += ", " + c.config[Field::source];
    panel.emplace_back(c.is_imported, units, name, format_percent(scaling_of(i)->efficiency.value, 0));
  }
  std::stable_sort(panel.begin(), panel.end());
  for (const auto& [imported, units, name, value] : panel) data.efficiency_panel.emplace_back(name, value);
  data.target_accuracy = cmp.target_accuracy_pct.value_or(0.0);

  // Bound attribution: measured configurations, in display order.
  const auto bounded = those(cmp.display_order, [&](size_t i) { return cmp.configs[i].bound.has_value(); });
  const Selection bounds_shown = sample(cmp, bounded, kChartRows, problems, "bound attribution charts");
  for (size_t i : bounds_shown.shown) {
    const ConfigResult& c = cmp.configs[i];
    const BoundSummary& b = *c.bound;
    lb::charts::BoundBar bar;
    bar.label = c.label;
    bar.is_cluster = c.is_cluster;
    bar.data_wait = std::clamp(b.data_wait, 0.0, 1.0);
    bar.compute = std::clamp(b.compute, 0.0, 1.0);
    bar.comm = std::clamp(b.comm, 0.0, 1.0);
    bar.other = std::clamp(b.other, 0.0, 1.0);
    const double sum = bar.data_wait + bar.compute + bar.comm + bar.other;
    if (sum > 1) {  // rounding: scale back to the whole step
      for (double* share : {&bar.data_wait, &bar.compute, &bar.comm, &bar.other}) *share /= sum;
    }
    bar.bound = b.label;
    bar.details = c.id + ": " + std::to_string(b.runs) + (b.runs == 1 ? " run" : " runs") + ", measured steady steps";
    if (!b.compute_recorded) bar.details += "; no forward/backward/optimizer breakdown: compute is the rest of the step";
    if (b.model_flops_per_s) {
      bar.details += "\nmodel " + format_flops(*b.model_flops_per_s) + " per device";
      if (b.model_flops_utilisation && b.gemm_flops_per_s) {
        bar.details += ", " + format_percent(*b.model_flops_utilisation, 0) + " of the measured matrix-product rate (" +
                       format_flops(*b.gemm_flops_per_s) + ")";
      }
    }
    data.bounds.push_back(std::move(bar));
  }

  // The scaling model: the family with the most measured rank counts.
  const ScalingModel* model = nullptr;
  auto measured_points = [](const ScalingModel& m) {
    return std::count_if(m.points.begin(), m.points.end(), [](const ModelPoint& p) { return p.measured_step_s.has_value(); });
  };
  for (const auto& m : cmp.scaling_models) {
    if (!model || measured_points(m) > measured_points(*model)) model = &m;
  }
  if (model) {
    if (cmp.scaling_models.size() > 1) {
      problems.push_back("scaling model chart: drawn for " + model->family + " only; the other " +
                         std::to_string(cmp.scaling_models.size() - 1) + " model(s) are in summary.md");
    }
    for (const auto& p : model->points) {
      if (!positive(p.predicted_step_s) || p.ranks < 1) continue;
      lb::charts::ScalingModelPoint q;
      q.ranks = p.ranks;
      q.nodes = p.nodes;
      q.predicted_step_s = p.predicted_step_s;
      q.predicted_efficiency = p.predicted_efficiency;
      if (p.config) {
        q.label = cmp.configs[*p.config].label;
      } else {
        q.label = p.nodes > 0 ? std::to_string(p.nodes) + (p.nodes == 1 ? " node" : " nodes") + " (modelled, not run)"
                              : std::to_string(p.ranks) + " ranks (modelled, not run)";
      }
      if (p.measured_step_s && positive(*p.measured_step_s) && p.measured_efficiency) {
        q.measured = true;
        q.measured_step_s = *p.measured_step_s;
        q.measured_efficiency = *p.measured_efficiency;
      }
      data.model.push_back(std::move(q));
    }
    const auto g3 = [](double v) { return format_significant(v, 3); };
    data.model_description = model->family + ": alpha " + g3(model->alpha_s * 1e6) + " us, beta " +
                             g3(model->beta_s_per_byte * 1e9) + " ns/byte (" +
                             g3(model->beta_s_per_byte > 0 ? 1e-9 / model->beta_s_per_byte : 0.0) + " GB/s per link) from " +
                             std::to_string(model->sweep_points) + " sweep points; gradients " +
                             g3(model->gradient_bytes / 1e6) + " MB in " + std::to_string(model->buckets) +
                             " bucket(s); one-rank step " + g3(model->reference_step_s) + " s";
  }

  fill_energy(cmp, data, problems);

  data.warnings = cmp.warnings;
  data.warnings.insert(data.warnings.end(), problems.begin(), problems.end());
  return data;
}

}  // namespace lb::analysis
