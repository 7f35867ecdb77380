#include <cmath>
#include <functional>
#include <utility>

#include "analysis/csv_reader.h"
#include "analysis/names.h"
#include "analysis/reports.h"

namespace lb::analysis {
namespace {

template <class T>
std::string cell(const std::optional<T>& v) {
  if (!v) return "";
  if constexpr (std::is_same_v<T, std::string>) {
    return *v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return *v ? "true" : "false";
  } else if constexpr (std::is_same_v<T, double>) {
    return std::isfinite(*v) ? format_number(*v) : "";
  } else {
    return std::to_string(*v);
  }
}

std::string cell(double v) { return std::isfinite(v) ? format_number(v) : ""; }
std::string cell(bool v) { return v ? "true" : "false"; }

// Interval ends: empty when the measurements do not bound that end.
std::string lo_cell(const Interval& v) { return v.has_interval && !v.has_lower() ? std::string() : cell(v.lo); }
std::string hi_cell(const Interval& v) { return v.has_interval && !v.has_upper() ? std::string() : cell(v.hi); }

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : " | ") + s;
  return out;
}

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
      {"config_id", [](C c, R r) { return c.configs[r.config].id; }},
      {"config_label", [](C c, R r) { return c.configs[r.config].label; }},
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
      {"train_s_per_sample", [](C, R r) {
         return r.metrics.train_s_per_sample ? cell(r.metrics.train_s_per_sample->value) : std::string();
       }},
      {"mean_epoch_time_s", [](C, R r) {
         return r.run.is_imported() ? cell(r.run.imported.epoch_time_s) : cell(r.metrics.mean_epoch_time_s);
       }},
      {"mean_train_time_s", [](C, R r) { return cell(r.metrics.mean_train_time_s); }},
      {"mean_val_time_s", [](C, R r) { return cell(r.metrics.mean_val_time_s); }},
      {"epoch_overhead_s", [](C, R r) {
         return r.metrics.epoch_overhead_s ? cell(r.metrics.epoch_overhead_s->value) : std::string();
       }},
      {"startup_s", [](C, R r) { return cell(r.metrics.startup_s); }},
      {"wall_time_s", [](C, R r) { return cell(r.run.wall_time_s); }},
      {"peak_rss_bytes", [](C, R r) { return cell(r.run.peak_rss_bytes); }},
      {"model_flops_per_s", [](C, R r) { return cell(r.metrics.model_flops_per_s); }},
      {"flops_utilization", [](C, R r) { return cell(r.metrics.flops_utilization); }},
      {"data_wait_fraction", [](C, R r) { return cell(r.metrics.data_wait_fraction); }},
      {"comm_exposed_fraction", [](C, R r) { return cell(r.metrics.comm_exposed_fraction); }},
      {"straggler_ratio", [](C, R r) { return cell(r.metrics.straggler_ratio); }},
      {"final_val_top1_pct", [](C, R r) { return cell(r.metrics.final_val_top1_pct); }},
      {"best_val_top1_pct", [](C, R r) { return cell(r.metrics.best_val_top1_pct); }},
      {"best_val_time_s", [](C, R r) { return cell(r.metrics.best_time_s); }},
      {"accuracy_scope", [](C, R r) {
         if (!r.metrics.best_val_top1_pct) return std::string("none");
         return std::string(r.run.is_subset() ? "subset" : "full");
       }},
      {"job_epochs", [](C c, R) { return std::to_string(c.epochs); }},
      {"job_time_s", [](C, R r) { return r.job.available ? cell(r.job.time_s.value) : std::string(); }},
      {"job_time_lo_s", [](C, R r) { return r.job.available ? lo_cell(r.job.time_s) : std::string(); }},
      {"job_time_hi_s", [](C, R r) { return r.job.available ? hi_cell(r.job.time_s) : std::string(); }},
      {"job_method", [](C, R r) { return r.job.available ? r.job.method : "not estimated: " + r.job.unavailable_reason; }},
      {"is_extrapolated", [](C, R r) { return cell(r.job.available && r.job.extrapolated); }},
      {"is_imported", [](C, R r) { return cell(r.run.is_imported()); }},
      {"config_time_s", [](C c, R r) {
         const auto& t = c.configs[r.config].time_s;
         return t ? cell(t->value) : std::string();
       }},
      {"config_time_lo_s", [](C c, R r) {
         const auto& t = c.configs[r.config].time_s;
         return t ? lo_cell(*t) : std::string();
       }},
      {"config_time_hi_s", [](C c, R r) {
         const auto& t = c.configs[r.config].time_s;
         return t ? hi_cell(*t) : std::string();
       }},
      {"config_is_extrapolated", [](C c, R r) {
         const auto& k = c.configs[r.config];
         return cell(k.time_s.has_value() && k.extrapolated);
       }},
      {"speedup_vs_baseline", [](C c, R r) {
         const auto& s = c.configs[r.config].speedup;
         return s ? cell(s->value) : std::string();
       }},
      {"speedup_lo", [](C c, R r) {
         const auto& s = c.configs[r.config].speedup;
         return s ? lo_cell(*s) : std::string();
       }},
      {"speedup_hi", [](C c, R r) {
         const auto& s = c.configs[r.config].speedup;
         return s ? hi_cell(*s) : std::string();
       }},
      {"efficiency_vs_1gpu", [](C c, R r) {
         const auto& s = c.configs[r.config].vs_one_gpu;
         return s ? cell(s->efficiency.value) : std::string();
       }},
      {"efficiency_vs_1node", [](C c, R r) {
         const auto& s = c.configs[r.config].vs_one_node;
         return s ? cell(s->efficiency.value) : std::string();
       }},
      {"warnings", [](C, R r) {
         std::vector<std::string> all = r.run.warnings;
         all.insert(all.end(), r.metrics.warnings.begin(), r.metrics.warnings.end());
         all.insert(all.end(), r.job.notes.begin(), r.job.notes.end());
         if (!r.excluded_reason.empty()) all.push_back(r.excluded_reason);
         return join(all);
       }},
  };
  return list;
}

}  // namespace

std::string benchmark_csv(const Comparison& cmp) {
  std::string out;
  for (const auto& [name, get] : columns()) out += (out.empty() ? "" : ",") + std::string(name);
  out += '\n';
  for (const auto& r : cmp.runs) {
    bool first = true;
    for (const auto& [name, get] : columns()) {
      if (!first) out += ',';
      first = false;
      out += csv_cell(get(cmp, r));
    }
    out += '\n';
  }
  return out;
}

}  // namespace lb::analysis
