#include "analysis/compare/bound.h"
#include "analysis/compare/energy.h"
#include "analysis/report/json_writer.h"
#include "analysis/compare/quality.h"
#include "analysis/input/results_reader.h"
#include "analysis/report/reports.h"

namespace lb::analysis {
namespace {

// An end the measurements do not bound is null (docs/analyze.md).
void bounds(JsonWriter& j, const Interval& v) {
  j.field("value", v.value);
  j.field("lo", v.has_interval && !v.has_lower() ? std::nullopt : std::optional<double>(v.lo));
  j.field("hi", v.has_interval && !v.has_upper() ? std::nullopt : std::optional<double>(v.hi));
  j.field("has_interval", v.has_interval);
}

// The kind of a figure and the two flags it is made of.
void kind_fields(JsonWriter& j, bool imported, bool extrapolated) {
  j.field("kind", figure_kind(imported, extrapolated)).field("extrapolated", extrapolated).field("imported", imported);
}

void interval(JsonWriter& j, const std::string& name, const Interval& v, bool extrapolated, bool imported) {
  j.key(name).begin_object();
  bounds(j, v);
  kind_fields(j, imported, extrapolated);
  j.end_object();
}

// `name`: an object with what `body` writes, or null when it is not `present`.
template <class F>
void object_or_null(JsonWriter& j, const std::string& name, bool present, F body) {
  j.key(name);
  if (!present) {
    j.null();
    return;
  }
  j.begin_object();
  body();
  j.end_object();
}

// Text that is null when empty (not recorded, or nothing to say).
std::optional<std::string> unless_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

// A ratio of two figures is extrapolated when either figure is.
bool pair_extrapolated(const ConfigResult& a, const ConfigResult& b) { return a.extrapolated || b.extrapolated; }
bool pair_imported(const ConfigResult& a, const ConfigResult& b) { return a.is_imported || b.is_imported; }

void scaling(JsonWriter& j, const std::string& name, const Comparison& cmp, const ConfigResult& c,
             const std::optional<Scaling>& s) {
  object_or_null(j, name, s.has_value(), [&] {
    const ConfigResult& ref = cmp.configs[s->reference];
    const bool ex = pair_extrapolated(c, ref), im = pair_imported(c, ref);
    j.field("reference", ref.id).field("reference_label", ref.label).field("ideal", s->ideal);
    if (ref.time_s) j.field("reference_time_s", ref.time_s->value);
    interval(j, "speedup", s->speedup, ex, im);
    interval(j, "efficiency", s->efficiency, ex, im);
    // The accuracy each side reached, next to every speedup.
    j.field("accuracy_pct", c.accuracy_reached_pct).field("reference_accuracy_pct", ref.accuracy_reached_pct);
    j.field("differences", s->differences);
  });
}

void median_interval(JsonWriter& j, const std::string& name, const MedianInterval& m) {
  j.key(name).begin_object();
  j.field("median", m.median).field("n", m.n).field("available", m.available);
  const auto when_available = [&](double v) { return m.available ? std::optional<double>(v) : std::nullopt; };
  j.field("lo", when_available(m.lo)).field("hi", when_available(m.hi));
  j.field("relative_half_width", when_available(m.relative_half_width));
  j.field("method", "order statistics (distribution-free, coverage >= 95%)");
  j.end_object();
}

void quality(JsonWriter& j, const ConfigResult& c) {
  j.field("accuracy_reached_pct", c.accuracy_reached_pct).field("accuracy_runs", c.accuracy_runs);
  j.field("subset_accuracy_pct", c.subset_accuracy_pct);
  j.field("val_scope", unless_empty(c.val_scope));
  j.field("val_images", c.val_images);
  j.key("quality").begin_object();
  j.field("bar_pct", c.quality.bar_pct).field("bar_source", c.quality.bar_source);
  j.field("status", to_string(c.quality.status)).field("reason", c.quality.reason);
  j.end_object();
  j.field("headline_eligible", c.headline_eligible);
  j.field("headline_reason", c.headline_eligible ? std::nullopt : std::optional<std::string>(c.headline_reason));
  object_or_null(j, "time_to_target", c.to_target.has_value(), [&] {
    const ConfigTimeToTarget& t = *c.to_target;
    j.field("reached", t.reached);
    j.field("time_s", t.reached ? std::optional<double>(t.time_s) : std::nullopt);
    j.field("previous_s", t.reached && !t.imported ? std::optional<double>(t.previous_s) : std::nullopt);
    j.field("upper_bound_only", t.imported).field("epoch", t.epoch);
    j.field("runs_reached", t.runs_reached).field("runs_with_accuracy", t.runs_with_accuracy);
    kind_fields(j, t.imported, t.extrapolated);
    j.field("speedup", t.speedup).field("method", t.method);
  });
}

void repetitions(JsonWriter& j, const ConfigResult& c) {
  const RepetitionSummary& r = c.repetitions;
  j.key("repetitions").begin_object();
  j.field("n", r.n);
  if (r.n > 0) {
    j.field("mean_s", r.mean).field("median_s", r.median).field("min_s", r.min).field("max_s", r.max);
    j.field("coefficient_of_variation", r.n >= 2 ? std::optional<double>(r.cv) : std::nullopt);
    median_interval(j, "median_interval_s", r.median_ci);
  }
  j.field("spread_too_large", r.spread_too_large).field("max_coefficient_of_variation", kMaxRepeatSpread);
  j.field("repeat_groups", r.repeat_groups);
  j.end_object();
}

void bound(JsonWriter& j, const std::optional<BoundSummary>& b) {
  object_or_null(j, "bound", b.has_value(), [&] {
    j.field("label", b->label).field("runs", b->runs).field("threshold", kBoundThreshold);
    j.field("data_wait_fraction", b->data_wait).field("compute_fraction", b->compute);
    j.field("comm_exposed_fraction", b->comm).field("other_fraction", b->other);
    j.field("compute_recorded", b->compute_recorded);
    j.field("model_flops_per_s", b->model_flops_per_s).field("gemm_flops_per_s", b->gemm_flops_per_s);
    j.field("model_flops_utilisation", b->model_flops_utilisation).field("kind", "measured");
  });
}

void scaling_model(JsonWriter& j, const Comparison& cmp, const ScalingModel& m) {
  j.begin_object();
  j.field("family", m.family).field("reference", cmp.configs[m.reference].id);
  j.field("reference_label", cmp.configs[m.reference].label).field("reference_step_s", m.reference_step_s);
  j.field("batch_per_rank", m.batch_per_rank);
  j.field("alpha_s", m.alpha_s).field("beta_s_per_byte", m.beta_s_per_byte);
  j.field("bandwidth_bytes_per_s", m.beta_s_per_byte > 0 ? std::optional<double>(1.0 / m.beta_s_per_byte) : std::nullopt);
  j.field("fit_rms_relative_error", m.fit_rms_relative_error).field("sweep_points", m.sweep_points);
  j.field("sweep_ranks", m.sweep_ranks);
  j.field("gradient_bytes", m.gradient_bytes).field("buckets", m.buckets).field("ranks_per_node", m.ranks_per_node);
  j.field("formula", "step(N) = step(1) + buckets * 2 (N - 1) alpha + 2 (N - 1) / N * gradient_bytes * beta");
  j.key("points").begin_array();
  for (const auto& p : m.points) {
    j.begin_object();
    j.field("ranks", p.ranks).field("nodes", p.nodes > 0 ? std::optional<int>(p.nodes) : std::nullopt);
    j.field("config", p.config ? std::optional<std::string>(cmp.configs[*p.config].id) : std::nullopt);
    j.key("predicted").begin_object();
    j.field("step_s", p.predicted_step_s).field("efficiency", p.predicted_efficiency);
    j.field("kind", "modelled").field("modelled", true).field("extrapolated", false).field("imported", false);
    j.end_object();
    object_or_null(j, "measured", p.measured_step_s.has_value(), [&] {
      j.field("step_s", *p.measured_step_s).field("efficiency", p.measured_efficiency);
      kind_fields(j, false, false);
    });
    j.end_object();
  }
  j.end_array();
  j.field("notes", m.notes);
  j.end_object();
}

// A figure of a given kind ("measured", "extrapolated", "modelled", "imported, extrapolated", ...)
// in the same shape as the time intervals, with a `modelled` flag; null when there is none.
void kinded(JsonWriter& j, const std::string& name, const std::optional<Interval>& v, const std::string& kind) {
  object_or_null(j, name, v.has_value(), [&] {
    bounds(j, *v);
    j.field("kind", kind);
    j.field("extrapolated", kind.find("extrapolated") != std::string::npos);
    j.field("imported", kind.find("imported") != std::string::npos).field("modelled", kind == "modelled");
  });
}

void config_energy(JsonWriter& j, const Comparison& cmp, const ConfigResult& c) {
  const ConfigEnergy& e = c.energy;
  j.key("energy").begin_object();
  kinded(j, "job_j", e.energy_j, e.kind);
  if (e.energy_j) {
    j.field("kind", e.kind).field("method", e.method);
    j.field("per_image_j", e.per_image_j).field("power_w", e.power_w);
  } else {
    j.field("kind", "none");
  }
  j.field("not_measured_reason", e.kind == "modelled" || !e.energy_j ? std::optional<std::string>(e.reason) : std::nullopt);
  j.field("coverage", e.coverage).field("measured_runs", e.measured_runs).field("runs_used", e.runs_used);
  kinded(j, "vs_baseline", e.vs_baseline, e.vs_baseline_kind);
  j.field("notes", e.notes);
  j.end_object();
  object_or_null(j, "co2e_g", e.co2_g.has_value(), [&] {
    kinded(j, "job", e.co2_g, e.kind);
    j.field("site", e.site).field("grid_g_per_kwh", e.grid_g_per_kwh);
  });
  j.key("cost").begin_object();
  j.field("unit", cmp.energy_options.billing_unit);
  kinded(j, "job", e.cost, e.cost_kind);
  if (e.cost) {
    j.field("billed_per_hour", e.billed_per_hour).field("rule", e.cost_rule);
    j.key("reason").null();
  } else {
    j.field("reason", e.cost_reason);
  }
  j.end_object();
  j.key("memory").begin_object();
  j.field("peak_rss_bytes", e.peak_rss_bytes).field("peak_rss_bytes_max_rank", e.peak_rss_bytes_max_rank);
  j.field("peak_device_memory_bytes", e.peak_device_memory_bytes);
  j.field("runs", e.memory_runs).field("kind", e.memory_runs > 0 ? "measured" : "none");
  j.end_object();
}

void run_energy(JsonWriter& j, const RunAnalysis& r) {
  const RunEnergy& e = r.energy;
  const RecordedEnergy& rec = r.run.energy;
  j.key("energy").begin_object();
  j.field("measured", e.measured);
  j.field("sources", rec.sources).field("unavailable", rec.unavailable);
  j.field("energy_j_attribute", rec.energy_j);
  if (e.measured) {
    j.field("from", e.from).field("run_j", e.run_j).field("run_s", e.run_s).field("mean_power_w", e.mean_power_w);
    j.field("epoch_power_w", e.epoch_power_w).field("other_power_w", e.other_power_w);
    j.field("counters_used", e.parts).field("coverage", e.coverage).field("integrated", e.integrated);
    j.key("not_measured_reason").null();
  } else {
    j.key("run_j").null();
    j.field("not_measured_reason", e.not_measured_reason);
  }
  kinded(j, "job_j", e.job_j, e.job_extrapolated ? "extrapolated" : "measured");
  j.key("counters").begin_array();
  for (const auto& c : rec.counters) {
    if (c.epoch != -1) continue;
    j.begin_object().field("counter", c.counter).field("joules", c.joules).field("seconds", c.seconds);
    j.field("integrated", c.integrated).end_object();
  }
  j.end_array();
  j.field("notes", e.notes);
  j.end_object();
  j.key("memory").begin_object();
  j.field("peak_rss_bytes", r.run.peak_rss_bytes).field("peak_rss_bytes_max_rank", r.run.peak_rss_bytes_max_rank);
  j.field("peak_device_memory_bytes", r.run.peak_device_memory_bytes);
  j.end_object();
}

void configuration(JsonWriter& j, const Comparison& cmp, size_t index) {
  const ConfigResult& c = cmp.configs[index];
  j.begin_object();
  j.field("id", c.id).field("label", c.label);
  j.field("is_baseline", cmp.baseline == index).field("is_cluster", c.is_cluster);
  j.field("is_imported", c.is_imported);
  j.field("is_extrapolated", c.time_s.has_value() && c.extrapolated);
  j.key("settings").begin_object();
  for (const auto& f : c.config.fields) j.field(f.name, unless_empty(f.value));
  j.end_object();
  j.field("subset_fractions", c.subset_fractions);
  j.field("runs", c.runs.size()).field("runs_used", c.runs_used);
  if (c.time_s) {
    interval(j, "time_s", *c.time_s, c.extrapolated, c.is_imported);
    j.field("method", c.method);
  } else {
    j.key("time_s").null();
    j.field("not_comparable_reason", c.not_comparable_reason);
  }
  if (c.speedup && cmp.baseline) {
    const ConfigResult& b = cmp.configs[*cmp.baseline];
    interval(j, "speedup", *c.speedup, pair_extrapolated(c, b), pair_imported(c, b));
    j.field("speedup_accuracy_pct", c.accuracy_reached_pct).field("baseline_accuracy_pct", b.accuracy_reached_pct);
  } else {
    j.key("speedup").null();
  }
  scaling(j, "vs_1_gpu", cmp, c, c.vs_one_gpu);
  scaling(j, "vs_1_node", cmp, c, c.vs_one_node);
  j.field("steady_images_per_s", c.steady_images_per_s).field("images_per_s_per_gpu", c.images_per_s_per_gpu);
  j.field("best_accuracy_pct", c.best_accuracy_pct).field("best_accuracy_time_s", c.best_accuracy_time_s);
  object_or_null(j, "subset_fit", c.subset_fit.has_value(), [&] {
    const SubsetFit& s = *c.subset_fit;
    j.field("points", s.fit.n).field("distinct_sizes", s.fit.distinct_x);
    j.field("intercept_s", s.fit.intercept).field("slope_s_per_sample", s.fit.slope);
    j.field("r_squared", s.fit.r_squared).field("full_train_samples", s.full_train_samples);
    j.key("predicted_full_epoch_train_s").begin_object();
    j.field("value", s.predicted_full_epoch_train_s).field("extrapolated", true);
    j.end_object();
  });
  j.field("placement_unknown", c.placement_unknown).field("unknown_settings", c.unknown_settings);
  quality(j, c);
  repetitions(j, c);
  bound(j, c.bound);
  config_energy(j, cmp, c);
  j.field("differences_from_baseline", c.differences).field("warnings", c.warnings);
  j.end_object();
}

void run(JsonWriter& j, const Comparison& cmp, const RunAnalysis& r) {
  j.begin_object();
  j.field("run_id", r.run.run_id).field("source_file", r.run.source_path).field("source", r.run.source_label);
  j.field("status", to_string(r.run.status)).field("config", cmp.configs[r.config].id);
  j.field("in_comparison", r.in_comparison).field("is_imported", r.run.is_imported());
  j.field("is_subset", r.run.is_subset());
  j.key("job").begin_object();
  if (r.job.available) {
    j.field("epochs", r.job.epochs).field("method", r.job.method);
    interval(j, "time_s", r.job.time_s, r.job.extrapolated, r.run.is_imported());
    j.field("notes", r.job.notes);
  } else {
    j.field("unavailable", r.job.unavailable_reason);
  }
  j.end_object();
  j.field("steady_images_per_s", r.metrics.steady_images_per_s);
  j.field("best_val_top1_pct", r.metrics.best_val_top1_pct);
  j.field("accuracy_scope", !r.metrics.best_val_top1_pct ? "none" : (r.run.is_subset() ? "subset" : "full"));
  const RunSettings& s = r.run.settings;
  j.field("precision", s.precision).field("val_scope", s.val_scope).field("val_images_per_eval", s.val_images_per_eval);
  j.field("comm_backend", s.comm_backend);
  j.field("comm_inter_node", s.comm_inter_node).field("comm_intra_node", s.comm_intra_node);
  j.field("inter_node_warning", unless_empty(r.run.inter_node_warning));
  object_or_null(j, "repeat", !r.run.repeat.group.empty(), [&] {
    j.field("group", r.run.repeat.group).field("index", r.run.repeat.index).field("count", r.run.repeat.count);
  });
  const AdaptiveInfo& a = r.run.adaptive;
  object_or_null(j, "adaptive", a.target_rel_ci.has_value(), [&] {
    j.field("target_rel_ci", a.target_rel_ci).field("enabled", a.enabled());
    j.field("stop_reason", unless_empty(a.stop_reason)).field("achieved_rel_ci", a.achieved_rel_ci);
  });
  if (!r.run.is_imported() && r.metrics.steady_steps > 0) {
    median_interval(j, "median_step_s", r.metrics.step_median);
    j.key("bound").begin_object();
    j.field("label", run_bound_label(r.metrics)).field("data_wait_fraction", r.metrics.data_wait_fraction);
    j.field("compute_fraction", r.metrics.compute_fraction).field("comm_exposed_fraction", r.metrics.comm_exposed_fraction);
    j.end_object();
  } else {
    j.key("median_step_s").null();
    j.key("bound").null();
  }
  j.field("model_flops_per_s", r.metrics.model_flops_per_s);
  j.field("gemm_flops_per_s", r.run.gemm_flops_per_s).field("model_flops_utilisation", r.metrics.model_flops_utilisation);
  object_or_null(j, "time_to_target", r.to_target.has_value(), [&] {
    const RunTimeToTarget& t = *r.to_target;
    j.field("reached", t.reached);
    j.field("time_s", t.reached ? std::optional<double>(t.time_s) : std::nullopt);
    j.field("previous_s", t.reached && !t.upper_bound ? std::optional<double>(t.previous_s) : std::nullopt);
    j.field("epoch", t.epoch).field("upper_bound_only", t.upper_bound);
    kind_fields(j, r.run.is_imported(), false);
  });
  j.field("allreduce_sweep_points", r.run.allreduce_sweep.size());
  run_energy(j, r);
  j.end_object();
}

}  // namespace

void write_summary_json(const Comparison& cmp, const std::vector<InputReport>& inputs, const std::string& version,
                        std::ostream& out) {
  JsonWriter j(out);
  j.begin_object();
  j.field("tool", "lumibench analyze").field("version", version);
  j.field("results_schema_version", kSupportedSchemaVersion).field("cluster_name", cmp.cluster_name);
  j.key("job").begin_object();
  j.field("description", cmp.job_description).field("epochs", cmp.epochs).field("epochs_source", cmp.epochs_source);
  j.end_object();
  object_or_null(j, "baseline", cmp.baseline.has_value(), [&] {
    j.field("config", cmp.configs[*cmp.baseline].id);
    j.field("label", cmp.configs[*cmp.baseline].label).field("reason", cmp.baseline_reason);
  });
  j.key("quality").begin_object();
  j.field("target_accuracy_pct", cmp.target_accuracy_pct).field("quality_margin_pts", cmp.quality_margin_pts);
  j.field("rule", "fastest and max_speedup are chosen only among configurations that did the baseline's work (no "
                  "work-changing difference) and met the quality bar: the target accuracy when given, else the best "
                  "accuracy of the same task less the margin");
  j.end_object();
  j.key("energy_assumptions").begin_object();
  j.key("figures").begin_array();
  for (const auto& a : energy_assumptions(cmp.energy_options)) {
    j.begin_object().field("option", a.option).field("name", a.name).field("value", a.value).field("unit", a.unit);
    j.field("default", a.is_default).field("source", a.source).end_object();
  }
  j.end_array();
  j.field("billing_unit", cmp.energy_options.billing_unit);
  j.field("counter_rule", "cray_pm:node alone when readable (it contains CPU, memory and accelerators); else the host "
                          "(rapl:psys, else rapl:package + rapl:dram, else cray_pm:cpu + cray_pm:memory) plus the "
                          "accelerators once (rocm_smi/amd_smi gpu, else nvml gpu, else cray_pm:accel); core and uncore "
                          "never added; a GPU run needs the accelerators measured, a CPU run the host");
  j.field("modelled_rule", "stated power x the job time: laptop power per node for CPU configurations, GPU power x "
                           "GPUs for cluster configurations");
  j.field("not_included", "cooling and facility overhead (PUE), network and storage outside the nodes, embodied carbon");
  j.end_object();
  object_or_null(j, "max_speedup", cmp.max_speedup && cmp.baseline, [&] {
    const ConfigResult& c = cmp.configs[*cmp.max_speedup];
    const ConfigResult& b = cmp.configs[*cmp.baseline];
    j.field("config", c.id).field("label", c.label);
    interval(j, "speedup", *c.speedup, pair_extrapolated(c, b), pair_imported(c, b));
    j.field("accuracy_pct", c.accuracy_reached_pct).field("baseline_accuracy_pct", b.accuracy_reached_pct);
  });
  object_or_null(j, "fastest", cmp.fastest.has_value(), [&] {
    const ConfigResult& c = cmp.configs[*cmp.fastest];
    j.field("config", c.id).field("label", c.label);
    interval(j, "time_s", *c.time_s, c.extrapolated, c.is_imported);
    j.field("accuracy_pct", c.accuracy_reached_pct).field("quality", to_string(c.quality.status));
  });
  object_or_null(j, "fastest_to_target", cmp.fastest_to_target.has_value(), [&] {
    const ConfigResult& c = cmp.configs[*cmp.fastest_to_target];
    const ConfigTimeToTarget& t = *c.to_target;
    j.field("config", c.id).field("label", c.label).field("target_accuracy_pct", cmp.target_accuracy_pct);
    j.field("time_s", t.time_s).field("upper_bound_only", t.imported).field("epoch", t.epoch);
    kind_fields(j, t.imported, t.extrapolated);
    j.field("speedup", t.speedup);
  });
  j.key("not_in_headline").begin_array();
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    if (c.headline_eligible || !c.time_s) continue;
    j.begin_object().field("config", c.id).field("label", c.label).field("reason", c.headline_reason).end_object();
  }
  j.end_array();
  j.key("configurations").begin_array();
  for (size_t i : cmp.display_order) configuration(j, cmp, i);
  j.end_array();
  j.key("accuracy").begin_object();
  object_or_null(j, "best", cmp.best_accuracy.has_value(), [&] {
    const BestAccuracy& b = *cmp.best_accuracy;
    j.field("config", cmp.configs[b.config].id).field("label", cmp.configs[b.config].label);
    j.field("run_id", b.run_id).field("accuracy_pct", b.accuracy_pct).field("time_s", b.time_s);
    j.field("epoch", b.epoch).field("kind", figure_kind(b.imported, false)).field("extrapolated", false);
  });
  j.key("series").begin_array();
  for (const auto& s : cmp.accuracy) {
    j.begin_object().field("label", s.label).field("config", cmp.configs[s.config].id).field("run_id", s.run_id);
    j.field("kind", s.projected ? "projected" : figure_kind(s.imported, s.extrapolated));
    j.field("projected", s.projected).field("extrapolated", s.extrapolated).field("imported", s.imported);
    j.field("details", s.details);
    j.key("points").begin_array();
    for (const auto& p : s.points) {
      j.begin_object().field("time_s", p.time_s).field("accuracy_pct", p.accuracy_pct).field("epoch", p.epoch).end_object();
    }
    j.end_array().end_object();
  }
  j.end_array().end_object();
  j.key("scaling_models").begin_array();
  for (const auto& m : cmp.scaling_models) scaling_model(j, cmp, m);
  j.end_array();
  j.key("runs").begin_array();
  for (const auto& r : cmp.runs) run(j, cmp, r);
  j.end_array();
  j.key("inputs").begin_array();
  for (const auto& in : inputs) {
    j.begin_object().field("path", in.path).field("kind", in.kind).field("ok", in.ok);
    j.field("runs", in.runs).field("message", in.message).end_object();
  }
  j.end_array();
  j.field("warnings", cmp.warnings);
  j.end_object();
  j.finish();
}

}  // namespace lb::analysis
