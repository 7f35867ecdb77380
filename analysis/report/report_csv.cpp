#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <utility>

#include "analysis/compare/bound.h"
#include "analysis/input/csv_reader.h"
#include "analysis/compare/quality.h"
#include "analysis/input/names.h"
#include "analysis/report/reports.h"

namespace lb::analysis {
namespace {

std::string cell(double v) { return std::isfinite(v) ? format_number(v) : ""; }
std::string cell(bool v) { return v ? "true" : "false"; }

template <class T>
std::string cell(const std::optional<T>& v) {
  if (!v) return "";
  if constexpr (std::is_same_v<T, std::string>) {
    return *v;
  } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, double>) {
    return cell(*v);
  } else {
    return std::to_string(*v);
  }
}

// Interval ends: empty when the measurements do not bound that end.
std::string lo_cell(const Interval& v) { return v.has_interval && !v.has_lower() ? std::string() : cell(v.lo); }
std::string hi_cell(const Interval& v) { return v.has_interval && !v.has_upper() ? std::string() : cell(v.hi); }
// The same three cells of a figure that may be absent: empty when it is.
template <class Figure>
std::string value_cell(const std::optional<Figure>& v) { return v ? cell(v->value) : std::string(); }
std::string lo_cell(const std::optional<Interval>& v) { return v ? lo_cell(*v) : std::string(); }
std::string hi_cell(const std::optional<Interval>& v) { return v ? hi_cell(*v) : std::string(); }

// CSV formula injection: a spreadsheet runs a cell that starts with =, +, -, @ (or a tab or CR
// before one) as a formula. Such text (a run name from an export, say) is written behind a ' so
// that it stays text; numbers such as -0.5 are left as they are.
std::string inert(std::string text) {
  if (text.empty() || std::string("=+-@\t\r").find(text[0]) == std::string::npos) return text;
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  if (end == text.c_str() + text.size() && text[0] != '\t' && text[0] != '\r') return text;
  return "'" + text;
}

// A figure of the scaling model's point at a run's configuration: empty when no model covers it.
std::string model_cell(const Comparison& cmp, const RunAnalysis& r, double ModelPoint::*figure) {
  for (const auto& m : cmp.scaling_models) {
    for (const auto& p : m.points) {
      if (p.config == r.config) return cell(p.*figure);
    }
  }
  return "";
}

// The configuration a run belongs to, and its energy figures.
const ConfigResult& cfg(const Comparison& c, const RunAnalysis& r) { return c.configs[r.config]; }
const ConfigEnergy& energy(const Comparison& c, const RunAnalysis& r) { return c.configs[r.config].energy; }

// A cell only where the figure applies (the value is a plain member, valid either way).
template <class T>
std::string cell_if(bool applies, const T& value) {
  return applies ? cell(value) : std::string();
}

// The time a run or a configuration reached the target accuracy: empty when it did not.
template <class TimeToTarget>
std::string target_cell(const std::optional<TimeToTarget>& t) {
  return t && t->reached ? cell(t->time_s) : std::string();
}

std::string efficiency_cell(const std::optional<Scaling>& s) { return s ? cell(s->efficiency.value) : std::string(); }

using Column = std::pair<const char*, std::function<std::string(const Comparison&, const RunAnalysis&)>>;

const std::vector<Column>& columns() {
  using C = const Comparison&;
  using R = const RunAnalysis&;
  static const std::vector<Column> list = {
      {"run_id", [](C, R r) { return r.run.run_id; }},
      {"source_file", [](C, R r) { return r.run.source_path; }},
      {"source", [](C, R r) { return r.run.source_label; }},
      {"status", [](C, R r) { return std::string(to_string(r.run.status)); }},
      {"in_comparison", [](C, R r) { return cell(r.in_comparison); }},
      {"excluded_reason", [](C, R r) { return r.excluded_reason; }},
      {"config_id", [](C c, R r) { return cfg(c, r).id; }},
      {"config_label", [](C c, R r) { return cfg(c, r).label; }},
      {"device", [](C, R r) { return cell(r.run.settings.device); }},
      {"device_model", [](C, R r) { return cell(r.run.settings.device_model); }},
      {"model", [](C, R r) { return cell(r.run.settings.model); }},
      {"nodes", [](C, R r) { return cell(r.run.settings.nodes); }},
      {"gpus", [](C, R r) { return cell(r.run.settings.gpus); }},
      {"ranks", [](C, R r) { return cell(r.run.settings.ranks); }},
      {"threads", [](C, R r) { return cell(r.run.settings.threads); }},
      {"precision", [](C, R r) { return cell(r.run.settings.precision); }},
      {"batch_size", [](C, R r) { return cell(r.run.settings.batch_size); }},
      {"global_batch_size", [](C, R r) { return cell(r.run.settings.global_batch_size); }},
      {"dataset", [](C, R r) { return cell(r.run.settings.dataset); }},
      {"synthetic", [](C, R r) { return cell(r.run.settings.synthetic); }},
      {"full_train_samples", [](C, R r) { return cell(r.run.settings.full_train_samples); }},
      {"full_val_samples", [](C, R r) { return cell(r.run.settings.full_val_samples); }},
      {"train_samples", [](C, R r) { return cell(r.run.settings.train_samples); }},
      {"val_samples", [](C, R r) { return cell(r.run.settings.val_samples); }},
      {"subset_fraction", [](C, R r) { return cell(r.run.settings.subset_fraction); }},
      {"epochs", [](C, R r) { return cell(r.run.settings.epochs); }},
      {"optimizer", [](C, R r) { return cell(r.run.settings.optimizer); }},
      {"lr", [](C, R r) { return cell(r.run.settings.lr); }},
      {"lr_schedule", [](C, R r) { return cell(r.run.settings.lr_schedule); }},
      {"pretrained", [](C, R r) { return cell(r.run.settings.pretrained); }},
      {"finished_epochs", [](C, R r) { return r.run.is_imported() ? "" : std::to_string(r.metrics.finished_epochs); }},
      {"steady_steps", [](C, R r) { return r.run.is_imported() ? "" : std::to_string(r.metrics.steady_steps); }},
      {"warmup_steps", [](C, R r) { return r.run.is_imported() ? "" : std::to_string(r.metrics.warmup_steps); }},
      {"steady_images_per_s", [](C, R r) { return cell(r.metrics.steady_images_per_s); }},
      {"images_per_s_per_gpu", [](C, R r) { return cell(r.metrics.images_per_s_per_gpu); }},
      {"train_s_per_sample", [](C, R r) { return value_cell(r.metrics.train_s_per_sample); }},
      {"mean_epoch_time_s", [](C, R r) {
         return r.run.is_imported() ? cell(r.run.imported.epoch_time_s) : cell(r.metrics.mean_epoch_time_s);
       }},
      {"mean_train_time_s", [](C, R r) { return cell(r.metrics.mean_train_time_s); }},
      {"mean_val_time_s", [](C, R r) { return cell(r.metrics.mean_val_time_s); }},
      {"epoch_overhead_s", [](C, R r) { return value_cell(r.metrics.epoch_overhead_s); }},
      {"startup_s", [](C, R r) { return cell(r.metrics.startup_s); }},
      {"wall_time_s", [](C, R r) { return cell(r.run.wall_time_s); }},
      {"peak_rss_bytes", [](C, R r) { return cell(r.run.peak_rss_bytes); }},
      {"peak_rss_bytes_max_rank", [](C, R r) { return cell(r.run.peak_rss_bytes_max_rank); }},
      {"peak_device_memory_bytes", [](C, R r) { return cell(r.run.peak_device_memory_bytes); }},
      {"job_model_flops_per_s", [](C, R r) { return cell(r.metrics.job_model_flops_per_s); }},
      {"data_wait_fraction", [](C, R r) { return cell(r.metrics.data_wait_fraction); }},
      {"comm_exposed_fraction", [](C, R r) { return cell(r.metrics.comm_exposed_fraction); }},
      {"straggler_ratio", [](C, R r) { return cell(r.metrics.straggler_ratio); }},
      {"final_val_top1_pct", [](C, R r) { return cell(r.metrics.final_val_top1_pct); }},
      {"best_val_top1_pct", [](C, R r) { return cell(r.metrics.best_val_top1_pct); }},
      {"best_val_time_s", [](C, R r) { return cell(r.metrics.best_time_s); }},
      {"accuracy_scope", [](C, R r) {
         return std::string(!r.metrics.best_val_top1_pct ? "none" : r.run.is_subset() ? "subset" : "full");
       }},
      {"job_epochs", [](C c, R) { return std::to_string(c.epochs); }},
      {"job_time_s", [](C, R r) { return r.job.available ? cell(r.job.time_s.value) : std::string(); }},
      {"job_time_lo_s", [](C, R r) { return r.job.available ? lo_cell(r.job.time_s) : std::string(); }},
      {"job_time_hi_s", [](C, R r) { return r.job.available ? hi_cell(r.job.time_s) : std::string(); }},
      {"job_method", [](C, R r) { return r.job.available ? r.job.method : "not estimated: " + r.job.unavailable_reason; }},
      {"is_extrapolated", [](C, R r) { return cell(r.job.available && r.job.extrapolated); }},
      {"is_imported", [](C, R r) { return cell(r.run.is_imported()); }},
      {"config_time_s", [](C c, R r) { return value_cell(cfg(c, r).time_s); }},
      {"config_time_lo_s", [](C c, R r) { return lo_cell(cfg(c, r).time_s); }},
      {"config_time_hi_s", [](C c, R r) { return hi_cell(cfg(c, r).time_s); }},
      {"config_is_extrapolated", [](C c, R r) { return cell(cfg(c, r).time_s.has_value() && cfg(c, r).extrapolated); }},
      {"speedup_vs_baseline", [](C c, R r) { return value_cell(cfg(c, r).speedup); }},
      {"speedup_lo", [](C c, R r) { return lo_cell(cfg(c, r).speedup); }},
      {"speedup_hi", [](C c, R r) { return hi_cell(cfg(c, r).speedup); }},
      {"efficiency_vs_1gpu", [](C c, R r) { return efficiency_cell(cfg(c, r).vs_one_gpu); }},
      {"efficiency_vs_1node", [](C c, R r) { return efficiency_cell(cfg(c, r).vs_one_node); }},
      // Quality: the accuracy each side of the speedup reached, the bar, the headline.
      {"val_scope", [](C, R r) { return cell(r.run.settings.val_scope); }},
      {"val_images_per_eval", [](C, R r) { return cell(r.run.settings.val_images_per_eval); }},
      {"config_accuracy_pct", [](C c, R r) { return cell(cfg(c, r).accuracy_reached_pct); }},
      {"baseline_accuracy_pct", [](C c, R) {
         return c.baseline ? cell(c.configs[*c.baseline].accuracy_reached_pct) : std::string();
       }},
      {"quality_bar_pct", [](C c, R r) { return cell(cfg(c, r).quality.bar_pct); }},
      {"quality", [](C c, R r) { return std::string(to_string(cfg(c, r).quality.status)); }},
      {"headline_eligible", [](C c, R r) { return cell(cfg(c, r).headline_eligible); }},
      {"headline_excluded_reason", [](C c, R r) { return cfg(c, r).headline_reason; }},
      {"time_to_target_s", [](C, R r) { return target_cell(r.to_target); }},
      {"time_to_target_kind", [](C, R r) {
         if (!r.to_target) return std::string();
         if (!r.to_target->reached) return std::string("not reached");
         return r.to_target->upper_bound ? std::string("imported, at most") : figure_kind(r.run.is_imported(), false);
       }},
      {"config_time_to_target_s", [](C c, R r) { return target_cell(cfg(c, r).to_target); }},
      // Repetitions and adaptive stopping.
      {"repeat_group", [](C, R r) { return r.run.repeat.group; }},
      {"repeat_index", [](C, R r) { return cell(r.run.repeat.index); }},
      {"repeat_count", [](C, R r) { return cell(r.run.repeat.count); }},
      {"config_runs_used", [](C c, R r) { return std::to_string(cfg(c, r).repetitions.n); }},
      {"config_time_cv", [](C c, R r) { return cell_if(cfg(c, r).repetitions.n >= 2, cfg(c, r).repetitions.cv); }},
      {"config_spread_too_large", [](C c, R r) { return cell(cfg(c, r).repetitions.spread_too_large); }},
      {"adaptive_target_rel_ci", [](C, R r) { return cell(r.run.adaptive.target_rel_ci); }},
      {"adaptive_stop_reason", [](C, R r) { return r.run.adaptive.stop_reason; }},
      {"adaptive_rel_ci", [](C, R r) { return cell(r.run.adaptive.achieved_rel_ci); }},
      {"median_step_s", [](C, R r) { return cell_if(r.metrics.steady_steps > 0, r.metrics.step_median.median); }},
      {"median_step_lo_s", [](C, R r) { return cell_if(r.metrics.step_median.available, r.metrics.step_median.lo); }},
      {"median_step_hi_s", [](C, R r) { return cell_if(r.metrics.step_median.available, r.metrics.step_median.hi); }},
      // Bound attribution.
      {"compute_fraction", [](C, R r) { return cell(r.metrics.compute_fraction); }},
      {"bound", [](C, R r) { return run_bound_label(r.metrics); }},
      {"config_bound", [](C c, R r) { return cfg(c, r).bound ? cfg(c, r).bound->label : std::string(); }},
      {"comm_backend", [](C, R r) { return cell(r.run.settings.comm_backend); }},
      {"comm_inter_node", [](C, R r) { return cell(r.run.settings.comm_inter_node); }},
      {"comm_intra_node", [](C, R r) { return cell(r.run.settings.comm_intra_node); }},
      {"inter_node_warning", [](C, R r) { return r.run.inter_node_warning; }},
      {"model_flops_per_s", [](C, R r) { return cell(r.metrics.model_flops_per_s); }},
      {"gemm_flops_per_s", [](C, R r) { return cell(r.run.gemm_flops_per_s); }},
      {"model_flops_utilisation", [](C, R r) { return cell(r.metrics.model_flops_utilisation); }},
      // Energy (analysis/energy.h): the run's counters, its job estimate, the configuration's figures.
      {"energy_sources", [](C, R r) { return r.run.energy.sources; }},
      {"energy_unavailable", [](C, R r) { return r.run.energy.unavailable; }},
      {"run_energy_j", [](C, R r) { return cell_if(r.energy.measured, r.energy.run_j); }},
      {"run_energy_counters", [](C, R r) {
         const std::string parts = join(r.energy.parts, "+");
         return r.energy.measured && parts.empty() ? std::string("energy_j attribute") : parts;
       }},
      {"run_mean_power_w", [](C, R r) { return cell_if(r.energy.measured, r.energy.mean_power_w); }},
      {"run_energy_not_measured_reason", [](C, R r) { return r.energy.not_measured_reason; }},
      {"job_energy_j", [](C, R r) { return value_cell(r.energy.job_j); }},
      {"job_energy_lo_j", [](C, R r) { return lo_cell(r.energy.job_j); }},
      {"job_energy_hi_j", [](C, R r) { return hi_cell(r.energy.job_j); }},
      {"job_energy_kind", [](C, R r) {
         return r.energy.job_j ? std::string(r.energy.job_extrapolated ? "extrapolated" : "measured") : std::string();
       }},
      {"config_energy_j", [](C c, R r) { return value_cell(energy(c, r).energy_j); }},
      {"config_energy_lo_j", [](C c, R r) { return lo_cell(energy(c, r).energy_j); }},
      {"config_energy_hi_j", [](C c, R r) { return hi_cell(energy(c, r).energy_j); }},
      {"config_energy_kind", [](C c, R r) { return energy(c, r).energy_j ? energy(c, r).kind : std::string(); }},
      {"config_energy_per_image_j", [](C c, R r) { return cell(energy(c, r).per_image_j); }},
      {"config_power_w", [](C c, R r) { return cell_if(energy(c, r).energy_j.has_value(), energy(c, r).power_w); }},
      {"config_energy_vs_baseline", [](C c, R r) { return value_cell(energy(c, r).vs_baseline); }},
      {"config_energy_not_measured_reason", [](C c, R r) {
         const auto& e = energy(c, r);
         return e.kind == "modelled" || !e.energy_j ? e.reason : std::string();
       }},
      {"config_co2e_g", [](C c, R r) { return value_cell(energy(c, r).co2_g); }},
      {"config_co2e_lo_g", [](C c, R r) { return lo_cell(energy(c, r).co2_g); }},
      {"config_co2e_hi_g", [](C c, R r) { return hi_cell(energy(c, r).co2_g); }},
      {"grid_g_per_kwh", [](C c, R r) { return cell(energy(c, r).grid_g_per_kwh); }},
      {"config_cost", [](C c, R r) { return value_cell(energy(c, r).cost); }},
      {"config_cost_lo", [](C c, R r) { return lo_cell(energy(c, r).cost); }},
      {"config_cost_hi", [](C c, R r) { return hi_cell(energy(c, r).cost); }},
      {"billing_unit", [](C c, R) { return c.energy_options.billing_unit; }},
      {"config_cost_rule", [](C c, R r) { return energy(c, r).cost ? energy(c, r).cost_rule : energy(c, r).cost_reason; }},
      {"config_peak_rss_bytes", [](C c, R r) {  // the largest rank's, else rank 0's
         const auto& e = energy(c, r);
         return cell(e.peak_rss_bytes_max_rank ? e.peak_rss_bytes_max_rank : e.peak_rss_bytes);
       }},
      {"config_peak_device_memory_bytes", [](C c, R r) { return cell(energy(c, r).peak_device_memory_bytes); }},
      // The scaling model at this run's configuration (modelled), and whether the row is a model row.
      {"model_predicted_step_s", [](C c, R r) { return model_cell(c, r, &ModelPoint::predicted_step_s); }},
      {"model_predicted_efficiency", [](C c, R r) { return model_cell(c, r, &ModelPoint::predicted_efficiency); }},
      {"is_modelled", [](C, R) { return std::string("false"); }},
      {"warnings", [](C, R r) {
         std::vector<std::string> all = r.run.warnings;
         all.insert(all.end(), r.metrics.warnings.begin(), r.metrics.warnings.end());
         all.insert(all.end(), r.job.notes.begin(), r.job.notes.end());
         if (!r.excluded_reason.empty()) all.push_back(r.excluded_reason);
         return join(all, " | ");
       }},
  };
  return list;
}

}  // namespace

void write_benchmark_csv(const Comparison& cmp, std::ostream& stream) {
  std::string out;  // a row at a time
  for (const auto& [name, get] : columns()) out += (out.empty() ? "" : ",") + std::string(name);
  stream << out << '\n';
  // One line: each column's text from `text_of`, made safe for a spreadsheet.
  auto row = [&](const std::function<std::string(const Column&)>& text_of) {
    out.clear();
    for (const auto& column : columns()) out += csv_cell(inert(text_of(column))) + ',';
    out.back() = '\n';  // the last comma
    stream << out;
  };
  for (const auto& r : cmp.runs) {
    row([&](const Column& column) { return strip_control_characters(column.second(cmp, r)); });
  }
  // Rank counts the scaling model predicts but no run measured: one row each, marked modelled, with
  // only the columns that apply.
  for (const auto& m : cmp.scaling_models) {
    const ConfigResult& ref = cmp.configs[m.reference];
    for (const auto& p : m.points) {
      if (p.config) continue;
      const std::map<std::string, std::string> modelled = {
          {"run_id", "modelled: " + std::to_string(p.ranks) + " ranks" +
                         (p.nodes > 0 ? " (" + std::to_string(p.nodes) + (p.nodes == 1 ? " node)" : " nodes)") : "")},
          {"source", "scaling model"},
          {"status", "modelled"},
          {"in_comparison", "false"},
          {"excluded_reason", "modelled from the allreduce sweep and " + ref.label + "'s step time, not run"},
          {"config_id", ref.id},
          {"config_label", m.family},
          {"nodes", p.nodes > 0 ? std::to_string(p.nodes) : ""},
          {"ranks", std::to_string(p.ranks)},
          {"batch_size", std::to_string(m.batch_per_rank)},
          {"model_predicted_step_s", cell(p.predicted_step_s)},
          {"model_predicted_efficiency", cell(p.predicted_efficiency)},
          {"is_extrapolated", "false"},
          {"is_imported", "false"},
          {"is_modelled", "true"},
          {"job_epochs", std::to_string(cmp.epochs)},
      };
      row([&](const Column& column) {
        auto it = modelled.find(column.first);
        return it == modelled.end() ? std::string() : strip_control_characters(it->second);
      });
    }
  }
}

}  // namespace lb::analysis
