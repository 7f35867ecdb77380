#include "train/trainer.h"

#include <torch/torch.h>

#include <csignal>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <sstream>

#include "data/dataset.h"
#include "data/loader.h"
#include "data/split.h"
#include "dist/grad_sync.h"
#include "model/vit.h"
#include "model/weights.h"
#include "record/provenance.h"
#include "record/recorder.h"
#include "train/optimizer.h"
#include "train/schedule.h"
#include "util/clock.h"
#include "util/errors.h"
#include "util/exit_codes.h"
#include "util/progress.h"
#include "util/signals.h"

namespace lb {

struct Trainer::State {
  Settings s;
  Communicator& comm;
  torch::Device device{torch::kCPU};
  std::unique_ptr<Dataset> dataset;
  Split split;
  VitConfig config;
  VisionTransformer model{nullptr};
  std::int64_t steps_per_epoch = 0;
  std::int64_t shard_samples = 0;
  double run_t0 = 0;
  State(const Settings& settings, Communicator& c) : s(settings), comm(c) {}
};

namespace {

// Failure injection for the tests of multi-rank failure handling: LB_TEST_FAIL_RANK=r and
// LB_TEST_FAIL_STEP=s make rank r throw before step s. Unset in normal runs.
void maybe_inject_failure(int rank, std::int64_t step) {
  static const char* fail_rank = std::getenv("LB_TEST_FAIL_RANK");
  static const char* fail_step = std::getenv("LB_TEST_FAIL_STEP");
  if (fail_rank && fail_step && std::atoi(fail_rank) == rank && std::atoll(fail_step) == step)
    throw std::runtime_error("injected failure before step " + std::to_string(step) + " (LB_TEST_FAIL_RANK/STEP)");
}

void sync(const torch::Device& d) {
  if (d.is_cuda()) torch::cuda::synchronize(d.index());
}

struct EvalResult {
  double loss = NAN, top1 = NAN, top5 = NAN, time_s = 0;
  std::int64_t samples = 0;
};

// Sharded validation; loss and accuracy reduced exactly (global sums / global count).
EvalResult validate(Trainer::State& st, BatchLoader& loader) {
  const double t0 = now_s();
  auto positions = validation_positions(std::int64_t(st.split.val.size()), st.comm.rank(), st.comm.world_size());
  loader.start(make_batches(positions, st.split.val, st.s.batch_size));
  st.model->eval();
  double sums[4] = {0, 0, 0, 0};  // loss * n, top1, top5, n
  {
    torch::NoGradGuard no_grad;
    while (auto batch = loader.next()) {
      auto images = batch->images.to(st.device), labels = batch->labels.to(st.device);
      auto logits = st.model->forward(images);
      const auto n = labels.size(0);
      sums[0] += torch::nn::functional::cross_entropy(logits, labels).item<double>() * double(n);
      const int k = int(std::min<std::int64_t>(5, logits.size(1)));
      auto topk = std::get<1>(logits.topk(k, 1));
      auto hits = topk.eq(labels.unsqueeze(1));
      sums[1] += hits.narrow(1, 0, 1).sum().item<double>();
      sums[2] += hits.sum().item<double>();
      sums[3] += double(n);
    }
  }
  st.comm.allreduce_sum(sums, 4);
  EvalResult r;
  r.samples = std::int64_t(sums[3]);
  if (sums[3] > 0) r.loss = sums[0] / sums[3], r.top1 = sums[1] / sums[3], r.top5 = sums[2] / sums[3];
  r.time_s = now_s() - t0;
  return r;
}

}  // namespace

Trainer::Trainer(const Settings& settings, Communicator& comm) : st_(std::make_unique<State>(settings, comm)) {
  auto& st = *st_;
  st.run_t0 = now_s();  // wall-clock figures include setup (data, model), as imported runtimes do
  const auto& s = st.s;
  torch::set_num_threads(s.threads);
  if (s.device != "cpu") {
    if (!torch::cuda::is_available())
      throw UsageError("--device " + s.device + ": no GPU is visible to this LibTorch build (CPU-only build, or "
                       "ROCR_VISIBLE_DEVICES/CUDA_VISIBLE_DEVICES hide every device)");
    const int visible = int(torch::cuda::device_count());
    st.device = torch::Device(torch::kCUDA, visible > 1 ? comm.local_rank() % visible : 0);
  }
  st.dataset = open_dataset(s.data, s.num_classes, s.seed, s.synthetic_samples);
  st.split = make_split(st.dataset->size(), s.val_fraction, s.seed, s.subset);
  if (st.split.full_val < 1 || st.split.full_train < 1)
    throw UsageError("--val-fraction " + std::to_string(s.val_fraction) + ": leaves an empty split of " +
                     std::to_string(st.dataset->size()) + " samples");
  const auto train_n = std::int64_t(st.split.train.size());
  st.shard_samples = (train_n + comm.world_size() - 1) / comm.world_size();
  if (s.batch_size > st.shard_samples)
    throw UsageError("--batch-size " + std::to_string(s.batch_size) + ": larger than the " +
                     std::to_string(st.shard_samples) + " training samples per rank" +
                     (s.subset.empty() ? "" : " of --subset " + s.subset));
  st.steps_per_epoch = (st.shard_samples + s.batch_size - 1) / s.batch_size;

  st.config = vit_config(s.model, s.num_classes);
  st.config.dropout = s.dropout;
  torch::manual_seed(s.seed);
  st.model = VisionTransformer(st.config);
  if (!s.init_weights.empty()) {
    LoadWeightsOptions o;
    o.replace_head = s.replace_head;
    try {
      load_weights(st.model, s.init_weights, o);
    } catch (const std::runtime_error& e) {
      throw UsageError(std::string("--init-weights ") + e.what());
    }
  }
  st.model->to(st.device);
}

Trainer::~Trainer() = default;

void Trainer::describe(Recorder& r) const {
  const auto& st = *st_;
  const auto& s = st.s;
  const auto& c = st.config;
  const auto prov = collect_provenance();
  r.set("status", "running");
  r.set("error", "");
  r.set("command_line", s.command_line);
  r.set("start_utc", utc_now_iso());
  r.set("end_utc", "");
  r.set("model", c.name);
  r.set("num_classes", c.num_classes);
  r.set("image_size", c.image_size);
  r.set("patch_size", c.patch_size);
  r.set("hidden_dim", c.hidden_dim);
  r.set("num_layers", c.num_layers);
  r.set("num_heads", c.num_heads);
  r.set("mlp_dim", c.mlp_dim);
  r.set("parameters", Recorder::Value(vit_parameter_count(c)));
  r.set("forward_flops_per_image", vit_forward_flops(c));
  r.set("train_flops_per_image", vit_train_flops(c));
  r.set("peak_flops_per_device", 0.0);
  r.set("device", s.device);
  r.set("device_count", s.device == "cpu" ? 0 : st.comm.world_size());
  r.set("precision", "fp32");
  r.set("batch_size", s.batch_size);
  r.set("global_batch_size", s.batch_size * st.comm.world_size());
  r.set("epochs", s.epochs);
  r.set("max_steps", Recorder::Value(std::int64_t(s.max_steps)));
  r.set("warmup_steps", s.warmup_steps);
  r.set("eval_every", Recorder::Value(std::int64_t(s.eval_every)));
  r.set("optimizer", s.optimizer);
  r.set("lr", s.lr);
  r.set("lr_schedule", s.lr_schedule);
  r.set("warmup_epochs", s.warmup_epochs);
  r.set("weight_decay", s.weight_decay);
  r.set("label_smoothing", s.label_smoothing);
  r.set("grad_clip", s.grad_clip);
  r.set("dropout", s.dropout);
  r.set("seed", Recorder::Value(std::int64_t(s.seed)));
  r.set("threads", s.threads);
  r.set("loader_workers", s.loader_workers);
  r.set("prefetch_batches", s.prefetch_batches);
  r.set("init_weights", s.init_weights);
  r.set("pretrained", s.init_weights.empty() ? 0 : 1);
  r.set("data_source", st.dataset->source());
  r.set("data_path", st.dataset->path());
  r.set("synthetic", st.dataset->source() == "synthetic" ? 1 : 0);
  r.set("dataset_samples", Recorder::Value(st.dataset->size()));
  r.set("val_fraction", s.val_fraction);
  r.set("full_train_samples", Recorder::Value(st.split.full_train));
  r.set("full_val_samples", Recorder::Value(st.split.full_val));
  r.set("train_samples", Recorder::Value(std::int64_t(st.split.train.size())));
  r.set("val_samples", Recorder::Value(std::int64_t(st.split.val.size())));
  r.set("subset", s.subset);
  r.set("subset_fraction", double(st.split.train.size()) / double(st.split.full_train));
  r.set("world_size", st.comm.world_size());
  r.set("nodes", st.comm.nodes());
  r.set("ranks_per_node", std::max(1, st.comm.world_size() / std::max(1, st.comm.nodes())));
  r.set("comm_bucket_bytes", Recorder::Value(std::int64_t(s.comm_bucket_mb * 1e6)));
  r.set("host", prov.host);
  r.set("cpu_model", prov.cpu_model);
  r.set("cpu_cores", prov.cpu_cores);
  std::string gpu;
  if (st.device.is_cuda()) {
    gpu = gpu_name(st.device.index());
    if (gpu.empty()) gpu = "unknown GPU";
    gpu += " (" + std::to_string(torch::cuda::device_count()) + " visible per rank)";
  }
  r.set("gpu_model", gpu);
  r.set("torch_version", prov.torch_version);
  r.set("blas", prov.blas);
  r.set("mpi_library", prov.mpi_library);
  r.set("compiler", prov.compiler);
  r.set("harness_version", prov.harness_version);
  r.set("git_commit", prov.git_commit);
  r.set("slurm_job_id", prov.slurm_job_id);
  r.set("slurm_nodelist", prov.slurm_nodelist);
  r.set("wall_time_s", 0.0);
  r.set("peak_rss_bytes", Recorder::Value(peak_rss_bytes()));
}

RunOutcome Trainer::run(Recorder* rec) {
  auto& st = *st_;
  const auto& s = st.s;
  auto& comm = st.comm;
  const bool root = comm.rank() == 0;
  const double setup_s = now_s() - st.run_t0;
  // Every rank starts from rank 0's parameters (after setup, which all ranks passed).
  broadcast_parameters(comm, st.model->parameters());
  Progress progress(s.progress, s.progress_interval_s, root);

  OptimizerSettings os;
  os.name = s.optimizer;
  os.lr = s.lr;
  os.weight_decay = s.weight_decay;
  auto params = st.model->parameters();
  auto optimizer = make_optimizer(params, os);
  const std::int64_t total_steps = st.steps_per_epoch * s.epochs;
  LrSchedule schedule(s.lr_schedule, s.lr, total_steps, s.warmup_epochs / double(s.epochs));
  GradientSynchronizer grads(comm, params, s.comm_bucket_mb * 1e6, s.comm_path);
  if (rec) {
    rec->set("comm_path", grads.path());
    rec->set("total_steps_planned", Recorder::Value(s.max_steps > 0 ? std::min(s.max_steps, total_steps) : total_steps));
    rec->set("steps_per_epoch", Recorder::Value(st.steps_per_epoch));
    rec->set("setup_s", setup_s);
  }
  // Validation has its own loader, so a mid-epoch pass (--eval-every) leaves the training
  // loader's prefetched batches in place.
  BatchLoader loader(*st.dataset, st.config.image_size, s.loader_workers, s.prefetch_batches);
  BatchLoader val_loader(*st.dataset, st.config.image_size, s.loader_workers, s.prefetch_batches);

  double last_flush = now_s(), flush_time = 0;
  auto flush = [&](bool force) {
    if (!rec) return;
    if (!force && now_s() - last_flush < s.flush_interval_s) return;
    const double t0 = now_s();
    rec->set("wall_time_s", now_s() - st.run_t0);
    rec->set("peak_rss_bytes", Recorder::Value(peak_rss_bytes()));
    rec->flush();
    last_flush = now_s();
    flush_time += last_flush - t0;
  };
  auto record_eval = [&](const EvalResult& e, std::int64_t step, int epoch) {
    if (!rec) return;
    EvalRecord row;
    row.step = step;
    row.epoch = epoch;
    row.val_samples = e.samples;
    row.val_loss = e.loss;
    row.val_top1 = e.top1;
    row.val_top5 = e.top5;
    row.val_time_s = e.time_s;
    row.end_wall_s = now_s() - st.run_t0;
    rec->add_evaluation(row);
  };

  RunOutcome out{"completed", "", exit_code::ok};
  std::int64_t step = 0;
  double steady_time = 0;
  std::int64_t steady_samples = 0;
  double epoch_time_sum = 0;
  int epochs_done = 0;
  try {
    for (int epoch = 0; epoch < s.epochs; ++epoch) {
      const double epoch_t0 = now_s();
      const double flush_before = flush_time;
      double eval_extra = 0;
      auto positions = shard_positions(std::int64_t(st.split.train.size()), s.seed, epoch, comm.rank(), comm.world_size());
      loader.start(make_batches(positions, st.split.train, s.batch_size));
      progress.epoch_start(epoch, s.epochs, st.steps_per_epoch);
      double loss_sum = 0, correct = 0, seen = 0;
      std::int64_t step_in_epoch = 0;
      bool stop = false;
      while (true) {
        if (const int sig = stop_signal()) {
          out = {"interrupted", std::string("stopped by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM"),
                 sig == SIGINT ? exit_code::interrupted_int : exit_code::interrupted_term};
          stop = true;
          break;
        }
        if (s.max_steps > 0 && step >= s.max_steps) {
          stop = true;
          break;
        }
        maybe_inject_failure(comm.rank(), step);
        StepRecord row;
        const double t0 = now_s();
        auto batch = loader.next();
        if (!batch) break;
        auto images = batch->images.to(st.device), labels = batch->labels.to(st.device);
        sync(st.device);
        const double t1 = now_s();
        const auto sched = schedule.at(step);
        set_learning_rate(*optimizer, sched.lr);
        if (sched.momentum >= 0) set_momentum(*optimizer, sched.momentum);
        st.model->train();
        optimizer->zero_grad();
        auto logits = st.model->forward(images);
        auto loss = torch::nn::functional::cross_entropy(
            logits, labels, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(s.label_smoothing));
        sync(st.device);
        const double t2 = now_s();
        grads.begin_step();
        loss.backward();
        sync(st.device);
        const double t3 = now_s();
        const double exposed = grads.finish();
        if (s.grad_clip > 0) torch::nn::utils::clip_grad_norm_(params, s.grad_clip);
        optimizer->step();
        sync(st.device);
        const double t4 = now_s();

        const double n = double(labels.size(0));
        double sums[3] = {loss.item<double>() * n, logits.argmax(1).eq(labels).sum().item<double>(), n};
        comm.allreduce_sum(sums, 3);
        const double global_loss = sums[0] / sums[2];
        const double t5 = now_s();
        row.step = step;
        row.epoch = epoch;
        row.step_in_epoch = std::int32_t(step_in_epoch);
        row.samples = std::int32_t(sums[2]);
        row.warmup = step < s.warmup_steps ? 1 : 0;
        row.data_wait_s = t1 - t0;
        row.forward_s = t2 - t1;
        row.backward_s = t3 - t2;
        row.comm_exposed_s = exposed;
        row.optimizer_s = t4 - t3 - exposed;
        row.total_s = t5 - t0;
        row.loss = float(global_loss);
        row.lr = sched.lr;
        const auto rank_times = comm.gather(row.total_s);
        if (rec) rec->add_step(row, rank_times);
        if (!std::isfinite(global_loss))
          throw DivergedError("loss is " + std::to_string(global_loss) + " at step " + std::to_string(step) +
                              " (epoch " + std::to_string(epoch + 1) + ")");
        loss_sum += sums[0];
        correct += sums[1];
        seen += sums[2];
        if (!row.warmup) steady_time += row.total_s, steady_samples += std::int64_t(sums[2]);
        ++step;
        ++step_in_epoch;
        progress.step(step_in_epoch, sums[2] / row.total_s, global_loss);
        if (s.eval_every > 0 && step % s.eval_every == 0) {
          const auto e = validate(st, val_loader);
          eval_extra += e.time_s;
          record_eval(e, step, epoch);
          progress.message("step " + std::to_string(step) + ": val top-1 " + std::to_string(e.top1 * 100) + "%");
        }
        flush(false);
      }
      const double train_time = now_s() - epoch_t0 - (flush_time - flush_before) - eval_extra;
      if (stop && step_in_epoch == 0) break;
      EvalResult e;
      if (!stop || out.status == "completed") {  // --max-steps still validates the partial epoch
        e = validate(st, val_loader);
        record_eval(e, step, epoch);
      }
      EpochRecord row;
      row.epoch = epoch;
      row.train_time_s = train_time;
      row.val_time_s = e.time_s;
      row.epoch_time_s = now_s() - epoch_t0 - (flush_time - flush_before);
      row.train_samples = std::int64_t(seen);
      row.val_samples = e.samples;
      row.train_loss = seen > 0 ? loss_sum / seen : NAN;
      row.train_acc = seen > 0 ? correct / seen : NAN;
      row.val_loss = e.loss;
      row.val_top1 = e.top1;
      row.val_top5 = e.top5;
      row.images_per_s = train_time > 0 ? seen / train_time : 0;
      row.end_wall_s = now_s() - st.run_t0;
      if (rec) rec->add_epoch(row);
      epoch_time_sum += row.epoch_time_s;
      ++epochs_done;
      char line[256];
      std::snprintf(line, sizeof line, "epoch %d/%d: %.1f img/s, train loss %.4f acc %.1f%%, val loss %.4f top-1 %.1f%% top-5 %.1f%% (%s)",
                    epoch + 1, s.epochs, row.images_per_s, row.train_loss, row.train_acc * 100, row.val_loss,
                    row.val_top1 * 100, row.val_top5 * 100, format_duration(row.epoch_time_s).c_str());
      progress.message(line);
      flush(true);
      if (stop) break;
    }
  } catch (const DivergedError& e) {
    out = {"diverged", e.what(), exit_code::diverged};
  }
  if (rec) {
    rec->set("status", out.status);
    rec->set("error", out.error);
    rec->set("end_utc", utc_now_iso());
    rec->set("steady_images_per_s", steady_time > 0 ? double(steady_samples) / steady_time : 0.0);
    flush(true);
  }
  if (root) {
    const double ips = steady_time > 0 ? double(steady_samples) / steady_time : 0.0;
    std::ostringstream os;
    os << "harness: " << out.status << " after " << step << " steps in " << format_duration(now_s() - st.run_t0)
       << "; steady-state " << ips << " images/s";
    if (epochs_done > 0) os << "; " << format_duration(epoch_time_sum / epochs_done) << " per epoch (measured)";
    if (!s.subset.empty() && ips > 0) {
      // A first estimate only; analyze does the real extrapolation with its interval.
      os << "; full-split epoch (" << st.split.full_train << " train samples) ~ "
         << format_duration(double(st.split.full_train) / ips) << " of training (first estimate, extrapolated)";
    }
    std::fprintf(stderr, "%s\n", os.str().c_str());  // the summary is printed whatever --progress says
  }
  return out;
}

}  // namespace lb
