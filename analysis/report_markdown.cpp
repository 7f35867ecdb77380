#include <cmath>
#include <cstdio>

#include "analysis/names.h"
#include "analysis/reports.h"

namespace lb::analysis {
namespace {

std::string md(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string significant(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*g", digits, v);
  return buf;
}

// Three significant digits (at least the units): 4494x, 11.0x, 1.72x, 0.00364x.
std::string times(double v) {
  if (!std::isfinite(v)) return "n/a";
  if (std::fabs(v) >= 1 || v == 0) {
    const int decimals = std::fabs(v) >= 100 ? 0 : std::fabs(v) >= 10 ? 1 : 2;
    return fixed(v, decimals) + "x";
  }
  return significant(v, 3) + "x";
}

// An end the interval does not bound (too few measurements) is left out, never shown as a number.
std::string range(const Interval& v, std::string (*fmt)(double)) {
  if (!v.has_interval) return "none";
  if (!v.has_lower() && !v.has_upper()) return "unbounded";
  if (!v.has_lower()) return "at most " + fmt(v.hi);
  if (!v.has_upper()) return "at least " + fmt(v.lo);
  return fmt(v.lo) + " to " + fmt(v.hi);
}

std::string percent(double fraction) { return fixed(fraction * 100.0, 0) + "%"; }

std::string efficiency(const std::optional<Scaling>& s) {
  if (!s) return "";
  std::string text = percent(s->efficiency.value);
  if (s->efficiency.has_interval) text += " (" + range(s->efficiency, percent) + ")";
  return text;
}

std::string yes_no(bool v) { return v ? "yes" : "no"; }

std::string kind_of(const ConfigResult& c) { return figure_kind(c.is_imported, c.extrapolated); }

// The kind, and "not extrapolated" spelled out where the kind alone does not say it.
std::string kind_with_flag(const ConfigResult& c) {
  return kind_of(c) + (c.extrapolated ? "" : ", not extrapolated");
}

bool pair_extrapolated(const ConfigResult& a, const ConfigResult& b) { return a.extrapolated || b.extrapolated; }

void headline(std::string& out, const Comparison& cmp) {
  out += "## Headline\n\n";
  if (cmp.fastest) {
    const ConfigResult& c = cmp.configs[*cmp.fastest];
    out += "- Fastest: **" + md(c.label) + "**, " + format_duration(c.time_s->value) + " (" + kind_with_flag(c) + ")\n";
  }
  if (cmp.baseline && cmp.configs[*cmp.baseline].time_s) {
    const ConfigResult& b = cmp.configs[*cmp.baseline];
    out += "- Baseline: **" + md(b.label) + "**, " + format_duration(b.time_s->value) + " (" + kind_with_flag(b) + ")\n";
  }
  if (cmp.max_speedup && cmp.baseline) {
    const ConfigResult& c = cmp.configs[*cmp.max_speedup];
    const ConfigResult& b = cmp.configs[*cmp.baseline];
    out += "- Maximum speedup over the baseline: **" + times(c.speedup->value) + "** (95% interval " +
           range(*c.speedup, times) + "), " + md(c.label) + "; extrapolated: " +
           yes_no(pair_extrapolated(c, b)) + "; imported figures involved: " +
           yes_no(c.is_imported || b.is_imported) + "\n";
    if (!c.differences.empty()) {
      out += "  - the two configurations do not do the same work: see the warnings\n";
    }
  } else {
    out += "- No speedup: there is no baseline time or no other configuration with a time.\n";
  }
  if (cmp.best_accuracy) {
    const BestAccuracy& a = *cmp.best_accuracy;
    out += "- Best validation accuracy (full-split runs): **" + fixed(a.accuracy_pct, 1) + "%**, " +
           md(cmp.configs[a.config].label) + ", run " + md(a.run_id);
    if (a.epoch > 0) out += ", epoch " + std::to_string(a.epoch);
    if (a.time_s) out += ", reached after " + format_duration(*a.time_s);
    out += " (" + figure_kind(a.imported, false) + ")\n";
  } else {
    out += "- Best validation accuracy: none measured on a full split (subset accuracy is not shown as one).\n";
  }
  out += "\n";
}

void configuration_table(std::string& out, const Comparison& cmp) {
  out += "## Time per configuration\n\n";
  out += "| Role | Configuration | Kind | Extrapolated | Job time | 95% interval | Speedup | 95% interval | "
         "Images/s | Images/s per GPU | Efficiency vs 1 GPU | Efficiency vs 1 node | Best accuracy | Runs used | Method |\n";
  out += "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.time_s) continue;
    std::string role;
    if (cmp.baseline == i) role = "baseline";
    if (cmp.fastest == i) role += role.empty() ? "fastest" : ", fastest";
    out += "| " + role + " | " + md(c.label) + " (" + c.id + ") | " + kind_of(c) + " | " + yes_no(c.extrapolated) +
           " | " + format_duration(c.time_s->value) + " | " + range(*c.time_s, format_duration) + " | ";
    out += c.speedup ? times(c.speedup->value) + " | " + range(*c.speedup, times) : std::string(" | ");
    out += " | " + (c.steady_images_per_s ? fixed(*c.steady_images_per_s, 1) : "");
    out += " | " + (c.images_per_s_per_gpu ? fixed(*c.images_per_s_per_gpu, 1) : "");
    out += " | " + efficiency(c.vs_one_gpu) + " | " + efficiency(c.vs_one_node) + " | ";
    if (c.best_accuracy_pct) {
      out += fixed(*c.best_accuracy_pct, 1) + "%";
      if (c.best_accuracy_time_s) out += " after " + format_duration(*c.best_accuracy_time_s);
    }
    out += " | " + std::to_string(c.runs_used) + " | " + md(c.method) + " |\n";
  }
  out += "\n";
  bool any = false;
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    if (c.time_s) continue;
    if (!any) out += "Not compared:\n\n";
    any = true;
    out += "- " + md(c.label) + " (" + c.id + "): " + md(c.not_comparable_reason) + "\n";
  }
  if (any) out += "\n";
}

void scaling_table(std::string& out, const Comparison& cmp) {
  bool any = false;
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    for (const auto* s : {&c.vs_one_gpu, &c.vs_one_node}) {
      if (!*s || (*s)->reference == i) continue;
      if (!any) {
        out += "## Strong scaling\n\n";
        out += "Speedup S = t(reference) / t; efficiency = S / (units / reference units).\n\n";
        out += "| Configuration | Against | Speedup | 95% interval | Ideal | Efficiency | Extrapolated | Differences |\n";
        out += "|---|---|---|---|---|---|---|---|\n";
        any = true;
      }
      const ConfigResult& ref = cmp.configs[(*s)->reference];
      std::string diffs;
      for (const auto& d : (*s)->differences) diffs += (diffs.empty() ? "" : "; ") + d;
      out += "| " + md(c.label) + " | " + md(ref.label) + " | " + times((*s)->speedup.value) + " | " +
             range((*s)->speedup, times) + " | " + fixed((*s)->ideal, 0) + " | " + efficiency(*s) + " | " +
             yes_no(pair_extrapolated(c, ref)) + " | " + md(diffs) + " |\n";
    }
  }
  if (any) out += "\n";
}

void fit_table(std::string& out, const Comparison& cmp) {
  bool any = false;
  for (size_t i : cmp.display_order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.subset_fit) continue;
    if (!any) {
      out += "## Extrapolation check: train time per epoch = a + b x samples\n\n";
      out += "| Configuration | Runs | Distinct sizes | a (s) | b (s/sample) | R^2 | Fit at full split (s/epoch, extrapolated) |\n";
      out += "|---|---|---|---|---|---|---|\n";
      any = true;
    }
    const SubsetFit& s = *c.subset_fit;
    out += "| " + md(c.label) + " | " + std::to_string(s.fit.n) + " | " + std::to_string(s.fit.distinct_x) + " | " +
           significant(s.fit.intercept, 4) + " | " + significant(s.fit.slope, 4) + " | " + fixed(s.fit.r_squared, 4) +
           " | " + fixed(s.predicted_full_epoch_train_s, 1) + " |\n";
  }
  if (any) out += "\nWith two sizes the line passes through both points (R^2 = 1 says nothing).\n\n";
}

void accuracy_list(std::string& out, const Comparison& cmp) {
  if (cmp.accuracy.empty()) return;
  out += "## Accuracy against time\n\n";
  for (const auto& s : cmp.accuracy) {
    const std::string kind = s.projected ? "projected (extrapolated: yes)" : figure_kind(s.imported, s.extrapolated);
    out += "- " + md(s.label) + ": " + kind + ", " + std::to_string(s.points.size()) + " point(s)";
    if (!s.points.empty()) {
      const auto& last = s.points.back();
      out += ", last " + fixed(last.accuracy_pct, 1) + "% at " + format_duration(last.time_s);
    }
    out += "; " + md(s.details) + "\n";
  }
  out += "\n";
}

void inputs_table(std::string& out, const std::vector<InputReport>& inputs) {
  out += "## Inputs\n\n| File | Kind | Read | Runs | Message |\n|---|---|---|---|---|\n";
  for (const auto& in : inputs) {
    out += "| " + md(in.path) + " | " + in.kind + " | " + yes_no(in.ok) + " | " + std::to_string(in.runs) +
           " | " + md(in.message) + " |\n";
  }
  out += "\n";
}

}  // namespace

std::string summary_markdown(const Comparison& cmp, const std::vector<InputReport>& inputs) {
  std::string out = "# " + md(cmp.cluster_name) + " vs laptop: " + md(cmp.job_description) + "\n\n";
  out += "Every time is for the same job: the full train and validation split, " + std::to_string(cmp.epochs) +
         " epoch" + (cmp.epochs == 1 ? "" : "s") + " (set by " + cmp.epochs_source + ").\n";
  if (cmp.baseline) {
    out += "Baseline: **" + md(cmp.configs[*cmp.baseline].label) + "** (" + md(cmp.baseline_reason) + ").\n";
  } else {
    out += "Baseline: none (no configuration has a time).\n";
  }
  out += "Kinds: *measured* = this job timed here; *extrapolated* = computed from subset runs or other epoch "
         "counts (docs/methodology.md); *imported* = another source's figure, not measured here.\n";
  out += "Intervals are 95%; *none* = no spread to estimate one from; *at most X* / *at least X* = the other end "
         "is not bounded by the measurements (too few of them; see the warnings).\n\n";
  headline(out, cmp);
  configuration_table(out, cmp);
  scaling_table(out, cmp);
  fit_table(out, cmp);
  accuracy_list(out, cmp);
  inputs_table(out, inputs);
  out += "## Warnings (" + std::to_string(cmp.warnings.size()) + ")\n\n";
  if (cmp.warnings.empty()) out += "None.\n";
  for (const auto& w : cmp.warnings) out += "- " + md(w) + "\n";
  return out;
}

}  // namespace lb::analysis
