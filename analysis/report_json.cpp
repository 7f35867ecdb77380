#include "analysis/json_writer.h"
#include "analysis/results_reader.h"
#include "analysis/reports.h"

namespace lb::analysis {
namespace {

void interval(JsonWriter& j, const std::string& name, const Interval& v, bool extrapolated, bool imported) {
  j.key(name).begin_object();
  // An end the measurements do not bound is null (docs/analyze.md).
  j.field("value", v.value);
  if (v.has_interval && !v.has_lower()) {
    j.key("lo").null();
  } else {
    j.field("lo", v.lo);
  }
  if (v.has_interval && !v.has_upper()) {
    j.key("hi").null();
  } else {
    j.field("hi", v.hi);
  }
  j.field("has_interval", v.has_interval);
  j.field("kind", figure_kind(imported, extrapolated)).field("extrapolated", extrapolated).field("imported", imported);
  j.end_object();
}

// A ratio of two figures is extrapolated when either figure is.
bool pair_extrapolated(const ConfigResult& a, const ConfigResult& b) { return a.extrapolated || b.extrapolated; }
bool pair_imported(const ConfigResult& a, const ConfigResult& b) { return a.is_imported || b.is_imported; }

void scaling(JsonWriter& j, const std::string& name, const Comparison& cmp, const ConfigResult& c,
             const std::optional<Scaling>& s) {
  j.key(name);
  if (!s) {
    j.null();
    return;
  }
  const ConfigResult& ref = cmp.configs[s->reference];
  const bool ex = pair_extrapolated(c, ref), im = pair_imported(c, ref);
  j.begin_object();
  j.field("reference", ref.id).field("reference_label", ref.label).field("ideal", s->ideal);
  interval(j, "speedup", s->speedup, ex, im);
  interval(j, "efficiency", s->efficiency, ex, im);
  j.field("differences", s->differences);
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
  for (const auto& f : c.fields) {
    j.key(f.name);
    if (f.value.empty()) {
      j.null();
    } else {
      j.value(f.value);
    }
  }
  j.end_object();
  j.key("subset_fractions").begin_array();
  for (double f : c.subset_fractions) j.value(f);
  j.end_array();
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
  } else {
    j.key("speedup").null();
  }
  scaling(j, "vs_1_gpu", cmp, c, c.vs_one_gpu);
  scaling(j, "vs_1_node", cmp, c, c.vs_one_node);
  j.field("steady_images_per_s", c.steady_images_per_s).field("images_per_s_per_gpu", c.images_per_s_per_gpu);
  j.field("best_accuracy_pct", c.best_accuracy_pct).field("best_accuracy_time_s", c.best_accuracy_time_s);
  j.key("subset_fit");
  if (c.subset_fit) {
    const SubsetFit& s = *c.subset_fit;
    j.begin_object();
    j.field("points", s.fit.n).field("distinct_sizes", s.fit.distinct_x);
    j.field("intercept_s", s.fit.intercept).field("slope_s_per_sample", s.fit.slope);
    j.field("r_squared", s.fit.r_squared).field("full_train_samples", s.full_train_samples);
    j.key("predicted_full_epoch_train_s").begin_object();
    j.field("value", s.predicted_full_epoch_train_s).field("extrapolated", true);
    j.end_object();
    j.end_object();
  } else {
    j.null();
  }
  j.field("differences_from_baseline", c.differences).field("warnings", c.warnings);
  j.end_object();
}

void run(JsonWriter& j, const Comparison& cmp, const RunAnalysis& r) {
  j.begin_object();
  j.field("run_id", r.run.run_id).field("source_file", r.run.source_path).field("source", r.run.source_label);
  j.field("status", to_string(r.run.status)).field("config", cmp.configs[r.config].id);
  j.field("in_comparison", r.in_comparison).field("is_imported", r.run.is_imported());
  j.field("is_subset", r.run.is_subset());
  j.key("job");
  if (r.job.available) {
    j.begin_object();
    j.field("epochs", r.job.epochs).field("method", r.job.method);
    interval(j, "time_s", r.job.time_s, r.job.extrapolated, r.run.is_imported());
    j.field("notes", r.job.notes);
    j.end_object();
  } else {
    j.begin_object().field("unavailable", r.job.unavailable_reason).end_object();
  }
  j.field("steady_images_per_s", r.metrics.steady_images_per_s);
  j.field("best_val_top1_pct", r.metrics.best_val_top1_pct);
  j.field("accuracy_scope", !r.metrics.best_val_top1_pct ? "none" : (r.run.is_subset() ? "subset" : "full"));
  j.end_object();
}

}  // namespace

std::string summary_json(const Comparison& cmp, const std::vector<InputReport>& inputs, const std::string& version) {
  JsonWriter j;
  j.begin_object();
  j.field("tool", "lumibench analyze").field("version", version);
  j.field("results_schema_version", kSupportedSchemaVersion).field("cluster_name", cmp.cluster_name);
  j.key("job").begin_object();
  j.field("description", cmp.job_description).field("epochs", cmp.epochs).field("epochs_source", cmp.epochs_source);
  j.end_object();
  j.key("baseline");
  if (cmp.baseline) {
    j.begin_object().field("config", cmp.configs[*cmp.baseline].id);
    j.field("label", cmp.configs[*cmp.baseline].label).field("reason", cmp.baseline_reason).end_object();
  } else {
    j.null();
  }
  j.key("max_speedup");
  if (cmp.max_speedup && cmp.baseline) {
    const ConfigResult& c = cmp.configs[*cmp.max_speedup];
    const ConfigResult& b = cmp.configs[*cmp.baseline];
    j.begin_object().field("config", c.id).field("label", c.label);
    interval(j, "speedup", *c.speedup, pair_extrapolated(c, b), pair_imported(c, b));
    j.end_object();
  } else {
    j.null();
  }
  j.key("fastest");
  if (cmp.fastest) {
    const ConfigResult& c = cmp.configs[*cmp.fastest];
    j.begin_object().field("config", c.id).field("label", c.label);
    interval(j, "time_s", *c.time_s, c.extrapolated, c.is_imported);
    j.end_object();
  } else {
    j.null();
  }
  j.key("configurations").begin_array();
  for (size_t i : cmp.display_order) configuration(j, cmp, i);
  j.end_array();
  j.key("accuracy").begin_object();
  j.key("best");
  if (cmp.best_accuracy) {
    const BestAccuracy& b = *cmp.best_accuracy;
    j.begin_object().field("config", cmp.configs[b.config].id).field("label", cmp.configs[b.config].label);
    j.field("run_id", b.run_id).field("accuracy_pct", b.accuracy_pct).field("time_s", b.time_s);
    j.field("epoch", b.epoch).field("kind", figure_kind(b.imported, false)).field("extrapolated", false);
    j.end_object();
  } else {
    j.null();
  }
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
  return j.str();
}

}  // namespace lb::analysis
