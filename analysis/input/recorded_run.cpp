#include "analysis/input/recorded_run.h"

#include <algorithm>
#include <cmath>

#include "analysis/input/names.h"

namespace lb::analysis {
namespace {

std::optional<std::string> nonempty(const std::optional<std::string>& s) {
  if (s && trim(*s).empty()) return std::nullopt;
  return s;
}

}  // namespace

void fill_from_attributes(const schema::RunAttributes& a, RunRecord& run) {
  RunSettings& s = run.settings;
  if (auto model = nonempty(a.model)) s.model = normalize_model_name(*model);
  if (a.device) s.device = normalize_device_kind(*a.device);
  const auto gpu_model = nonempty(a.gpu_model), cpu_model = nonempty(a.cpu_model);
  s.device_model = (s.device && *s.device == "gpu") ? gpu_model : cpu_model;
  s.nodes = a.nodes;
  s.ranks = a.world_size;
  s.gpus = a.device_count;
  if (s.device && *s.device == "cpu") s.gpus = 0;
  s.threads = a.threads;
  if (auto precision = nonempty(a.precision)) s.precision = normalize_precision(*precision);
  s.batch_size = a.batch_size;
  s.global_batch_size = a.global_batch_size;
  if (a.synthetic) s.synthetic = *a.synthetic != 0;
  if (a.data_source && *a.data_source == "synthetic") s.synthetic = true;
  if (s.synthetic.value_or(false)) {
    s.dataset = std::string("synthetic");
  } else if (auto path = nonempty(a.data_path)) {
    s.dataset = file_stem(*path);
  }
  s.full_train_samples = a.full_train_samples;
  s.full_val_samples = a.full_val_samples;
  s.train_samples = a.train_samples;
  s.val_samples = a.val_samples;
  s.subset_fraction = a.subset_fraction;
  s.epochs = a.epochs;
  if (auto optimizer = nonempty(a.optimizer)) s.optimizer = to_lower(*optimizer);
  s.lr = a.lr;
  s.lr_schedule = nonempty(a.lr_schedule);
  if (a.pretrained) {
    s.pretrained = *a.pretrained != 0;
  } else if (a.init_weights) {
    s.pretrained = !trim(*a.init_weights).empty();
  }

  if (a.status) run.status = parse_run_status(*a.status);
  run.error = a.error.value_or("");
  run.wall_time_s = a.wall_time_s;
  run.peak_rss_bytes = a.peak_rss_bytes;
  run.peak_rss_bytes_max_rank = a.peak_rss_bytes_max_rank;
  run.peak_device_memory_bytes = a.peak_device_memory_bytes;
  // Energy: a NaN energy_j means "no counter was readable", not zero.
  run.energy.sources = trim(a.energy_sources.value_or(""));
  run.energy.unavailable = trim(a.energy_unavailable.value_or(""));
  if (a.energy_j) {
    run.energy.energy_j_recorded = true;
    if (std::isfinite(*a.energy_j) && *a.energy_j >= 0) run.energy.energy_j = a.energy_j;
  }
  run.train_flops_per_image = a.train_flops_per_image;
  run.scheduler_job = trim(a.slurm_job_id.value_or(""));
  run.parameters = a.parameters;

  // Fields of later harnesses; absent in older files, where they stay unknown.
  if (auto scope = nonempty(a.val_scope)) s.val_scope = to_lower(trim(*scope));
  s.val_images_per_eval = a.val_images_per_eval;
  if (auto backend = nonempty(a.comm_backend)) s.comm_backend = to_lower(trim(*backend));
  if (auto path = nonempty(a.comm_inter_node)) s.comm_inter_node = trim(*path);
  if (auto path = nonempty(a.comm_intra_node)) s.comm_intra_node = trim(*path);
  run.inter_node_warning = inter_node_warning(s);
  if (!run.inter_node_warning.empty()) run.warnings.push_back(run.inter_node_warning);
  s.comm_bucket_bytes = a.comm_bucket_bytes;
  if (a.gemm_flops_per_s && std::isfinite(*a.gemm_flops_per_s) && *a.gemm_flops_per_s > 0)
    run.gemm_flops_per_s = a.gemm_flops_per_s;
  run.repeat.group = trim(a.repeat_group.value_or(""));
  run.repeat.index = a.repeat_index;
  run.repeat.count = a.repeat_count;
  run.adaptive.target_rel_ci = a.adaptive_target_rel_ci;
  run.adaptive.stop_reason = trim(a.adaptive_stop_reason.value_or(""));
  if (a.adaptive_rel_ci && std::isfinite(*a.adaptive_rel_ci)) run.adaptive.achieved_rel_ci = a.adaptive_rel_ci;

  // Attributes without which the comparison cannot place the run: say so once, by name.
  std::string missing;
  auto need = [&](bool present, const char* name) {
    if (!present) missing += std::string(missing.empty() ? "" : ", ") + name;
  };
  need(a.status.has_value(), "status");
  need(a.model.has_value(), "model");
  need(a.device.has_value(), "device");
  need(a.epochs.has_value(), "epochs");
  need(a.train_samples.has_value(), "train_samples");
  need(a.full_train_samples.has_value(), "full_train_samples");
  need(a.val_samples.has_value(), "val_samples");
  need(a.global_batch_size.has_value(), "global_batch_size");
  if (!missing.empty()) run.warnings.push_back("missing attributes: " + missing);
}

std::string inter_node_warning(const RunSettings& s) {
  if (!s.nodes || *s.nodes <= 1 || !s.comm_inter_node) return {};
  const std::string& path = *s.comm_inter_node;
  const std::string lower = to_lower(path);
  if (lower.rfind("plugin:", 0) == 0) return {};
  const std::string recorded = " (comm_inter_node '" + path + "', " + std::to_string(*s.nodes) + " nodes)";
  if (lower == "socket") {
    return "inter-node transport: gradients crossed nodes over TCP sockets: RCCL's network plugin was not used" + recorded;
  }
  if (lower.find("gloo") != std::string::npos || lower.find("tcp") != std::string::npos) {
    return "inter-node transport: gradients crossed nodes over TCP (" + path +
           "), not through RCCL's network plugin" + recorded;
  }
  if (lower == "ib") {
    return "inter-node transport: gradients crossed nodes over NCCL's InfiniBand transport, not through RCCL's "
           "network plugin" + recorded;
  }
  if (lower == "none") {
    return "inter-node transport: a run on several nodes recorded no path between them: RCCL's network plugin was "
           "not used" + recorded;
  }
  return "inter-node transport: the library did not say how gradients crossed nodes: RCCL's network plugin is not "
         "shown to have been used" + recorded;
}

RunRecord run_record_from_journal(const RunData& data, const std::string& journal_path) {
  RunRecord run;
  run.run_id = data.run_id;
  run.source_path = journal_path;
  run.source_label = "measured";
  fill_from_attributes(data.attrs, run);
  if (run.status == RunStatus::Running) {
    run.warnings.push_back("read from its journal: the run is still being written (its writer is alive); its "
                           "records are those flushed so far");
  } else if (run.status == RunStatus::Crashed && !run.error.empty()) {
    run.warnings.push_back("read from its journal: crashed: " + run.error);
  }
  StepColumns& c = run.steps;
  const size_t n = data.steps.size(), world = size_t(std::max(1, data.world_size));
  for (const auto& st : data.steps) {
    c.epoch.push_back(st.epoch);
    c.samples.push_back(st.samples);
    c.warmup.push_back(st.warmup ? 1 : 0);
    c.total_s.push_back(st.total_s);
    c.data_wait_s.push_back(st.data_wait_s);
    c.comm_exposed_s.push_back(st.comm_exposed_s);
    c.compute_s.push_back(st.forward_s + st.backward_s + st.optimizer_s);
  }
  if (data.rank_step_time_s.size() >= n * world) c.reduce_rank_times(data.rank_step_time_s.data(), n, world);
  run.epochs.assign(data.epochs.begin(), data.epochs.end());
  run.evaluations = data.evaluations;
  for (const auto& a : data.allreduce_sweep) {
    if (!(a.bytes > 0) || !(a.seconds > 0) || !std::isfinite(a.seconds) || a.ranks < 2) continue;
    run.allreduce_sweep.push_back({a.bytes, a.seconds, a.repeats, a.ranks});
  }
  for (const auto& e : data.energy) {
    EnergyCounterRow r{e.epoch, trim(e.counter.str()), e.joules, e.seconds, e.integrated != 0};
    if (!r.counter.empty()) run.energy.counters.push_back(std::move(r));
  }
  return run;
}

}  // namespace lb::analysis
