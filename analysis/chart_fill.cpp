#include "analysis/chart_fill.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "analysis/names.h"
#include "analysis/reports.h"

namespace lb::analysis {
namespace {

using lb::charts::Provenance;

Provenance provenance(bool imported, bool extrapolated) {
  if (imported) return Provenance::Imported;
  return extrapolated ? Provenance::Extrapolated : Provenance::Measured;
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", fraction * 100.0);
  return buf;
}

std::string details(const Comparison& cmp, const ConfigResult& c) {
  std::string text = c.id + ": " + figure_kind(c.is_imported, c.extrapolated) + "; " + c.method + "\n";
  for (const auto& f : c.fields) {
    if (!f.value.empty() && f.name != "source") text += f.label + ": " + f.value + "\n";
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

}  // namespace

lb::charts::ChartData to_chart_data(const Comparison& cmp) {
  lb::charts::ChartData data;
  data.cluster_name = cmp.cluster_name;
  data.job_description = cmp.job_description;
  data.epochs = cmp.epochs;
  if (cmp.baseline) data.baseline_label = cmp.configs[*cmp.baseline].label;

  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.time_s) continue;
    lb::charts::Bar bar;
    bar.label = c.label;
    bar.is_cluster = c.is_cluster;
    bar.nodes = c.is_cluster ? c.nodes : 0;
    bar.gpus = c.gpus;
    bar.time_s = c.time_s->value;
    bar.lo_s = c.time_s->lo;
    bar.hi_s = c.time_s->hi;
    bar.kind = provenance(c.is_imported, c.extrapolated);
    if (c.speedup) {
      bar.speedup = c.speedup->value;
      bar.speedup_lo = c.speedup->lo;
      bar.speedup_hi = c.speedup->hi;
    } else {
      bar.speedup = bar.speedup_lo = bar.speedup_hi = std::nan("");
    }
    bar.details = details(cmp, c);
    bar.warnings = c.warnings;
    data.bars.push_back(std::move(bar));
  }

  for (const auto& s : cmp.accuracy) {
    lb::charts::AccuracyCurve curve;
    curve.label = s.label;
    curve.kind = s.projected ? Provenance::Extrapolated : provenance(s.imported, s.extrapolated);
    curve.projected = s.projected;
    curve.details = s.details;
    for (const auto& p : s.points) curve.points.push_back({p.time_s, p.accuracy_pct, p.epoch});
    data.accuracy.push_back(std::move(curve));
  }

  // One unit for the scaling chart: GPUs when a 1-GPU reference exists (measured first).
  bool gpu_unit = false;
  bool decided = false;
  for (bool measured : {true, false}) {
    for (const auto& c : cmp.configs) {
      if (decided || c.is_imported == measured) continue;
      if (c.vs_one_gpu) {
        gpu_unit = true;
        decided = true;
      } else if (c.vs_one_node) {
        decided = true;
      }
    }
  }
  data.scaling_unit = gpu_unit ? "GPUs" : "nodes";
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    const auto& s = gpu_unit ? c.vs_one_gpu : c.vs_one_node;
    if (!s) continue;
    const ConfigResult& ref = cmp.configs[s->reference];
    lb::charts::ScalingPoint p;
    p.label = c.label;
    p.nodes = c.nodes;
    p.gpus = c.gpus;
    p.time_s = c.time_s->value;
    p.speedup = s->speedup.value;
    p.ideal = s->ideal;
    p.efficiency = s->efficiency.value;
    p.kind = provenance(c.is_imported || ref.is_imported, c.extrapolated || ref.extrapolated);
    data.scaling.push_back(std::move(p));
  }
  // Along the axis, one provenance after the other (ScalingPoint has no series of its own).
  std::stable_sort(data.scaling.begin(), data.scaling.end(), [&](const auto& a, const auto& b) {
    if (a.kind != b.kind) return a.kind < b.kind;
    return gpu_unit ? a.gpus < b.gpus : a.nodes < b.nodes;
  });
  // Side panel: efficiency of each scaled configuration in the chart's unit, in short names,
  // measured before imported, along the axis.
  std::vector<std::tuple<bool, int, std::string, std::string>> panel;
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    const auto& s = gpu_unit ? c.vs_one_gpu : c.vs_one_node;
    if (!s || s->reference == i) continue;
    const int units = gpu_unit ? c.gpus : c.nodes;
    std::string name = std::to_string(units) + (gpu_unit ? (units == 1 ? " GPU" : " GPUs") : (units == 1 ? " node" : " nodes"));
    if (c.is_imported) {
      const ConfigField* source = find_field(c.fields, "source");
      if (source) name += ", " + source->value;
    }
    panel.emplace_back(c.is_imported, units, name, percent(s->efficiency.value));
  }
  std::stable_sort(panel.begin(), panel.end());
  for (const auto& [imported, units, name, value] : panel) data.efficiency_panel.emplace_back(name, value);
  data.warnings = cmp.warnings;
  return data;
}

}  // namespace lb::analysis
