#include "harness/train/run_description.h"

#include <algorithm>

#include "common/format.h"
#include "harness/dist/communicator.h"
#include "harness/record/provenance.h"

namespace lb {

schema::RunAttributes describe_run(const RunFacts& f) {
  const auto& s = f.settings;
  const auto& c = f.config;
  const auto prov = collect_provenance();
  const int world = f.comm.world_size();
  schema::RunAttributes a;
  a.schema_version = schema::kVersion;
  a.status = "running";
  a.error = "";
  a.stop_reason = "";
  a.dropped_step = -1;
  a.command_line = s.command_line;
  a.start_utc = utc_now();
  a.end_utc = "";
  a.model = c.name;
  a.num_classes = c.num_classes;
  a.image_size = c.image_size;
  a.patch_size = c.patch_size;
  a.hidden_dim = c.hidden_dim;
  a.num_layers = c.num_layers;
  a.num_heads = c.num_heads;
  a.mlp_dim = c.mlp_dim;
  a.parameters = vit_parameter_count(c);
  a.forward_flops_per_image = vit_forward_flops(c);
  a.train_flops_per_image = vit_train_flops(c);
  a.device = s.device;
  a.device_count = f.on_gpu ? world : 0;
  a.precision = s.precision;
  a.batch_size = s.batch_size;
  a.global_batch_size = std::int64_t(s.batch_size) * world;
  a.epochs = s.epochs;
  a.max_steps = s.max_steps;
  a.warmup_steps = s.warmup_steps;
  a.eval_every = s.eval_every;
  a.optimizer = s.optimizer;
  a.optimizer_impl = f.optimizer_impl;
  a.lr = s.lr;
  a.lr_schedule = s.lr_schedule;
  a.warmup_epochs = s.warmup_epochs;
  a.weight_decay = s.weight_decay;
  a.label_smoothing = s.label_smoothing;
  a.grad_clip = s.grad_clip;
  a.dropout = s.dropout;
  a.seed = std::int64_t(s.seed);
  a.threads = s.threads;
  a.loader_workers = s.loader_workers;
  a.prefetch_batches = s.prefetch_batches;
  a.init_weights = s.init_weights;
  a.pretrained = s.init_weights.empty() ? 0 : 1;
  a.repeat_group = f.repeat_group;
  a.repeat_index = f.repeat_index;
  a.repeat_count = s.repeat;
  a.adaptive_target_rel_ci = s.adaptive_ci;
  a.adaptive_stop_reason = "";
  a.data_source = f.dataset.source();
  a.data_path = f.dataset.path();
  a.synthetic = f.dataset.source() == "synthetic" ? 1 : 0;
  a.dataset_samples = f.dataset.size();
  a.val_fraction = s.val_fraction;
  a.full_train_samples = f.split.full_train;
  a.full_val_samples = f.split.full_val;
  a.train_samples = std::int64_t(f.split.train.size());
  a.val_samples = std::int64_t(f.split.val.size());
  a.subset = s.subset;
  a.subset_fraction = double(f.split.train.size()) / double(f.split.full_train);
  a.resize_antialias = s.resize_antialias ? 1 : 0;
  // Validation shards the split over the ranks without padding and reduces exact sums.
  a.val_scope = "all_ranks";
  a.val_images_per_eval = std::int64_t(f.split.val.size());
  a.world_size = world;
  a.nodes = f.comm.nodes();
  a.ranks_per_node = std::max(1, world / std::max(1, f.comm.nodes()));
  a.comm_backend = f.comm_backend;
  a.comm_library = f.comm_library;
  a.comm_bucket_bytes = std::int64_t(s.comm_bucket_mb * 1e6);
  a.mpi_thread_level = f.comm.thread_level_name();
  a.launcher = to_string(f.comm.launcher());
  a.host = prov.host;
  a.cpu_model = prov.cpu_model;
  a.cpu_cores = prov.cpu_cores;
  a.gpu_model = f.on_gpu ? gpu_description(f.device_index) : "";
  a.gpu_driver = f.on_gpu ? prov.gpu_driver : "";
  a.gpu_runtime = f.on_gpu ? prov.gpu_runtime : "";
  a.torch_version = prov.torch_version;
  a.blas = prov.blas;
  a.mpi_library = f.comm.launcher() == Launcher::mpi ? mpi_library_version() : "";
  a.compiler = prov.compiler;
  a.harness_version = prov.harness_version;
  a.git_commit = prov.git_commit;
  a.slurm_job_id = prov.slurm_job_id;
  a.slurm_nodelist = prov.slurm_nodelist;
  a.wall_time_s = 0.0;
  a.peak_rss_bytes = peak_rss_bytes();
  return a;
}

}  // namespace lb
