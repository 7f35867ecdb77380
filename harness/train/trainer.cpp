#include "harness/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "common/format.h"
#include "harness/data/dataset.h"
#include "harness/data/loader.h"
#include "harness/data/split.h"
#include "harness/dist/allreduce_sweep.h"
#include "harness/dist/collectives.h"
#include "harness/dist/grad_sync.h"
#include "harness/model/vit.h"
#include "harness/model/weights.h"
#include "kernels/preprocess.h"
#include "harness/record/flush_policy.h"
#include "harness/record/provenance.h"
#include "harness/record/recorder.h"
#include "harness/train/adaptive_stop.h"
#include "harness/train/energy_recording.h"
#include "harness/train/gemm_probe.h"
#include "harness/train/optimizer.h"
#include "harness/train/precision.h"
#include "harness/train/run_description.h"
#include "harness/train/schedule.h"
#include "harness/train/step_timer.h"
#include "harness/train/training_metrics.h"
#include "harness/util/clock.h"
#include "harness/util/device.h"
#include "common/errors.h"
#include "harness/util/exit_codes.h"
#include "harness/util/progress.h"
#include "harness/util/signals.h"

namespace lb {

struct Trainer::State {
  Settings s;
  Communicator& comm;
  RepeatInfo repeat;
  torch::Device device{torch::kCPU};
  Precision precision = Precision::fp32;
  std::unique_ptr<Dataset> dataset;
  Split split;
  VitConfig config;
  VisionTransformer model{nullptr};
  PreprocessSpec spec;
  bool preprocess_on_device = false;
  std::unique_ptr<Collectives> collectives;
  std::unique_ptr<Optimizer> optimizer;
  GemmRate gemm;
  std::int64_t steps_per_epoch = 0;
  std::int64_t shard_samples = 0;
  double run_t0 = 0;
  State(const Settings& settings, Communicator& c, RepeatInfo r) : s(settings), comm(c), repeat(std::move(r)) {}
};

namespace {

// Failure injection for the tests of multi-rank failure handling: LB_TEST_FAIL_RANK=r and
// LB_TEST_FAIL_STEP=s make rank r throw before step s; LB_TEST_STOP_RANK/LB_TEST_STOP_STEP make
// rank r alone request a stop (SIGTERM) before step s. Unset in normal runs.
void maybe_inject(int rank, std::int64_t step) {
  static const char* fail_rank = std::getenv("LB_TEST_FAIL_RANK");
  static const char* fail_step = std::getenv("LB_TEST_FAIL_STEP");
  if (fail_rank && fail_step && std::atoi(fail_rank) == rank && std::atoll(fail_step) == step)
    throw std::runtime_error("injected failure before step " + std::to_string(step) + " (LB_TEST_FAIL_RANK/STEP)");
  static const char* stop_rank = std::getenv("LB_TEST_STOP_RANK");
  static const char* stop_step = std::getenv("LB_TEST_STOP_STEP");
  if (stop_rank && stop_step && std::atoi(stop_rank) == rank && std::atoll(stop_step) == step) request_stop(SIGTERM);
}

// The batch on the device, preprocessed: a non-blocking copy from pinned memory and the
// preprocessing kernel for GPU runs (64x64 images cross the bus, not 224x224), as it came otherwise.
struct DeviceBatch {
  torch::Tensor images, labels;
};

DeviceBatch to_device(Trainer::State& st, const Batch& b) {
  if (!st.device.is_cuda()) return {b.images, b.labels};
  DeviceBatch d;
  d.labels = b.labels.to(st.device, /*non_blocking=*/true);
  auto images = b.images.to(st.device, /*non_blocking=*/true);
  if (b.preprocessed) {
    d.images = images;
    return d;
  }
#if defined(LB_WITH_GPU_KERNELS)
  d.images = torch::empty({images.size(0), 3, st.spec.crop, st.spec.crop}, images.options());
  preprocess_gpu(images.data_ptr<float>(), d.images.data_ptr<float>(), int(images.size(0)), st.spec,
                 current_stream(st.device));
  return d;
#else
  throw std::logic_error("raw batches need the GPU kernels (LB_WITH_GPU_KERNELS)");
#endif
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
  auto sums = torch::zeros({4}, torch::TensorOptions().dtype(torch::kDouble).device(st.device));  // loss*n, top1, top5, n
  {
    torch::NoGradGuard no_grad;
    while (auto batch = loader.next()) {
      auto b = to_device(st, *batch);
      torch::Tensor logits, loss;
      {
        AutocastScope autocast(st.precision, st.device);
        logits = st.model->forward(b.images);
        loss = torch::nn::functional::cross_entropy(logits, b.labels);
      }
      const auto n = double(b.labels.size(0));
      const int k = int(std::min<std::int64_t>(5, logits.size(1)));
      auto hits = std::get<1>(logits.topk(k, 1)).eq(b.labels.unsqueeze(1));
      sums += torch::stack({loss.to(torch::kDouble) * n, hits.narrow(1, 0, 1).sum().to(torch::kDouble),
                            hits.sum().to(torch::kDouble), torch::full({}, n, sums.options())});
    }
  }
  auto host = sums.to(torch::kCPU);
  double v[4];
  for (int i = 0; i < 4; ++i) v[i] = host[i].item<double>();
  st.comm.allreduce_sum(v, 4);
  EvalResult r;
  r.samples = std::int64_t(v[3]);
  if (v[3] > 0) r.loss = v[0] / v[3], r.top1 = v[1] / v[3], r.top5 = v[2] / v[3];
  r.time_s = now_s() - t0;
  return r;
}

// The per-step exchange: loss and accuracy sums, and every rank's stop requests, in one allreduce,
// so all ranks take the same decision after the same step.
enum Slot { kLossSum, kCorrect, kSamples, kSigInt, kSigTerm, kSigUsr1, kRecordFailed, kAdaptiveStop, kSlots };

int agreed_signal(const double* v) {
  if (v[kSigInt] > 0) return SIGINT;
  if (v[kSigTerm] > 0) return SIGTERM;
  if (v[kSigUsr1] > 0) return SIGUSR1;
  return 0;
}

}  // namespace

Trainer::Trainer(const Settings& settings, Communicator& comm, RepeatInfo repeat)
    : st_(std::make_unique<State>(settings, comm, std::move(repeat))) {
  auto& st = *st_;
  st.run_t0 = now_s();  // wall-clock figures include setup (data, model), as imported runtimes do
  const auto& s = st.s;
  torch::set_num_threads(s.threads);
  st.precision = parse_precision(s.precision);
  if (s.device != "cpu") {
    if (!torch::cuda::is_available())
      throw UsageError("--device " + s.device + ": no GPU is visible to this LibTorch build (CPU-only build, or "
                       "ROCR_VISIBLE_DEVICES/CUDA_VISIBLE_DEVICES hide every device)");
    const int visible = int(torch::cuda::device_count());
    st.device = torch::Device(torch::kCUDA, visible > 1 ? comm.local_rank() % visible : 0);
    use_device(st.device);
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
  try {
    st.spec = guide_preprocess_spec(st.dataset->shape().height, st.dataset->shape().width, st.config.image_size,
                                    s.resize_antialias);
  } catch (const std::invalid_argument& e) {
    throw UsageError("--data " + s.data + ": " + e.what());
  }
#if defined(LB_WITH_GPU_KERNELS)
  st.preprocess_on_device = st.device.is_cuda();
#endif
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
  OptimizerSettings os;
  os.name = s.optimizer;
  os.impl = s.optimizer_impl;
  os.lr = s.lr;
  os.weight_decay = s.weight_decay;
  try {
    st.optimizer = make_optimizer(st.model->parameters(), os);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }

  // The collectives are formed by every rank here, before anyone trains.
  if (comm.world_size() > 1) {
    const std::string backend = s.comm == "auto" ? (st.device.is_cuda() ? "nccl" : "gloo") : s.comm;
    if (backend == "nccl" && !st.device.is_cuda()) throw UsageError("--comm nccl: needs --device cuda or rocm");
    if (backend == "gloo" && st.device.is_cuda())
      throw UsageError("--comm gloo: gradients of GPU runs go through nccl (RCCL on ROCm)");
    st.collectives = make_collectives(comm, backend, st.device,
                                      std::chrono::milliseconds(std::int64_t(s.comm_timeout_s * 1000)));
  }
  // The yardstick of utilisation: this device's matrix-product rate at the model's MLP shape.
  const std::int64_t rows = std::int64_t(s.batch_size) * st.config.seq_length();
  st.gemm = measure_gemm_rate(st.device, st.precision, rows, st.config.hidden_dim, st.config.mlp_dim, s.gemm_probe_s);
}

Trainer::~Trainer() = default;

double Trainer::elapsed_s() const { return now_s() - st_->run_t0; }

schema::RunAttributes Trainer::describe() const {
  const auto& st = *st_;
  RunFacts f{st.s, st.config, *st.dataset, st.split, st.comm, false, 0, "", "", "", 0, ""};
  f.on_gpu = st.device.is_cuda();
  f.device_index = st.device.is_cuda() ? st.device.index() : 0;
  f.optimizer_impl = st.optimizer->impl();
  f.comm_backend = st.collectives ? st.collectives->backend() : "none";
  f.comm_library = st.collectives ? st.collectives->library() : "";
  f.repeat_index = st.repeat.index;
  f.repeat_group = st.repeat.group;
  auto a = describe_run(f);
  a.gemm_flops_per_s = st.gemm.flops_per_s;
  a.gemm_shape = st.gemm.shape;
  return a;
}

RunOutcome Trainer::run(Recorder* rec) {
  auto& st = *st_;
  const auto& s = st.s;
  auto& comm = st.comm;
  const bool root = comm.rank() == 0;
  const double setup_s = now_s() - st.run_t0;
  auto params = st.model->parameters();
  // Every rank starts from rank 0's parameters.
  broadcast_parameters(st.collectives.get(), params);
  Progress progress(s.progress, s.progress_interval_s, root);

  auto& optimizer = st.optimizer;
  const std::int64_t total_steps = st.steps_per_epoch * s.epochs;
  LrSchedule schedule(s.lr_schedule, s.lr, total_steps, s.warmup_epochs / double(s.epochs));
  GradientSynchronizer grads(comm, st.collectives.get(), params, s.comm_bucket_mb * 1e6);
  LossScaler scaler(st.precision == Precision::fp16);
  StepTimer timer(st.device);
  EnergyRecording energy(s, comm, st.device);

  const bool sweep = st.collectives && (s.comm_sweep == "on" || s.comm_sweep == "auto");
  std::vector<schema::AllreduceSweepRecord> sweep_rows;
  if (sweep) sweep_rows = measure_allreduce_sweep(*st.collectives, comm.world_size(), st.device, 64LL << 20, 5);
  if (rec) {
    schema::RunAttributes a;
    a.total_steps_planned = s.max_steps > 0 ? std::min(s.max_steps, total_steps) : total_steps;
    a.steps_per_epoch = st.steps_per_epoch;
    a.setup_s = setup_s;
    rec->set(a);
    for (const auto& row : sweep_rows) rec->add_allreduce_sweep(row);
    rec->request_flush();
  }
  // Validation has its own loader, so a mid-epoch pass (--eval-every) leaves the training
  // loader's prefetched batches in place.
  LoaderOptions lo;
  lo.workers = s.loader_workers;
  lo.prefetch = s.prefetch_batches;
  lo.preprocess = !st.preprocess_on_device;
  lo.pinned = st.device.is_cuda();
  BatchLoader loader(*st.dataset, st.spec, lo);
  BatchLoader val_loader(*st.dataset, st.spec, lo);

  FlushPolicy flush_policy(s.flush_interval_s, now_s());
  double flush_time = 0;
  auto flush = [&](bool now) {
    if (!rec) return;
    const double t0 = now_s();
    if (!now && !flush_policy.due(t0)) return;
    schema::RunAttributes a;
    a.wall_time_s = now_s() - st.run_t0;
    a.peak_rss_bytes = peak_rss_bytes();
    rec->set(a);
    rec->request_flush();
    flush_policy.flushed(now_s());
    flush_time += now_s() - t0;
  };
  auto record_eval = [&](const EvalResult& e, std::int64_t step, int epoch) {
    if (!rec) return;
    schema::EvaluationRecord row;
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
  std::string stop_reason = "epochs";
  std::int64_t step = 0;
  TrainingMetrics metrics;
  std::string adaptive_reason;
  try {
    for (int epoch = 0; epoch < s.epochs; ++epoch) {
      const double epoch_t0 = now_s();
      const double flush_before = flush_time;
      double eval_extra = 0;
      auto positions = shard_positions(std::int64_t(st.split.train.size()), s.seed, epoch, comm.rank(), comm.world_size());
      loader.start(make_batches(positions, st.split.train, s.batch_size));
      progress.epoch_start(epoch, s.epochs, st.steps_per_epoch);
      energy.epoch_start();
      metrics.start_epoch();
      std::int64_t step_in_epoch = 0;
      bool stop = false;
      while (true) {
        if (s.max_steps > 0 && step >= s.max_steps) {
          stop = true;
          stop_reason = adaptive_reason.empty() ? "max_steps" : "adaptive";
          if (s.adaptive_ci > 0 && adaptive_reason.empty()) adaptive_reason = "step_budget";
          break;
        }
        current_step_.store(step);
        maybe_inject(comm.rank(), step);
        timer.start();
        auto batch = loader.next();
        if (!batch) break;
        auto b = to_device(st, *batch);
        timer.mark(Phase::data);

        const auto sched = schedule.at(step);
        optimizer->set_lr(sched.lr);
        if (sched.momentum >= 0) optimizer->set_first_moment(sched.momentum);
        st.model->train();
        if (grads.owns_gradients()) {
          grads.begin_step();
        } else {
          for (auto& p : params) p.mutable_grad() = torch::Tensor();  // autograd then takes the new gradient as it is
        }
        torch::Tensor logits, loss;
        {
          AutocastScope autocast(st.precision, st.device);
          logits = st.model->forward(b.images);
          loss = torch::nn::functional::cross_entropy(
              logits, b.labels, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(s.label_smoothing));
        }
        timer.mark(Phase::forward);
        scaler.scale_loss(loss).backward();
        timer.mark(Phase::backward);
        grads.finish();
        timer.mark(Phase::comm);
        const double loss_scale = scaler.scale();
        const bool finite = scaler.unscale(params);
        if (s.grad_clip > 0) torch::nn::utils::clip_grad_norm_(params, s.grad_clip);
        if (finite) optimizer->step();
        scaler.update(finite);
        // Read on the host only after the step's last event: no extra wait.
        const double n = double(b.labels.size(0));
        auto step_stats = torch::stack({loss.detach().to(torch::kDouble) * n,
                                        logits.detach().argmax(1).eq(b.labels).sum().to(torch::kDouble)});
        timer.mark(Phase::optimizer);
        PhaseTimes times = timer.finish();

        const double t_exchange = now_s();
        auto host_stats = step_stats.to(torch::kCPU);
        double v[kSlots] = {};
        v[kLossSum] = host_stats[0].item<double>();
        v[kCorrect] = host_stats[1].item<double>();
        v[kSamples] = n;
        const int sig = stop_signal();
        v[kSigInt] = sig == SIGINT;
        v[kSigTerm] = sig == SIGTERM;
        v[kSigUsr1] = sig == SIGUSR1;
        v[kRecordFailed] = rec && rec->error() ? 1 : 0;
        v[kAdaptiveStop] = root && !adaptive_reason.empty() ? 1 : 0;
        comm.allreduce_sum(v, kSlots);
        StepTimer::add(times, Phase::comm, now_s() - t_exchange);
        const auto rank_times = comm.gather(times.total_s);  // what each rank recorded as its step

        const double global_loss = v[kLossSum] / v[kSamples];
        schema::StepRecord row;
        row.step = step;
        row.epoch = epoch;
        row.step_in_epoch = std::int32_t(step_in_epoch);
        row.samples = std::int32_t(v[kSamples]);
        row.warmup = step < s.warmup_steps ? 1 : 0;
        row.data_wait_s = times.data_wait_s;
        row.forward_s = times.forward_s;
        row.backward_s = times.backward_s;
        row.comm_exposed_s = times.comm_exposed_s;
        row.optimizer_s = times.optimizer_s;
        row.total_s = times.total_s;
        row.loss = float(global_loss);
        row.lr = sched.lr;
        row.loss_scale = float(loss_scale);
        if (rec) rec->add_step(row, rank_times);
        if (v[kRecordFailed] > 0)
          throw RecordError(rec && rec->error() ? *rec->error() : "rank 0 could not write the results");
        if (!std::isfinite(global_loss))
          throw DivergedError("loss is " + std::to_string(global_loss) + " at step " + std::to_string(step) +
                              " (epoch " + std::to_string(epoch + 1) + ")");
        metrics.add_step(v[kLossSum], v[kCorrect], v[kSamples], row.total_s, row.warmup != 0);
        ++step;
        ++step_in_epoch;
        progress.step(step_in_epoch, v[kSamples] / row.total_s, global_loss);
        if (const int agreed = agreed_signal(v)) {
          out = {"interrupted", std::string("stopped by ") + stop_signal_name(agreed), stop_exit_code(agreed)};
          stop_reason = stop_signal_name(agreed);
          stop = true;
          break;
        }
        if (v[kAdaptiveStop] > 0) {
          stop = true;
          stop_reason = "adaptive";
          break;
        }
        if (root && s.adaptive_ci > 0 && adaptive_reason.empty() &&
            adaptive_target_reached(metrics.steady_step_times(), s.adaptive_ci))
          adaptive_reason = "ci_reached";  // shared with every rank in the next step's exchange
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
      if (out.status == "completed") {  // a run cut short by --max-steps still validates its partial epoch
        e = validate(st, val_loader);
        record_eval(e, step, epoch);
      }
      schema::EpochRecord row;
      row.epoch = epoch;
      row.train_time_s = train_time;
      row.val_time_s = e.time_s;
      row.epoch_time_s = now_s() - epoch_t0 - (flush_time - flush_before);
      const double seen = metrics.epoch_samples();
      row.train_samples = std::int64_t(seen);
      row.val_samples = e.samples;
      row.train_loss = metrics.epoch_loss();
      row.train_acc = metrics.epoch_accuracy();
      row.val_loss = e.loss;
      row.val_top1 = e.top1;
      row.val_top5 = e.top5;
      row.images_per_s = train_time > 0 ? seen / train_time : 0;
      row.end_wall_s = now_s() - st.run_t0;
      row.energy_j = energy.epoch_end(epoch, rec);
      if (rec) rec->add_epoch(row);
      metrics.end_epoch(row.epoch_time_s);
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
    stop_reason = "error";
  }

  energy.run_end(rec);
  // Run-level figures, the largest over the ranks where each rank has its own.
  double peaks[2] = {double(peak_rss_bytes()), double(peak_device_memory(st.device))};
  comm.allreduce_max(peaks, 2);
  const double ips = metrics.steady_images_per_s();
  if (rec) {
    schema::RunAttributes a;
    a.status = out.status;
    a.error = out.error;
    a.stop_reason = stop_reason;
    a.end_utc = utc_now();
    a.steady_images_per_s = ips;
    const double model_flops = ips * vit_train_flops(st.config) / comm.world_size();
    a.model_flops_per_s = model_flops;
    a.model_flops_utilisation = st.gemm.flops_per_s > 0 ? model_flops / st.gemm.flops_per_s : NAN;
    a.peak_rss_bytes_max_rank = std::int64_t(peaks[0]);
    a.peak_device_memory_bytes = std::int64_t(peaks[1]);
    a.adaptive_stop_reason = adaptive_reason;
    const auto ci = median_interval_95(metrics.steady_step_times());
    a.adaptive_rel_ci = ci ? ci->relative_half_width : NAN;
    rec->set(a);
    flush(true);
  }
  if (root) {
    std::ostringstream os;
    os << "harness: " << out.status << " after " << step << " steps in " << format_duration(now_s() - st.run_t0)
       << "; steady-state " << ips << " images/s";
    if (metrics.epochs_done() > 0) os << "; " << format_duration(metrics.mean_epoch_s()) << " per epoch (measured)";
    if (st.gemm.flops_per_s > 0 && ips > 0)
      os << "; model FLOP utilisation " << 100.0 * ips * vit_train_flops(st.config) / comm.world_size() / st.gemm.flops_per_s
         << "% of the measured matrix-product rate";
    std::fprintf(stderr, "%s\n", os.str().c_str());  // the summary is printed whatever --progress says
  }
  return out;
}

}  // namespace lb
