#include "support/run_builder.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lb::testing {

FixtureRun build_run(const RunShape& s) {
  FixtureRun run;
  run.run_id = s.run_id;
  const int64_t global_batch = s.batch_size * s.world_size;
  const int64_t train = std::llround(s.full_train * s.subset_fraction);
  const int64_t val = std::llround(s.full_val * s.subset_fraction);
  const bool subset = train < s.full_train;
  const int finished = s.finished_epochs < 0 ? static_cast<int>(s.epochs) : s.finished_epochs;

  auto& a = run.attrs;
  a["status"] = s.status;
  a["error"] = std::string(s.status == "failed" ? "test failure" : "");
  a["command_line"] = std::string("harness --device ") + s.device;
  a["start_utc"] = std::string("2026-11-24T07:00:00Z");
  a["end_utc"] = std::string(s.status == "running" ? "" : "2026-11-24T08:00:00Z");
  a["peak_rss_bytes"] = int64_t{3'000'000'000};
  a["model"] = s.model;
  a["num_classes"] = int64_t{200};
  a["image_size"] = int64_t{224};
  a["patch_size"] = int64_t{16};
  a["hidden_dim"] = int64_t{768};
  a["num_layers"] = int64_t{12};
  a["num_heads"] = int64_t{12};
  a["mlp_dim"] = int64_t{3072};
  a["parameters"] = s.parameters;
  a["forward_flops_per_image"] = s.train_flops_per_image / 3.0;
  a["train_flops_per_image"] = s.train_flops_per_image;
  // Older harnesses wrote a nominal peak, always 0; no longer in the schema, the reader ignores it.
  if (s.schema_v1) a["peak_flops_per_device"] = 0.0;
  a["device"] = s.device;
  a["device_count"] = s.device == "cpu" ? int64_t{0} : s.gpus;
  a["precision"] = s.precision.empty() ? std::string(s.precision_fp32 ? "fp32" : "bf16") : s.precision;
  a["batch_size"] = s.batch_size;
  a["global_batch_size"] = global_batch;
  a["epochs"] = s.epochs;
  a["max_steps"] = int64_t{0};
  a["warmup_steps"] = s.warmup_steps;
  a["eval_every"] = s.eval_every;
  a["optimizer"] = s.optimizer;
  a["lr"] = s.lr;
  a["lr_schedule"] = std::string("onecycle");
  a["warmup_epochs"] = 1.0;
  a["weight_decay"] = 0.05;
  a["label_smoothing"] = 0.1;
  a["grad_clip"] = 1.0;
  a["dropout"] = 0.0;
  a["seed"] = int64_t{42};
  a["threads"] = s.threads;
  a["loader_workers"] = int64_t{2};
  a["prefetch_batches"] = int64_t{2};
  a["init_weights"] = std::string(s.pretrained ? "vit_b_16.pth" : "");
  a["pretrained"] = int64_t{s.pretrained ? 1 : 0};
  a["data_source"] = std::string(s.synthetic ? "synthetic" : "hdf5");
  a["data_path"] = std::string(s.synthetic ? "" : "/data/tiny-imagenet.h5");
  a["synthetic"] = int64_t{s.synthetic ? 1 : 0};
  a["dataset_samples"] = s.full_train + s.full_val;
  a["val_fraction"] = static_cast<double>(s.full_val) / static_cast<double>(s.full_train + s.full_val);
  a["full_train_samples"] = s.full_train;
  a["full_val_samples"] = s.full_val;
  a["train_samples"] = train;
  a["val_samples"] = val;
  a["subset"] = std::string(subset ? std::to_string(s.subset_fraction * 100) + "%" : "");
  a["subset_fraction"] = static_cast<double>(train) / static_cast<double>(s.full_train);
  a["world_size"] = s.world_size;
  a["nodes"] = s.nodes;
  a["ranks_per_node"] = s.world_size / std::max<int64_t>(s.nodes, 1);
  a["comm_bucket_bytes"] = s.comm_bucket_bytes;
  a["comm_path"] = std::string(s.world_size > 1 ? "gpu-aware" : "none");
  const bool cluster = s.device != "cpu" && !s.own_machine;
  a["host"] = std::string(cluster ? "nid005000" : "laptop");
  a["cpu_model"] = s.cpu_model;
  a["cpu_cores"] = int64_t{8};
  a["gpu_model"] = std::string(s.device == "cpu" ? "" : s.gpu_model);
  a["torch_version"] = std::string("1.13.1");
  a["blas"] = std::string("OpenBLAS 0.3.21 (openmp)");
  a["mpi_library"] = std::string("Open MPI 4.1.4");
  a["compiler"] = std::string("GCC 12.2.0");
  a["harness_version"] = std::string("0.1.0");
  a["git_commit"] = std::string("0123456789ab");
  a["slurm_job_id"] = std::string(cluster ? "4242" : "");
  a["slurm_nodelist"] = std::string(cluster ? "nid005000" : "");
  if (!s.schema_v1) {
    a["schema_version"] = int64_t{2};
    a["val_scope"] = s.val_scope;
    a["val_images_per_eval"] = s.val_images_per_eval >= 0 ? s.val_images_per_eval
                               : s.val_scope == "rank0_share" ? (val + s.world_size - 1) / s.world_size
                                                              : val;
    a["repeat_group"] = s.repeat_group;
    a["repeat_index"] = s.repeat_index;
    a["repeat_count"] = s.repeat_count;
    a["adaptive_target_rel_ci"] = s.adaptive_target_rel_ci;
    a["adaptive_stop_reason"] = s.adaptive_stop_reason;
    a["adaptive_rel_ci"] = s.adaptive_rel_ci;
    a["gemm_flops_per_s"] = s.gemm_flops_per_s;
    a["comm_backend"] = !s.comm_backend.empty() ? s.comm_backend
                        : s.world_size <= 1     ? std::string("none")
                        : s.device == "cpu"     ? std::string("gloo")
                                                : std::string("nccl");
    if (s.world_size > 1 && (s.sweep_alpha_s > 0 || s.sweep_beta_s_per_byte > 0)) {
      const double n = static_cast<double>(s.world_size);
      for (int64_t bytes = 1024; bytes <= (int64_t{256} << 20); bytes *= 8) {
        SweepRow row;
        row.bytes = bytes;
        row.seconds = 2 * (n - 1) * s.sweep_alpha_s + 2 * (n - 1) / n * static_cast<double>(bytes) * s.sweep_beta_s_per_byte;
        row.repeats = 20;
        row.ranks = static_cast<int32_t>(s.world_size);
        run.allreduce_sweep.push_back(row);
      }
    }
  }

  const int64_t steps_per_epoch = (train + global_batch - 1) / global_batch;
  const double val_time = val * s.val_per_sample_s;
  run.write_evaluations = s.write_evaluations;
  // val_top1 after `trained` epochs of training (1 = the end of the first epoch).
  auto accuracy = [&](double trained) { return std::clamp(s.acc_start + s.acc_gain * (trained - 1.0), 0.0, 0.99); };
  auto pass = [&](int64_t step, int e, double end_wall) {
    EvalRow v;
    v.step = step;
    v.epoch = e;
    v.val_samples = val;
    v.val_top1 = accuracy(static_cast<double>(step) / static_cast<double>(steps_per_epoch));
    v.val_top5 = std::min(0.999, v.val_top1 + 0.2);
    v.val_loss = 3.5 - v.val_top1;
    v.val_time_s = val_time;
    v.end_wall_s = end_wall;
    run.evaluations.push_back(v);
  };
  double wall = s.startup_s;
  int64_t step = 0;
  for (int e = 0; e < finished; ++e) {
    double train_time = 0, extra = 0;
    for (int64_t k = 0; k < steps_per_epoch; ++k, ++step) {
      StepRow r;
      r.step = step;
      r.epoch = e;
      r.step_in_epoch = static_cast<int32_t>(k);
      r.samples = static_cast<int32_t>(std::min(global_batch, train - k * global_batch));
      r.warmup = step < s.warmup_steps ? 1 : 0;
      // A zigzag of period 4 (+1, -1, +1, -1): zero mean over every 4 steps.
      const double u = (step % 2 == 0) ? 1.0 : -1.0;
      r.total_s = (r.samples * s.per_sample_s * (1.0 + s.noise * u) + (r.warmup ? s.warmup_extra_s : 0.0)) * s.run_scale;
      const double comm = s.world_size > 1 ? s.comm_share : 0.0;
      const double compute = std::max(0.0, 1.0 - s.data_wait_share - comm) / 0.95;
      r.data_wait_s = s.data_wait_share * r.total_s;
      r.forward_s = 0.3 * compute * r.total_s;
      r.backward_s = 0.55 * compute * r.total_s;
      r.optimizer_s = 0.1 * compute * r.total_s;
      r.comm_exposed_s = comm * r.total_s;
      r.loss = 5.0f - 0.001f * static_cast<float>(step);
      r.lr = s.lr;
      train_time += r.total_s;
      run.steps.push_back(r);
      std::vector<double> ranks(static_cast<size_t>(s.world_size), r.total_s);
      if (s.world_size > 1) ranks.back() = r.total_s * (1.0 + s.straggler);
      run.rank_step_time_s.push_back(ranks);
      if (s.eval_every > 0 && (step + 1) % s.eval_every == 0) {
        extra += val_time;
        pass(step + 1, e, wall + train_time + extra);
      }
    }
    EpochRow er;
    er.epoch = e;
    er.train_time_s = train_time;
    er.val_time_s = val_time;
    er.epoch_time_s = er.train_time_s + extra + s.overhead_s + er.val_time_s;
    er.train_samples = train;
    er.val_samples = val;
    er.train_loss = 4.0 - 0.5 * e;
    er.train_acc = 0.1 + 0.1 * e;
    er.val_top1 = accuracy(e + 1.0);
    er.val_top5 = std::min(0.999, er.val_top1 + 0.2);
    er.val_loss = 3.5 - er.val_top1;
    er.images_per_s = train / train_time;
    wall += er.epoch_time_s;
    er.end_wall_s = wall;
    pass(step, e, wall);
    run.epochs.push_back(er);
  }
  const double wall_time = wall + (s.status == "completed" ? s.teardown_s : 0.0);
  a["wall_time_s"] = wall_time;
  if (!s.schema_v1) {
    // Energy: constant power per counter, per epoch and over the whole run.
    double epochs_s = 0;
    for (const auto& e : run.epochs) epochs_s += e.epoch_time_s;
    double total_j = 0;
    std::string sources;
    for (const auto& [counter, watts] : s.energy_counters) {
      for (auto& e : run.epochs) {
        run.energy.push_back(energy_row(e.epoch, counter, watts * e.epoch_time_s, e.epoch_time_s));
      }
      const double run_j = watts * epochs_s + watts * s.outside_power_factor * (wall_time - epochs_s);
      run.energy.push_back(energy_row(-1, counter, run_j, wall_time));
      total_j += run_j;
      const std::string source = counter.substr(0, counter.find(':'));
      if (sources.find(source) == std::string::npos) sources += (sources.empty() ? "" : ",") + source;
    }
    for (auto& e : run.epochs) {
      double j = 0;
      for (const auto& [counter, watts] : s.energy_counters) j += watts * e.epoch_time_s;
      e.energy_j = s.energy_counters.empty() ? std::nan("") : j;
    }
    a["energy_sources"] = sources;
    a["energy_unavailable"] = s.energy_unavailable;
    a["energy_j"] = s.energy_j_attribute >= 0 ? s.energy_j_attribute
                    : s.energy_counters.empty() ? std::nan("")
                                                : total_j;
    if (s.peak_rss_bytes_max_rank >= 0) a["peak_rss_bytes_max_rank"] = s.peak_rss_bytes_max_rank;
    if (s.peak_device_memory_bytes >= 0) a["peak_device_memory_bytes"] = s.peak_device_memory_bytes;
  }
  return run;
}

double expected_job_time(const RunShape& s, int epochs) {
  return s.startup_s + s.teardown_s + s.warmup_steps * s.warmup_extra_s +
         epochs * (s.full_train * s.per_sample_s + s.overhead_s + s.full_val * s.val_per_sample_s);
}

RunShape campaign_run_shape(int i, int steps) {
  RunShape s;
  s.run_id = "20261124T070000Z-host-" + std::to_string(i);
  s.epochs = 4;
  s.noise = 0.05;
  s.warmup_steps = 10;
  const int64_t steps_per_epoch = std::max(1, steps / 4);
  switch (i % 4) {
    case 0:
    case 1: {
      s.threads = (i % 8 < 4) ? 1 : 8;
      s.per_sample_s = 0.4 / static_cast<double>(s.threads);
      const int64_t train = steps_per_epoch * s.batch_size;
      const bool subset = (i / 4) % 2 == 0;
      s.full_train = subset ? train * 10 : train;
      s.subset_fraction = subset ? 0.1 : 1.0;
      break;
    }
    default: {
      const int64_t nodes = (i % 4 == 2) ? 1 : ((i / 4) % 2 == 0 ? 2 : 4);
      s.device = "rocm";
      s.nodes = nodes;
      s.world_size = 8 * nodes;
      s.gpus = 8 * nodes;
      s.threads = 7;
      s.per_sample_s = 0.0025 / static_cast<double>(nodes);
      s.full_train = steps_per_epoch * s.batch_size * s.world_size;
    }
  }
  s.full_val = std::max<int64_t>(1, s.full_train / 4);
  s.val_per_sample_s = s.per_sample_s / 3;
  return s;
}

}  // namespace lb::testing
