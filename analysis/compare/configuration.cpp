#include "analysis/compare/configuration.h"

#include <climits>

#include "analysis/input/names.h"

namespace lb::analysis {
namespace {

// A setting as printed; empty when unknown.
std::string text(const std::optional<std::string>& v) { return v.value_or(""); }
std::string text(const std::optional<bool>& v) { return v ? (*v ? "yes" : "no") : ""; }
std::string text(const std::optional<double>& v) { return v ? format_number(*v) : ""; }
std::string text(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : ""; }

std::string plural(const std::string& n, const char* word) {
  return n + " " + word + (n == "1" ? "" : "s");
}

Placement placement_of(const RunRecord& run) {
  const RunSettings& s = run.settings;
  if (!s.device) return Placement::Unknown;
  if (*s.device != "gpu") return Placement::OwnMachine;
  if (!s.nodes || !s.gpus) return Placement::Unknown;
  const bool cluster = run.is_imported() || !run.scheduler_job.empty() || *s.nodes > 1;
  return cluster ? Placement::Cluster : Placement::OwnMachine;
}

std::vector<std::string> differences(const Configuration& a, const Configuration& b, bool include_recipe) {
  std::vector<std::string> out;
  for (const auto& fa : a.fields) {
    if (!fa.changes_work || (fa.recipe && !include_recipe)) continue;
    const std::string& vb = b[fa.key];
    if (fa.value == vb) continue;
    out.push_back(std::string(fa.label) + " " + (fa.value.empty() ? "unknown" : fa.value) + " vs " +
                  (vb.empty() ? "unknown" : vb));
  }
  return out;
}

}  // namespace

int Configuration::whole(Field f) const {
  const std::optional<int64_t> v = count(f);
  return v && *v >= INT_MIN && *v <= INT_MAX ? static_cast<int>(*v) : 0;
}

Configuration configuration_of(const RunRecord& run) {
  const RunSettings& s = run.settings;
  std::optional<std::string> initial_weights;
  if (s.pretrained) initial_weights = *s.pretrained ? "pretrained" : "scratch";
  std::optional<std::string> model;
  if (s.model) model = display_model_name(*s.model);
  const bool gpu = s.device == "gpu";
  using F = Field;
  Configuration c;
  c.placement = placement_of(run);
  c.fields = {
      {F::source, "source", "source", run.is_imported() ? run.source_label : "measured", {}, false, false, false},
      {F::device, "device", "device", text(s.device), {}, false},
      {F::device_model, "device_model", "device model", text(s.device_model), {}, false},
      {F::model, "model", "model", text(model), {}, true},
      {F::nodes, "nodes", "nodes", text(s.nodes), s.nodes, false},
      {F::gpus, "gpus", "GPUs", text(s.gpus), s.gpus, false},
      {F::ranks, "ranks", "ranks", text(s.ranks), s.ranks, false},
      {F::threads, "threads", "CPU threads", text(s.threads), s.threads, false, false, !gpu},
      {F::precision, "precision", "precision", text(s.precision), {}, true, true},
      {F::batch_size, "batch_size", "per-rank batch", text(s.batch_size), s.batch_size, false},
      {F::global_batch_size, "global_batch_size", "global batch", text(s.global_batch_size), s.global_batch_size, true, true},
      {F::synthetic, "synthetic", "synthetic data", text(s.synthetic), {}, true, true},
      {F::full_train_samples, "full_train_samples", "train split", text(s.full_train_samples), s.full_train_samples, true},
      {F::full_val_samples, "full_val_samples", "validation split", text(s.full_val_samples), s.full_val_samples, true},
      {F::epochs, "epochs", "epochs", text(s.epochs), s.epochs, true},
      {F::optimizer, "optimizer", "optimizer", text(s.optimizer), {}, true, true},
      {F::lr, "lr", "peak learning rate", text(s.lr), {}, true, true},
      {F::initial_weights, "initial_weights", "initial weights", text(initial_weights), {}, true, true},
  };
  return c;
}

std::string fields_key(const Configuration& c, std::initializer_list<Field> fields) {
  std::string key;
  for (Field f : fields) key += c[f] + "\x1f";
  return key;
}

std::vector<std::string> work_differences(const Configuration& a, const Configuration& b) {
  return differences(a, b, true);
}

std::vector<std::string> task_differences(const Configuration& a, const Configuration& b) {
  return differences(a, b, false);
}

std::string configuration_label(const Configuration& c, const std::string& cluster_name) {
  using F = Field;
  std::string label;
  if (c.placement == Placement::Cluster) {
    const std::string &nodes = c[F::nodes], &gpus = c[F::gpus];
    label = cluster_name;
    if (!nodes.empty()) label += " " + plural(nodes, "node");
    if (!gpus.empty()) label += nodes.empty() ? " " + plural(gpus, "GPU") : " (" + plural(gpus, "GPU") + ")";
  } else if (c[F::device] == "gpu") {  // the own machine's GPUs
    label = "Laptop " + plural(c[F::gpus], "GPU");
  } else if (c[F::device] == "cpu") {
    label = "Laptop";
    if (!c[F::threads].empty()) label += " " + plural(c[F::threads], "thread");
    const std::string& ranks = c[F::ranks];
    if (!ranks.empty() && ranks != "1") label += " x " + plural(ranks, "rank");
  } else {
    label = "unknown device";
  }
  if (c[F::source] != "measured") label += ", " + c[F::source];
  return label;
}

std::vector<std::string> unknown_settings(const Configuration& c) {
  std::vector<std::string> out;
  for (const auto& f : c.fields) {
    if (f.defining && f.value.empty()) out.push_back(f.label);
  }
  return out;
}

std::string grouping_key(const Configuration& c, const std::string& run_id, size_t run_index) {
  // \x1e cannot occur in a configuration key's field separators: no collision with a pooled key.
  if (!unknown_settings(c).empty()) return "\x1erun " + std::to_string(run_index) + " " + run_id;
  // The placement too: the same settings on the cluster and on the user's own machine are two
  // configurations (their labels, grids and billing differ).
  std::string key = "placement=" + std::to_string(static_cast<int>(c.placement)) + "\x1f";
  for (const auto& f : c.fields) key += std::string(f.name) + "=" + f.value + "\x1f";
  return key;
}

}  // namespace lb::analysis
