#include "analysis/compare/scaling_model.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "analysis/input/names.h"

namespace lb::analysis {
namespace {

// Mean steady step time over the configuration's runs in the comparison: per-sample time r times
// the global batch (the samples of a full step). A mean of times (Hoefler and Belli, rule 3).
std::optional<double> mean_step_s(const ConfigResult& c, const std::vector<RunAnalysis>& runs) {
  double sum = 0;
  size_t n = 0;
  for (size_t r : c.runs) {
    const RunAnalysis& a = runs[r];
    if (!a.in_comparison || a.run.is_imported() || !a.metrics.train_s_per_sample) continue;
    const auto gb = a.run.settings.global_batch_size;
    if (!gb || *gb <= 0) continue;
    sum += a.metrics.train_s_per_sample->value * static_cast<double>(*gb);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

std::string family_name(const ConfigResult& c) {
  const std::string& device_model = c.config[Field::device_model];
  return "measured \u00b7 " + (device_model.empty() ? std::string("device unknown") : device_model) + " \u00b7 " +
         c.config[Field::model] + " \u00b7 " + c.config[Field::precision] + " \u00b7 " + c.config[Field::batch_size] +
         " per rank";
}

}  // namespace

double ring_allreduce_s(double alpha_s, double beta_s_per_byte, int ranks, double bytes, int64_t messages) {
  if (ranks <= 1) return 0.0;
  const double n = static_cast<double>(ranks);
  return static_cast<double>(messages) * 2.0 * (n - 1.0) * alpha_s + 2.0 * (n - 1.0) / n * bytes * beta_s_per_byte;
}

TwoTermFit fit_allreduce(const std::vector<AllreduceSample>& sweep) {
  std::vector<double> x1, x2, y, w;
  for (const auto& s : sweep) {
    if (s.ranks < 2 || !(s.seconds > 0) || s.bytes <= 0) continue;
    const double n = static_cast<double>(s.ranks);
    x1.push_back(2.0 * (n - 1.0));
    x2.push_back(2.0 * (n - 1.0) / n * static_cast<double>(s.bytes));
    y.push_back(s.seconds);
    w.push_back(1.0 / (s.seconds * s.seconds));
  }
  if (y.size() < 2) return TwoTermFit{};
  return fit_two_terms(x1, x2, y, w);
}

void build_scaling_models(Comparison& cmp) {
  std::map<std::string, std::vector<size_t>> families;
  for (size_t i = 0; i < cmp.configs.size(); ++i) {
    const ConfigResult& c = cmp.configs[i];
    if (c.is_imported || c.placement_unknown || c.config.whole(Field::ranks) <= 0) continue;
    families[fields_key(c.config, {Field::device, Field::device_model, Field::model, Field::precision,
                                   Field::batch_size})].push_back(i);
  }
  for (const auto& [key, members] : families) {
    std::vector<AllreduceSample> sweep;
    std::set<int> sweep_ranks;
    std::optional<int64_t> parameters;
    std::vector<int64_t> buckets_bytes;
    std::vector<int> rpn;
    int max_nodes = 0;
    for (size_t i : members) {
      const ConfigResult& c = cmp.configs[i];
      const int ranks = c.config.whole(Field::ranks), nodes = c.config.whole(Field::nodes);
      if (ranks > 1 && nodes > 0 && ranks % nodes == 0) rpn.push_back(ranks / nodes);
      max_nodes = std::max(max_nodes, nodes);
      for (size_t r : c.runs) {
        const RunRecord& run = cmp.runs[r].run;
        for (const auto& s : run.allreduce_sweep) {
          sweep.push_back(s);
          sweep_ranks.insert(s.ranks);
        }
        if (!parameters && run.parameters && *run.parameters > 0) parameters = run.parameters;
        if (ranks > 1 && run.settings.comm_bucket_bytes && *run.settings.comm_bucket_bytes > 0) {
          buckets_bytes.push_back(*run.settings.comm_bucket_bytes);
        }
      }
    }
    const std::string name = family_name(cmp.configs[members.front()]);
    if (sweep.empty()) {
      // Only worth saying where there is something to model: a multi-rank configuration.
      if (!rpn.empty()) {
        cmp.warnings.push_back("scaling model for " + name + ": not built: no allreduce sweep recorded (results "
                               "files before schema 2 have none)");
      }
      continue;
    }
    std::set<int64_t> sizes;
    for (const auto& s : sweep) sizes.insert(s.bytes);
    std::optional<size_t> reference;
    for (size_t i : members) {
      if (cmp.configs[i].config.whole(Field::ranks) != 1 || !mean_step_s(cmp.configs[i], cmp.runs)) continue;
      if (!reference || cmp.configs[i].runs_used > cmp.configs[*reference].runs_used) reference = i;
    }
    std::string missing;
    if (!reference) missing = "no one-rank configuration with steady steps in the comparison (its step time is the model's base)";
    else if (!parameters) missing = "no parameter count recorded (the gradient size)";
    else if (sizes.size() < 2) missing = "the allreduce sweep has fewer than two message sizes";
    TwoTermFit fit;
    if (missing.empty()) {
      fit = fit_allreduce(sweep);
      if (!fit.valid) missing = "the allreduce sweep could not be fitted";
    }
    if (!missing.empty()) {
      cmp.warnings.push_back("scaling model for " + name + ": not built: " + missing);
      continue;
    }
    ScalingModel m;
    m.family = name;
    m.reference = *reference;
    m.reference_step_s = *mean_step_s(cmp.configs[*reference], cmp.runs);
    m.batch_per_rank = cmp.configs[*reference].config.whole(Field::batch_size);
    m.alpha_s = fit.a;
    m.beta_s_per_byte = fit.b;
    m.fit_rms_relative_error = fit.rms_relative_error;
    m.sweep_points = sweep.size();
    m.sweep_ranks.assign(sweep_ranks.begin(), sweep_ranks.end());
    m.gradient_bytes = 4.0 * static_cast<double>(*parameters);
    const int64_t bucket = most_common(buckets_bytes);
    m.buckets = bucket > 0 ? static_cast<int64_t>(std::ceil(m.gradient_bytes / static_cast<double>(bucket))) : 1;
    m.ranks_per_node = most_common(rpn);
    if (m.fit_rms_relative_error > 0.25) {
      m.notes.push_back("the alpha-beta line misses the sweep by " +
                        format_number(std::round(m.fit_rms_relative_error * 1000) / 10) +
                        "% (rms relative error): the allreduce does not follow the ring model at these sizes");
    }
    if (m.ranks_per_node > 0 && m.sweep_ranks.size() == 1 && m.sweep_ranks.front() <= m.ranks_per_node) {
      m.notes.push_back("the sweep ran within one node: predictions for several nodes assume the same link speed "
                        "between nodes, which is usually optimistic");
    }
    auto modelled = [&](int ranks, int nodes) {
      ModelPoint p;
      p.ranks = ranks;
      p.nodes = nodes;
      p.predicted_step_s =
          m.reference_step_s + ring_allreduce_s(m.alpha_s, m.beta_s_per_byte, ranks, m.gradient_bytes, m.buckets);
      p.predicted_efficiency = m.reference_step_s / p.predicted_step_s;
      return p;
    };
    std::set<int> measured_ranks;
    for (size_t i : members) {
      const ConfigResult& c = cmp.configs[i];
      const int ranks = c.config.whole(Field::ranks);
      const auto step = mean_step_s(c, cmp.runs);
      if (!step) continue;
      ModelPoint p = modelled(ranks, c.config.whole(Field::nodes));
      p.config = i;
      p.measured_step_s = step;
      p.measured_efficiency = m.reference_step_s / *step;
      m.points.push_back(p);
      measured_ranks.insert(ranks);
    }
    if (m.ranks_per_node > 0) {
      const int top = std::min(4096, std::max(8, 2 * max_nodes));
      for (int nodes = 1; nodes <= top; nodes *= 2) {
        const int ranks = nodes * m.ranks_per_node;
        if (measured_ranks.count(ranks)) continue;
        m.points.push_back(modelled(ranks, nodes));
      }
    } else {
      m.notes.push_back("no multi-rank configuration gives the ranks per node: no predictions for node counts not run");
    }
    std::stable_sort(m.points.begin(), m.points.end(), [](const ModelPoint& a, const ModelPoint& b) { return a.ranks < b.ranks; });
    // Far from the prediction: say so (the model has no overlap, no stragglers, no contention).
    for (const auto& p : m.points) {
      if (!p.config || !p.measured_step_s || p.ranks <= 1) continue;
      const double off = *p.measured_step_s / p.predicted_step_s - 1.0;
      if (std::fabs(off) > 0.25) {
        cmp.configs[*p.config].warnings.push_back(
            "scaling model: measured step time " + format_number(std::round(*p.measured_step_s * 1e4) / 1e4) + " s is " +
            format_number(std::round(std::fabs(off) * 100)) + "% " + (off > 0 ? "above" : "below") +
            " the modelled " + format_number(std::round(p.predicted_step_s * 1e4) / 1e4) + " s" +
            (off > 0 ? " (a cost the model lacks: stragglers, contention, data waits)"
                     : " (communication overlapped with the backward pass, which the model does not assume)"));
      }
    }
    cmp.scaling_models.push_back(std::move(m));
  }
}

}  // namespace lb::analysis
