#include "analysis/compare/configuration.h"

#include <map>

#include "analysis/input/names.h"

namespace lb::analysis {
namespace {

template <class T>
std::string text(const std::optional<T>& v) {
  if (!v) return "";
  if constexpr (std::is_same_v<T, std::string>) {
    return *v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return *v ? "yes" : "no";
  } else if constexpr (std::is_same_v<T, double>) {
    return format_number(*v);
  } else {
    return std::to_string(*v);
  }
}

std::string plural(const std::string& n, const char* word) {
  return n + " " + word + (n == "1" ? "" : "s");
}

}  // namespace

std::vector<ConfigField> configuration_fields(const RunRecord& run) {
  const RunSettings& s = run.settings;
  std::optional<std::string> initial_weights;
  if (s.pretrained) initial_weights = *s.pretrained ? "pretrained" : "scratch";
  std::optional<std::string> model;
  if (s.model) model = display_model_name(*s.model);
  return {
      {"source", "source", run.is_imported() ? run.source_label : "measured", false},
      {"device", "device", text(s.device), false},
      {"device_model", "device model", text(s.device_model), false},
      {"model", "model", text(model), true},
      {"nodes", "nodes", text(s.nodes), false},
      {"gpus", "GPUs", text(s.gpus), false},
      {"ranks", "ranks", text(s.ranks), false},
      {"threads", "CPU threads", text(s.threads), false},
      {"precision", "precision", text(s.precision), true, true},
      {"batch_size", "per-rank batch", text(s.batch_size), false},
      {"global_batch_size", "global batch", text(s.global_batch_size), true, true},
      {"synthetic", "synthetic data", text(s.synthetic), true, true},
      {"full_train_samples", "train split", text(s.full_train_samples), true},
      {"full_val_samples", "validation split", text(s.full_val_samples), true},
      {"epochs", "epochs", text(s.epochs), true},
      {"optimizer", "optimizer", text(s.optimizer), true, true},
      {"lr", "peak learning rate", text(s.lr), true, true},
      {"initial_weights", "initial weights", text(initial_weights), true, true},
  };
}

std::string configuration_key(const std::vector<ConfigField>& fields) {
  std::string key;
  for (const auto& f : fields) key += f.name + "=" + f.value + "\x1f";
  return key;
}

const ConfigField* find_field(const std::vector<ConfigField>& fields, const std::string& name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

namespace {
std::vector<std::string> differences(const std::vector<ConfigField>& a, const std::vector<ConfigField>& b,
                                     bool include_recipe) {
  std::vector<std::string> out;
  for (const auto& fa : a) {
    if (!fa.changes_work || (fa.recipe && !include_recipe)) continue;
    const ConfigField* fb = find_field(b, fa.name);
    const std::string vb = fb ? fb->value : "";
    if (fa.value == vb) continue;
    out.push_back(fa.label + " " + (fa.value.empty() ? "unknown" : fa.value) + " vs " +
                  (vb.empty() ? "unknown" : vb));
  }
  return out;
}
}  // namespace

std::string field_value(const std::vector<ConfigField>& fields, const std::string& name) {
  const ConfigField* f = find_field(fields, name);
  return f ? f->value : std::string();
}

int field_int(const std::vector<ConfigField>& fields, const std::string& name) {
  const std::string v = field_value(fields, name);
  try {
    return v.empty() ? 0 : std::stoi(v);
  } catch (const std::exception&) {
    return 0;  // a value too large for a count of nodes or GPUs says nothing usable
  }
}

std::vector<std::string> work_differences(const std::vector<ConfigField>& a, const std::vector<ConfigField>& b) {
  return differences(a, b, true);
}

std::vector<std::string> task_differences(const std::vector<ConfigField>& a, const std::vector<ConfigField>& b) {
  return differences(a, b, false);
}

std::string configuration_label(const std::vector<ConfigField>& fields, const std::string& cluster_name) {
  auto value = [&](const char* name) {
    const ConfigField* f = find_field(fields, name);
    return f ? f->value : std::string();
  };
  std::string label;
  if (value("device") == "gpu") {
    const std::string nodes = value("nodes"), gpus = value("gpus");
    label = cluster_name;
    if (!nodes.empty()) label += " " + plural(nodes, "node");
    if (!gpus.empty()) label += nodes.empty() ? " " + plural(gpus, "GPU") : " (" + plural(gpus, "GPU") + ")";
  } else if (value("device") == "cpu") {
    const std::string threads = value("threads");
    label = "Laptop";
    if (!threads.empty()) label += " " + plural(threads, "thread");
    const std::string ranks = value("ranks");
    if (!ranks.empty() && ranks != "1") label += " x " + plural(ranks, "rank");
  } else {
    label = "unknown device";
  }
  if (value("source") != "measured") label += ", " + value("source");
  return label;
}

std::vector<std::string> unknown_settings(const std::vector<ConfigField>& fields) {
  const ConfigField* device = find_field(fields, "device");
  const bool gpu = device && device->value == "gpu";
  std::vector<std::string> out;
  for (const auto& f : fields) {
    if (f.name == "source" || !f.value.empty()) continue;
    if (f.name == "threads" && gpu) continue;
    out.push_back(f.label);
  }
  return out;
}

bool placement_unknown(const std::vector<ConfigField>& fields) {
  auto value = [&](const char* name) {
    const ConfigField* f = find_field(fields, name);
    return f ? f->value : std::string();
  };
  const std::string device = value("device");
  if (device.empty()) return true;
  return device == "gpu" && (value("nodes").empty() || value("gpus").empty());
}

std::string grouping_key(const std::vector<ConfigField>& fields, const std::string& run_id, size_t run_index) {
  if (unknown_settings(fields).empty()) return configuration_key(fields);
  // \x1e cannot occur in a configuration key's field separators: no collision with a pooled key.
  return "\x1erun " + std::to_string(run_index) + " " + run_id;
}

std::vector<std::vector<size_t>> group_by_configuration(const std::vector<RunRecord>& runs) {
  std::vector<std::vector<size_t>> groups;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string key = grouping_key(configuration_fields(runs[i]), runs[i].run_id, i);
    auto [it, inserted] = index.emplace(key, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  return groups;
}

}  // namespace lb::analysis
