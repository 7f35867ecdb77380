#include <cmath>

#include "analysis/compare/bound.h"
#include "analysis/compare/energy.h"
#include "analysis/input/names.h"
#include "analysis/compare/quality.h"
#include "analysis/report/reports.h"
#include "analysis/report/selection.h"

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

// The configurations the tables list (all of them, or a sample of a very large comparison).
struct Listed {
  std::vector<size_t> order;    // in display order
  std::vector<bool> member;     // by configuration index
  bool has(size_t config) const { return member[config]; }
};

// Past this many configurations summary.md lists a sample (analysis/report/selection.h); the
// data files hold every one.
constexpr size_t kMarkdownConfigurations = 200;
// Past this many warnings summary.md lists the first ones; summary.json holds every one.
constexpr size_t kMarkdownWarnings = 1000;

// An end the interval does not bound (too few measurements) is left out, never shown as a number.
std::string range(const Interval& v, std::string (*fmt)(double)) {
  if (!v.has_interval) return "none";
  if (!v.has_lower() && !v.has_upper()) return "unbounded";
  if (!v.has_lower()) return "at most " + fmt(v.hi);
  if (!v.has_upper()) return "at least " + fmt(v.lo);
  return fmt(v.lo) + " to " + fmt(v.hi);
}

std::string percent(double fraction) { return format_percent(fraction, 0); }

std::string efficiency(const std::optional<Scaling>& s) {
  if (!s) return "";
  std::string text = percent(s->efficiency.value);
  if (s->efficiency.has_interval) text += " (" + range(s->efficiency, percent) + ")";
  return text;
}

// A table or list printed only when it has a row: its heading (title, text, header()) goes out
// before the first row, and end()'s text after the last.
class Section {
 public:
  Section(std::string& out, std::string heading) : out_(out), heading_(std::move(heading)) {}
  // The text the next row is appended to.
  std::string& row() {
    if (!started_) out_ += heading_;
    started_ = true;
    return out_;
  }
  void end(const char* after = "\n") {
    if (started_) out_ += after;
  }

 private:
  std::string& out_;
  std::string heading_;
  bool started_ = false;
};

// A table's header: "| a | b |\n|---|---|\n".
std::string header(const std::vector<std::string>& columns) {
  std::string names = "|", rule = "|";
  for (const auto& c : columns) {
    names += " " + c + " |";
    rule += "---|";
  }
  return names + "\n" + rule + "\n";
}

// "LUMI 4 nodes (32 GPUs) (c3)": a configuration's label and id.
std::string named(const ConfigResult& c) { return md(c.label) + " (" + c.id + ")"; }

std::string yes_no(bool v) { return v ? "yes" : "no"; }

std::string kind_of(const ConfigResult& c) { return figure_kind(c.is_imported, c.extrapolated); }

// The kind, and "not extrapolated" spelled out where the kind alone does not say it.
std::string kind_with_flag(const ConfigResult& c) {
  return kind_of(c) + (c.extrapolated ? "" : ", not extrapolated");
}

bool pair_extrapolated(const ConfigResult& a, const ConfigResult& b) { return a.extrapolated || b.extrapolated; }

// The accuracy a configuration reached; without one, its subset figure, marked as such.
std::string reached_cell(const ConfigResult& c) {
  if (c.accuracy_reached_pct || !c.subset_accuracy_pct) return accuracy_text(c.accuracy_reached_pct);
  return "not recorded (" + format_percent_value(*c.subset_accuracy_pct) + " on its subset)";
}

// "98.1% / not recorded": this configuration's accuracy and the other side's.
std::string accuracy_pair(const ConfigResult& c, const ConfigResult* other) {
  return reached_cell(c) + " / " + (other ? reached_cell(*other) : "n/a");
}

std::string quality_cell(const ConfigResult& c) {
  const QualityCheck& q = c.quality;
  switch (q.status) {
    case QualityStatus::Met: return "met (>= " + format_percent_value(*q.bar_pct) + ")";
    case QualityStatus::Below: return "**below** (< " + format_percent_value(*q.bar_pct) + ")";
    case QualityStatus::NotRecorded: return "not recorded (bar " + format_percent_value(*q.bar_pct) + ")";
    case QualityStatus::NoBar: return "no bar";
  }
  return "";
}

std::string energy_cell(const ConfigEnergy& e) {
  return e.energy_j ? format_energy(e.energy_j->value) + " (" + e.kind + ")" : std::string("none");
}

// "At what energy": the configuration of the maximum speedup (else the fastest) against the baseline.
void energy_headline(std::string& out, const Comparison& cmp) {
  if (!cmp.baseline) return;
  const std::optional<size_t> which = cmp.max_speedup ? cmp.max_speedup : cmp.fastest;
  const ConfigResult& b = cmp.configs[*cmp.baseline];
  if (!which || *which == *cmp.baseline || !b.energy.energy_j) return;
  const ConfigResult& c = cmp.configs[*which];
  if (!c.energy.energy_j) return;
  const ConfigEnergy& e = c.energy;
  out += "- Energy, carbon and cost of the job: " + md(c.label) + " " + energy_cell(e);
  if (e.co2_g) out += ", " + format_co2(e.co2_g->value) + " CO2e";
  if (e.cost) out += ", " + format_significant(e.cost->value, 3) + " " + cmp.energy_options.billing_unit;
  out += "; the baseline " + energy_cell(b.energy);
  if (b.energy.co2_g) out += ", " + format_co2(b.energy.co2_g->value) + " CO2e";
  if (e.vs_baseline) {
    const double r = e.vs_baseline->value;
    out += ": " + (r >= 1 ? format_speedup(r) + " less energy" : format_speedup(1 / r) + " more energy") + " (" + e.vs_baseline_kind + ")";
  }
  out += ". Assumptions: \"Energy, carbon, cost and memory\" below.\n";
}

void headline(std::string& out, const Comparison& cmp, const Listed& listed) {
  out += "## Headline\n\n";
  const ConfigResult* base = cmp.baseline ? &cmp.configs[*cmp.baseline] : nullptr;
  if (cmp.fastest) {
    const ConfigResult& c = cmp.configs[*cmp.fastest];
    out += "- Fastest of the configurations that did the baseline's work and met the quality bar: **" + md(c.label) +
           "**" + (cmp.fastest == cmp.baseline ? " (the baseline itself)" : "") + ", " +
           format_duration(c.time_s->value) + " (" + kind_with_flag(c) + "); accuracy reached " +
           accuracy_text(c.accuracy_reached_pct);
    if (c.quality.status == QualityStatus::NoBar) out += " (quality not checked: no accuracy recorded for this task)";
    out += "\n";
  } else {
    out += "- Fastest: none: no configuration with a job time did the baseline's work and met the quality bar "
           "(see \"Not in the headline\")\n";
  }
  if (base && base->time_s) {
    out += "- Baseline: **" + md(base->label) + "**, " + format_duration(base->time_s->value) + " (" +
           kind_with_flag(*base) + "); accuracy reached " + reached_cell(*base) + "\n";
  }
  if (cmp.max_speedup && base) {
    const ConfigResult& c = cmp.configs[*cmp.max_speedup];
    out += "- Maximum speedup over the baseline: **" + format_speedup(c.speedup->value) + "** (95% interval " +
           range(*c.speedup, format_speedup) + "), " + md(c.label) + ", " + format_duration(c.time_s->value) + " against " +
           format_duration(base->time_s->value) + "; accuracy " + accuracy_pair(c, base) + " (this / baseline); extrapolated: " +
           yes_no(pair_extrapolated(c, *base)) + "; imported figures involved: " + yes_no(c.is_imported || base->is_imported) +
           "\n";
  } else {
    out += "- No speedup in the headline: there is no baseline time, or no other configuration did the baseline's "
           "work and met the quality bar.\n";
  }
  energy_headline(out, cmp);
  if (cmp.target_accuracy_pct) {
    const std::string target = format_number(*cmp.target_accuracy_pct) + "%";
    if (cmp.fastest_to_target) {
      const ConfigResult& c = cmp.configs[*cmp.fastest_to_target];
      const ConfigTimeToTarget& t = *c.to_target;
      out += "- Fastest to " + target + " validation accuracy (time to accuracy; batch, learning rate and epochs may "
             "differ): **" + md(c.label) + "**, " + (t.imported ? "at most " : "") + format_duration(t.time_s) + " (" +
             figure_kind(t.imported, t.extrapolated) + ")";
      if (t.epoch > 0) out += ", in epoch " + std::to_string(t.epoch);
      if (t.speedup) out += "; " + format_speedup(*t.speedup) + " faster than the baseline to the same accuracy";
      out += "\n";
    } else {
      out += "- No configuration of the baseline's task reached the target of " + target + ".\n";
    }
  }
  if (cmp.best_accuracy) {
    const BestAccuracy& a = *cmp.best_accuracy;
    out += "- Best validation accuracy (full-split runs): **" + format_percent_value(a.accuracy_pct) + "**, " +
           md(cmp.configs[a.config].label) + ", run " + md(a.run_id);
    if (a.epoch > 0) out += ", epoch " + std::to_string(a.epoch);
    if (a.time_s) out += ", reached after " + format_duration(*a.time_s);
    out += " (" + figure_kind(a.imported, false) + ")\n";
  } else {
    out += "- Best validation accuracy: none measured on a full split (subset accuracy is not shown as one).\n";
  }
  Section excluded(out, "- Not in the headline (never called fastest):\n");
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    if (c.headline_eligible || !c.time_s) continue;
    excluded.row() += "  - " + named(c) + ", " + format_duration(c.time_s->value) + ": " + md(c.headline_reason) + "\n";
  }
  out += "\n";
}

void configuration_table(std::string& out, const Comparison& cmp, const Listed& listed) {
  out += "## Time per configuration\n\n";
  out += "Accuracy: the lowest best validation accuracy of the configuration's full-split runs, next to the "
         "baseline's; quality: against the bar (docs/methodology.md, \"Quality\").\n\n";
  out += header({"Role", "Configuration", "Kind", "Extrapolated", "Job time", "95% interval", "Speedup", "95% interval",
                 "Accuracy: this / baseline", "Quality", "Images/s", "Images/s per GPU", "Efficiency vs 1 GPU",
                 "Efficiency vs 1 node", "Best accuracy", "Runs used", "Method"});
  const ConfigResult* base = cmp.baseline ? &cmp.configs[*cmp.baseline] : nullptr;
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.time_s) continue;
    std::string role;
    if (cmp.baseline == i) role = "baseline";
    if (cmp.fastest == i) role += role.empty() ? "fastest" : ", fastest";
    std::string mark;  // gradients crossed nodes without the network plugin: said on the row itself
    if (!c.inter_node_warning.empty()) mark = " **(" + md(c.inter_node_warning) + ")**";
    out += "| " + role + " | " + named(c) + mark + " | " + kind_of(c) + " | " + yes_no(c.extrapolated) +
           " | " + format_duration(c.time_s->value) + " | " + range(*c.time_s, format_duration) + " | ";
    out += c.speedup ? format_speedup(c.speedup->value) + " | " + range(*c.speedup, format_speedup) : std::string(" | ");
    out += " | " + accuracy_pair(c, base) + " | " + quality_cell(c);
    out += " | " + (c.steady_images_per_s ? format_fixed(*c.steady_images_per_s, 1) : "");
    out += " | " + (c.images_per_s_per_gpu ? format_fixed(*c.images_per_s_per_gpu, 1) : "");
    out += " | " + efficiency(c.vs_one_gpu) + " | " + efficiency(c.vs_one_node) + " | ";
    if (c.best_accuracy_pct) {
      out += format_percent_value(*c.best_accuracy_pct);
      if (c.best_accuracy_time_s) out += " after " + format_duration(*c.best_accuracy_time_s);
    }
    out += " | " + std::to_string(c.runs_used) + " | " + md(c.method) + " |\n";
  }
  out += "\n";
  Section not_compared(out, "Not compared:\n\n");
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.time_s) not_compared.row() += "- " + named(c) + ": " + md(c.not_comparable_reason) + "\n";
  }
  not_compared.end();
}

std::string memory_cell(const std::optional<int64_t>& v) { return v ? format_bytes(static_cast<double>(*v)) : "not recorded"; }

void energy_table(std::string& out, const Comparison& cmp, const Listed& listed) {
  const EnergyOptions& o = cmp.energy_options;
  out += "## Energy, carbon, cost and memory\n\n";
  out += "For the same job as the times above. Energy kinds: *measured* = from the energy counters the harness "
         "recorded (which ones: the last column; the rule: docs/methodology.md, \"Energy, carbon, cost and memory\"); "
         "*extrapolated* = measured power over an extrapolated job time, or measured in only some of the runs; "
         "*modelled* = a stated power x the job time, not measured (why: the last column). CO2e = energy x the site's "
         "grid intensity; cost = the cluster's billing rule x the job time (the laptop is not billed). Intervals carry "
         "the job time's 95% interval only, not the counters' own error (docs/energy.md). Memory: the largest peak over "
         "the configuration's runs.\n\n";
  out += header({"Configuration", "Job time", "Energy kind", "Energy", "95% interval", "Per image",
                 "Energy: baseline / this", "Power", "CO2e", "Grid", "Cost (" + md(o.billing_unit) + ")",
                 "Peak host memory: rank 0 / largest rank", "Peak device memory", "How"});
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    const ConfigEnergy& e = c.energy;
    out += "| " + named(c) + " | " + (c.time_s ? format_duration(c.time_s->value) : std::string("none")) +
           " | " + (e.energy_j ? e.kind : std::string("none")) + " | ";
    if (e.energy_j) {
      out += format_energy(e.energy_j->value) + " | " + range(*e.energy_j, format_energy) + " | " +
             (e.per_image_j ? format_significant(*e.per_image_j, 3) + " J" : std::string()) + " | " +
             (e.vs_baseline ? format_speedup(e.vs_baseline->value) + " (" + e.vs_baseline_kind + ")" : std::string()) + " | " +
             format_power(e.power_w) + " | " +
             (e.co2_g ? format_co2(e.co2_g->value) + (e.co2_g->has_interval ? " (" + range(*e.co2_g, format_co2) + ")" : "")
                      : std::string()) +
             " | ";
    } else {
      out += "none | | | | | | ";
    }
    out += std::isfinite(e.grid_g_per_kwh) ? format_significant(e.grid_g_per_kwh, 3) + " g/kWh (" + e.site + ") | "
                                           : std::string("unknown (placement not stated) | ");
    if (e.cost) {
      out += format_significant(e.cost->value, 3) + " (" + e.cost_kind + "; " + md(e.cost_rule) + ")";
    } else {
      out += "not billed: " + md(e.cost_reason);
    }
    out += " | " + memory_cell(e.peak_rss_bytes) + " / " + memory_cell(e.peak_rss_bytes_max_rank) + " | ";
    if (c.config[Field::device] == "gpu") {
      out += memory_cell(e.peak_device_memory_bytes);
    } else {
      out += e.peak_device_memory_bytes ? "none (CPU)" : "not recorded";
    }
    std::string how = e.energy_j ? e.method : std::string();
    if (e.kind == "modelled" || !e.energy_j) how += (how.empty() ? "" : "; ") + std::string("not measured: ") + e.reason;
    if (!e.coverage.empty()) how += (e.kind == "modelled" ? "; power: " : "; covers ") + e.coverage;
    out += " | " + md(how) + " |\n";
  }
  out += "\nAssumptions (every figure is an option of analyze; docs/analyze.md):\n\n";
  for (const auto& a : energy_assumptions(o)) {
    out += "- " + md(a.name) + ": **" + format_number(a.value) + " " + md(a.unit) + "** (`" + a.option + "`): " +
           md(a.source) + "\n";
  }
  out += "- Not included: cooling and other facility overhead (PUE), the network and storage outside the nodes, "
         "manufacturing (embodied carbon), and the laptop's display and peripherals beyond what its counters cover.\n";
  Section notes(out, "\nCounter notes:\n\n");
  for (size_t i : listed.order) {
    for (const auto& n : cmp.configs[i].energy.notes) notes.row() += "- " + md(cmp.configs[i].label) + ": " + md(n) + "\n";
  }
  out += "\n";
}

void scaling_table(std::string& out, const Comparison& cmp, const Listed& listed) {
  Section table(out, "## Strong scaling\n\nSpeedup S = t(reference) / t; efficiency = S / (units / reference units). The "
                   "reference is named with its job time.\n\n" +
                       header({"Configuration", "Against", "Speedup", "95% interval", "Ideal", "Efficiency",
                               "Accuracy: this / reference", "Extrapolated", "Differences"}));
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    for (const auto* s : {&c.vs_one_gpu, &c.vs_one_node}) {
      if (!*s || (*s)->reference == i) continue;
      const ConfigResult& ref = cmp.configs[(*s)->reference];
      // The base case of every speedup with its absolute time (Hoefler and Belli, rule 1).
      table.row() += "| " + md(c.label) + " | " + md(ref.label) + ", " + format_duration(ref.time_s->value) + " | " +
             format_speedup((*s)->speedup.value) + " | " +
             range((*s)->speedup, format_speedup) + " | " + format_fixed((*s)->ideal, 0) + " | " + efficiency(*s) + " | " +
             accuracy_pair(c, &ref) + " | " + yes_no(pair_extrapolated(c, ref)) + " | " + md(join((*s)->differences, "; ")) + " |\n";
    }
  }
  table.end();
}

void fit_table(std::string& out, const Comparison& cmp, const Listed& listed) {
  Section table(out, "## Extrapolation check: train time per epoch = a + b x samples\n\n" +
                       header({"Configuration", "Runs", "Distinct sizes", "a (s)", "b (s/sample)", "R^2",
                               "Fit at full split (s/epoch, extrapolated)"}));
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.subset_fit) continue;
    const SubsetFit& s = *c.subset_fit;
    table.row() += "| " + md(c.label) + " | " + std::to_string(s.fit.n) + " | " + std::to_string(s.fit.distinct_x) + " | " +
           format_significant(s.fit.intercept, 4) + " | " + format_significant(s.fit.slope, 4) + " | " + format_fixed(s.fit.r_squared, 4) +
           " | " + format_fixed(s.predicted_full_epoch_train_s, 1) + " |\n";
  }
  table.end("\nWith two sizes the line passes through both points (R^2 = 1 says nothing).\n\n");
}

void accuracy_list(std::string& out, const Comparison& cmp, const Listed& listed) {
  if (cmp.accuracy.empty()) return;
  out += "## Accuracy against time\n\n";
  for (const auto& s : cmp.accuracy) {
    if (!listed.has(s.config)) continue;
    const std::string kind = s.projected ? "projected (extrapolated: yes)" : figure_kind(s.imported, s.extrapolated);
    out += "- " + md(s.label) + ": " + kind + ", " + std::to_string(s.points.size()) + " point(s)";
    if (!s.points.empty()) {
      const auto& last = s.points.back();
      out += ", last " + format_percent_value(last.accuracy_pct) + " at " + format_duration(last.time_s);
    }
    out += "; " + md(s.details) + "\n";
  }
  out += "\n";
}

void quality_table(std::string& out, const Comparison& cmp, const Listed& listed) {
  bool any_bar = false;
  for (const auto& c : cmp.configs) any_bar |= c.quality.bar_pct.has_value();
  if (!any_bar && !cmp.target_accuracy_pct) return;
  const bool target = cmp.target_accuracy_pct.has_value();
  const std::string t = target ? format_number(*cmp.target_accuracy_pct) + "%" : "";
  out += "## Quality\n\n";
  out += target ? "Bar: --target-accuracy " + t + " for every configuration.\n"
                : "Bar: the best validation accuracy of the same task (model and data) less " +
                      format_number(cmp.quality_margin_pts) + " points (--quality-margin).\n";
  out += "Validation scope: `all_ranks` = every validation image once, across the ranks; `rank0_share` = one rank's "
         "share only; empty = not recorded.\n\n";
  std::vector<std::string> columns = {"Configuration", "Accuracy reached", "Runs", "Validation scope", "Bar", "Quality"};
  if (target) columns.insert(columns.end(), {"Time to " + t, "Kind", "Reached between", "Speedup to " + t});
  columns.push_back("Reason");
  out += header(columns);
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    out += "| " + named(c) + " | " + reached_cell(c) + " | " +
           std::to_string(c.accuracy_runs) + " | " + md(c.val_scope) +
           (c.val_images ? " (" + std::to_string(*c.val_images) + " images)" : std::string()) + " | " +
           (c.quality.bar_pct ? format_percent_value(*c.quality.bar_pct) : std::string("none")) + " | " + quality_cell(c);
    if (target) {
      if (c.to_target && c.to_target->reached) {
        const ConfigTimeToTarget& tt = *c.to_target;
        out += " | " + std::string(tt.imported ? "at most " : "") + format_duration(tt.time_s) + " | " +
               figure_kind(tt.imported, tt.extrapolated) + " | " +
               (tt.imported ? std::string("before the source's runtime")
                            : format_duration(tt.previous_s) + " and " + format_duration(tt.time_s)) +
               " | " + (tt.speedup ? format_speedup(*tt.speedup) : std::string());
      } else {
        out += " | not reached | | | ";
      }
    }
    std::string reason = c.quality.reason;
    if (target && c.to_target) reason += "; " + c.to_target->method;
    out += " | " + md(reason) + " |\n";
  }
  out += "\n";
}

std::string rel(double fraction) { return "+-" + format_percent(fraction, 1); }

void repetitions_table(std::string& out, const Comparison& cmp, const Listed& listed) {
  Section table(out, "## Repetitions\n\nJob-time estimates of the runs behind each configuration's time. The interval of "
                   "their mean is in the table above; the median's is distribution-free (order statistics, from 6 runs). "
                   "A coefficient of variation above " + format_fixed(kMaxRepeatSpread * 100, 0) +
                       "% makes an interval mean little.\n\n" +
                       header({"Configuration", "Runs", "Mean", "Median", "Range", "Coefficient of variation",
                               "Median 95% interval", "Verdict", "--repeat groups"}));
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    const RepetitionSummary& r = c.repetitions;
    if (r.n < 2 && r.repeat_groups.empty()) continue;
    const std::string verdict = r.n < 2 ? "one run: no spread"
                                : r.spread_too_large ? "**spread too large**: the interval means little"
                                                     : "consistent";
    table.row() += "| " + named(c) + " | " + std::to_string(r.n) + " | " + format_duration(r.mean) + " | " +
           format_duration(r.median) + " | " + format_duration(r.min) + " to " + format_duration(r.max) + " | " +
           format_percent(r.cv, 1) + " | " +
           (r.median_ci.available ? format_duration(r.median_ci.lo) + " to " + format_duration(r.median_ci.hi)
                                  : std::string("none (fewer than 6 runs)")) +
           " | " + verdict + " | " + md(join(r.repeat_groups, "; ")) + " |\n";
  }
  table.end();
  Section adaptive(out, "### Adaptive stopping (as the harness recorded it)\n\nThe harness measured steps until the 95% "
                      "interval of the median steady step time was within the target or its step budget ran out. "
                      "analyze's own median and order-statistic interval of the recorded steady steps are beside it.\n\n" +
                          header({"Run", "Configuration", "Target", "Achieved", "Decision", "Steady steps",
                                  "analyze: median step", "analyze: 95% interval"}));
  for (const auto& a : cmp.runs) {
    if (!a.run.adaptive.enabled() || !listed.has(a.config)) continue;
    const AdaptiveInfo& ad = a.run.adaptive;
    const std::string decision = ad.stop_reason == "ci_reached" ? "stopped: interval reached the target"
                                 : ad.stop_reason == "step_budget" ? "**stopped: step budget ran out**"
                                                                   : (ad.stop_reason.empty() ? "not recorded" : ad.stop_reason);
    const MedianInterval& m = a.metrics.step_median;
    adaptive.row() += "| " + md(a.run.run_id) + " | " + md(cmp.configs[a.config].label) + " | " + rel(*ad.target_rel_ci) + " | " +
           (ad.achieved_rel_ci ? rel(*ad.achieved_rel_ci) : std::string("not recorded")) + " | " + decision + " | " +
           std::to_string(a.metrics.steady_steps) + " | " +
           (a.metrics.steady_steps > 0 ? format_significant(m.median, 4) + " s" : std::string()) + " | " +
           (m.available ? rel(m.relative_half_width) : std::string("none (fewer than 6 steps)")) + " |\n";
  }
  adaptive.end();
}

void bound_table(std::string& out, const Comparison& cmp, const Listed& listed) {
  Section table(out, "## Bound attribution: where the step time goes\n\nShares of the steady step time (measured, "
                   "warm-up excluded), pooled over each configuration's runs. A configuration is data-bound when waiting "
                   "for data takes at least " + format_fixed(kBoundThreshold * 100, 0) +
                       "% of the step (and no less than exposed communication), communication-bound when exposed "
                       "communication does, else compute-bound. Model FLOP/s per device against the matrix-product rate "
                       "measured on the same device says how close the compute runs to what the device does on ViT's "
                       "shapes.\n\n" +
                       header({"Configuration", "Runs", "Data wait", "Compute", "Exposed communication", "Other", "Bound",
                               "Model FLOP/s per device", "Measured matrix-product rate", "Share of it"}));
  for (size_t i : listed.order) {
    const ConfigResult& c = cmp.configs[i];
    if (!c.bound) continue;
    const BoundSummary& b = *c.bound;
    table.row() += "| " + named(c) + " | " + std::to_string(b.runs) + " | " + percent(b.data_wait) + " | " +
           percent(b.compute) + (b.compute_recorded ? "" : " (rest of the step)") + " | " + percent(b.comm) + " | " +
           (b.compute_recorded ? percent(b.other) : std::string("n/a")) + " | **" + b.label + "** | " +
           (b.model_flops_per_s ? format_flops(*b.model_flops_per_s) : std::string()) + " | " +
           (b.gemm_flops_per_s ? format_flops(*b.gemm_flops_per_s) : std::string("not measured")) + " | " +
           (b.model_flops_utilisation ? percent(*b.model_flops_utilisation) : std::string()) + " |\n";
  }
  table.end();
}

void scaling_model_tables(std::string& out, const Comparison& cmp) {
  for (const auto& m : cmp.scaling_models) {
    out += "## Scaling model: " + md(m.family) + "\n\n";
    std::string ranks;
    for (int r : m.sweep_ranks) ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
    out += "Predicted step time at N ranks = one-rank step time + ring allreduce of the gradients, "
           "buckets x 2 (N - 1) alpha + 2 (N - 1) / N x bytes x beta, with no overlap of communication and computation. "
           "From the allreduce sweep (" + std::to_string(m.sweep_points) + " sizes at " + ranks + " ranks): alpha = " +
           format_significant(m.alpha_s * 1e6, 4) + " us, beta = " + format_significant(m.beta_s_per_byte * 1e9, 4) + " ns/byte (" +
           format_significant(m.beta_s_per_byte > 0 ? 1e-9 / m.beta_s_per_byte : 0.0, 4) + " GB/s per link), rms relative "
           "error of the fit " + format_percent(m.fit_rms_relative_error, 1) + ". Gradients " +
           format_significant(m.gradient_bytes / 1e6, 4) + " MB in " + std::to_string(m.buckets) + " bucket(s); one-rank step " +
           format_significant(m.reference_step_s, 4) + " s (" + md(cmp.configs[m.reference].label) + ", " +
           std::to_string(m.batch_per_rank) + " images per rank). Efficiency = one-rank step time / step time at N "
           "ranks (fixed per-rank batch). *Modelled* figures are predictions, not runs.\n\n";
    out += header({"Ranks", "Nodes", "Configuration", "Predicted step (modelled)", "Measured step",
                   "Predicted efficiency (modelled)", "Measured efficiency", "Measured / predicted"});
    for (const auto& p : m.points) {
      out += "| " + std::to_string(p.ranks) + " | " + (p.nodes > 0 ? std::to_string(p.nodes) : std::string()) + " | " +
             (p.config ? md(cmp.configs[*p.config].label) : std::string("not run (modelled)")) + " | " +
             format_significant(p.predicted_step_s, 4) + " s | " +
             (p.measured_step_s ? format_significant(*p.measured_step_s, 4) + " s" : std::string()) + " | " +
             percent(p.predicted_efficiency) + " | " + (p.measured_efficiency ? percent(*p.measured_efficiency) : std::string()) +
             " | " + (p.measured_step_s ? format_fixed(*p.measured_step_s / p.predicted_step_s, 2) : std::string()) + " |\n";
    }
    for (const auto& n : m.notes) out += "\nNote: " + md(n) + "\n";
    out += "\n";
  }
}

void inputs_table(std::string& out, const std::vector<InputReport>& inputs) {
  out += "## Inputs\n\n" + header({"File", "Kind", "Read", "Runs", "Message"});
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
         "counts (docs/methodology.md); *imported* = another source's figure, not measured here; *modelled* = "
         "predicted by the scaling model, or energy from a stated power, not run or not measured.\n";
  out += "Headline: fastest and maximum speedup only among configurations that did the baseline's work and met the "
         "quality bar (" +
         (cmp.target_accuracy_pct ? "--target-accuracy " + format_number(*cmp.target_accuracy_pct) + "%"
                                  : "the best accuracy of the task less " + format_number(cmp.quality_margin_pts) + " points") +
         ").\n";
  out += "Intervals are 95%; *none* = no spread to estimate one from; *at most X* / *at least X* = the other end "
         "is not bounded by the measurements (too few of them; see the warnings).\n\n";
  const Selection sel = readable_selection(cmp, cmp.display_order, kMarkdownConfigurations);
  const Listed listed{sel.shown, shown_mask(sel, cmp.configs.size())};
  if (sel.left_out > 0) out += "**Listed: " + selection_note(sel, "configurations") + ".**\n\n";
  headline(out, cmp, listed);
  configuration_table(out, cmp, listed);
  energy_table(out, cmp, listed);
  scaling_table(out, cmp, listed);
  quality_table(out, cmp, listed);
  repetitions_table(out, cmp, listed);
  bound_table(out, cmp, listed);
  scaling_model_tables(out, cmp);
  fit_table(out, cmp, listed);
  accuracy_list(out, cmp, listed);
  inputs_table(out, inputs);
  out += "## Warnings (" + std::to_string(cmp.warnings.size()) + ")\n\n";
  if (cmp.warnings.empty()) out += "None.\n";
  for (size_t k = 0; k < cmp.warnings.size() && k < kMarkdownWarnings; ++k) out += "- " + md(cmp.warnings[k]) + "\n";
  if (cmp.warnings.size() > kMarkdownWarnings) {
    out += "- ... and " + std::to_string(cmp.warnings.size() - kMarkdownWarnings) +
           " more: every warning is in summary.json (`warnings`)\n";
  }
  // Names from the inputs reach the terminal through this text: no control character survives.
  return strip_control_characters(out, true);
}

}  // namespace lb::analysis
