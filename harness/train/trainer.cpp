#include "harness/train/trainer.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "common/errors.h"
#include "common/format.h"
#include "harness/data/dataset.h"
#include "harness/data/loader.h"
#include "harness/data/split.h"
#include "harness/dist/allreduce_sweep.h"
#include "harness/dist/collectives.h"
#include "harness/dist/grad_sync.h"
#include "harness/dist/transport.h"
#include "harness/model/kernel_support.h"
#include "harness/model/vit.h"
#include "harness/model/weights.h"
#include "harness/record/provenance.h"
#include "harness/record/recorder.h"
#include "harness/train/adaptive_stop.h"
#include "harness/train/energy_recording.h"
#include "harness/train/evaluation.h"
#include "harness/train/gemm_probe.h"
#include "harness/train/optimizer.h"
#include "harness/train/precision.h"
#include "harness/train/rank_exchange.h"
#include "harness/train/run_description.h"
#include "harness/train/run_recording.h"
#include "harness/train/schedule.h"
#include "harness/train/step_graph.h"
#include "harness/train/step_profile.h"
#include "harness/train/step_timer.h"
#include "harness/train/train_step.h"
#include "harness/train/training_metrics.h"
#include "harness/util/clock.h"
#include "harness/util/device.h"
#include "harness/util/exit_codes.h"
#include "harness/util/progress.h"
#include "harness/util/signals.h"
#include "kernels/preprocess.h"

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
  Transport transport;
  std::string attention;
  GemmRate gemm;
  std::int64_t steps_per_epoch = 0;
  std::int64_t shard_samples = 0;
  int sync_every = 1;
  double run_t0 = 0;
  State(const Settings& settings, Communicator& c, RepeatInfo r) : s(settings), comm(c), repeat(std::move(r)) {}
};

namespace {

// Failure injection for the tests of multi-rank failure handling: LB_TEST_FAIL_RANK=r and
// LB_TEST_FAIL_STEP=s make rank r throw before step s; LB_TEST_STOP_RANK/LB_TEST_STOP_STEP make
// rank r alone request a stop (SIGTERM) before step s; LB_TEST_KILL_RANK/LB_TEST_KILL_STEP make
// rank r die of SIGKILL, with no word to anyone, at the end of the window holding step s, just
// before the ranks' exchange (the wait that only a watch on its process can end). Unset in normal runs.
void maybe_inject(int rank, std::int64_t step) {
  static const char* fail_rank = std::getenv("LB_TEST_FAIL_RANK");
  static const char* fail_step = std::getenv("LB_TEST_FAIL_STEP");
  if (fail_rank && fail_step && std::atoi(fail_rank) == rank && std::atoll(fail_step) == step)
    throw std::runtime_error("injected failure before step " + std::to_string(step) + " (LB_TEST_FAIL_RANK/STEP)");
  static const char* stop_rank = std::getenv("LB_TEST_STOP_RANK");
  static const char* stop_step = std::getenv("LB_TEST_STOP_STEP");
  if (stop_rank && stop_step && std::atoi(stop_rank) == rank && std::atoll(stop_step) == step) request_stop(SIGTERM);
}

void maybe_die_before_exchange(int rank, std::int64_t first_step, std::int64_t last_step) {
  static const char* kill_rank = std::getenv("LB_TEST_KILL_RANK");
  static const char* kill_step = std::getenv("LB_TEST_KILL_STEP");
  if (!kill_rank || !kill_step || std::atoi(kill_rank) != rank) return;
  const auto step = std::atoll(kill_step);
  if (step >= first_step && step <= last_step) std::raise(SIGKILL);
}

CommBackend choose_backend(const std::string& option, bool gpu) {
  if (option == "nccl") {
    if (!gpu) throw UsageError("--comm nccl: needs --device cuda or rocm");
    return CommBackend::nccl;
  }
  if (option == "gloo") return CommBackend::gloo;
  if (option == "store") return CommBackend::store;
  if (gpu) return CommBackend::nccl;
  return collectives_available(CommBackend::gloo) ? CommBackend::gloo : CommBackend::store;
}

// Where a step of the current window stands until the window's exchange.
struct PendingStep {
  std::int64_t step = 0;
  std::int32_t step_in_epoch = 0;
  double lr = 0;
  double samples = 0;
  bool profiled = false;  // run under --profile-steps' profiler: recorded with the warm-up's steps
};

}  // namespace

Trainer::Trainer(const Settings& settings, Communicator& comm, RepeatInfo repeat)
    : st_(std::make_unique<State>(settings, comm, std::move(repeat))) {
  auto& st = *st_;
  st.run_t0 = now_s();  // wall-clock figures include setup (data, model), as imported runtimes do
  const auto& s = st.s;
  torch::set_num_threads(s.threads);
  st.precision = parse_precision(s.precision);
  if (s.device != "cpu") {
    // ROCm builds of LibTorch present HIP devices as its "cuda" device type.
    if (!torch::cuda::is_available())
      throw UsageError("--device " + s.device + ": no GPU is visible to this LibTorch build (CPU-only build, or "
                       "ROCR_VISIBLE_DEVICES/CUDA_VISIBLE_DEVICES hide every device)");
    const int visible = int(torch::cuda::device_count());
    // Every die of a node stays visible and each rank takes the one of its node-local rank (the
    // LUMI AI guide's choice: RCCL then sees the direct links between dies).
    st.device = torch::Device(torch::kCUDA, visible > 1 ? comm.local_rank() % visible : 0);
    use_device(st.device);
  }
  st.sync_every = s.sync_every > 0 ? s.sync_every : (st.device.is_cpu() ? 1 : 10);
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
  // GPUs take attention's copy-free layout; CPUs keep PyTorch's, bit for bit.
  st.config.packed_attention = !st.device.is_cpu();
  // And the fused kernels, in the dtypes they take (fp32, bf16).
  auto fused = [&](FusedSwitch setting, bool available, const std::string& option) {
    if (setting == FusedSwitch::on && !available)
      throw UsageError("--" + option + " on: this harness was built without the GPU kernels (LB_WITH_GPU_KERNELS)");
    return setting == FusedSwitch::on || (setting == FusedSwitch::automatic && !st.device.is_cpu() &&
                                          st.precision != Precision::fp16 && available);
  };
  st.config.fused_add_norm = fused(s.fused_add_norm, fused_kernels_available(st.device), "fused-add-norm");
  st.config.fused_bias_gelu = fused(s.fused_bias_gelu, fused_kernels_available(st.device), "fused-bias-gelu");
  if (s.graph_capture) {
    if (comm.world_size() > 1)
      throw UsageError("--graph-capture on: one rank only (the gradients' allreduce runs from backward's hooks "
                       "on the host and is not captured); this job has " + std::to_string(comm.world_size()));
    if (!step_graphs_available(st.device))
      throw UsageError("--graph-capture on: this harness was built without graph capture for " + s.device +
                       " (LibTorch's graph header did not compile: see LB_TORCH_DEVICE_GRAPHS in the configure log)");
    // Every step of the run then goes to a stream other than the default one, where our kernels
    // (the preprocessing on every upload, the fused ones) need the stream's native handle.
    if (!st.device.is_cpu() && fused_kernels_available(st.device) && !kernels_follow_side_streams())
      throw UsageError("--graph-capture on: this LibTorch (before 2.7) cannot give the capture's stream to the "
                       "harness's GPU kernels (the preprocessing, the fused kernels)");
  }
  try {
    st.spec = guide_preprocess_spec(st.dataset->shape().height, st.dataset->shape().width, st.config.image_size,
                                    s.resize_antialias);
  } catch (const std::invalid_argument& e) {
    throw UsageError("--data " + s.data + ": " + e.what());
  }
#if defined(LB_WITH_GPU_KERNELS)
  st.preprocess_on_device = !st.device.is_cpu();
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
  st.attention = attention_backend(st.config, s.batch_size, st.device, autocast_dtype(st.precision));
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

  // The collectives are formed by every rank here, and every rank starts from rank 0's
  // parameters: the first collective, so the library's report of its transport is complete after it.
  if (comm.world_size() > 1) {
    const auto backend = choose_backend(s.comm, !st.device.is_cpu());
    std::unique_ptr<TransportReport> report;
    if (backend == CommBackend::nccl) report = std::make_unique<TransportReport>();
    st.collectives = make_collectives(comm, backend, std::chrono::milliseconds(std::int64_t(s.comm_timeout_s * 1000)));
    broadcast_parameters(st.collectives.get(), st.model->parameters());
    if (report) {
      std::string why;
      const auto mine = report->read(&why);
      std::vector<Transport> all;
      for (const auto& t : comm.gather_text(encode(mine))) all.push_back(decode(t));
      st.transport = merge_transports(all);
      if (comm.rank() == 0 && !why.empty()) std::fprintf(stderr, "harness: transport not recorded: %s\n", why.c_str());
    } else {
      st.transport = {backend == CommBackend::gloo ? "Gloo (TCP)" : "c10d store (TCP)", ""};
    }
    // Every rank decides alike: rank 0 has the merged report.
    double slow = comm.rank() == 0 && comm.nodes() > 1 && slow_inter_node(st.transport) ? 1 : 0;
    comm.allreduce_max(&slow, 1);
    if (s.require_fast_network && slow > 0)
      throw UsageError("--require-fast-network: between nodes the gradients would go over " +
                       (st.transport.inter_node.empty() ? std::string("an unreported path (likely TCP sockets)")
                                                        : st.transport.inter_node) +
                       " (" + lb::describe(st.transport) + "); load the aws-ofi-rccl plugin (docs/lumi.md)");
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
  f.on_gpu = !st.device.is_cpu();
  f.device_index = f.on_gpu ? st.device.index() : 0;
  f.optimizer_impl = st.optimizer->impl();
  f.comm_backend = st.collectives ? to_string(st.collectives->backend()) : "none";
  f.comm_library = st.collectives ? st.collectives->library() : "";
  f.repeat_index = st.repeat.index;
  f.repeat_group = st.repeat.group;
  auto a = describe_run(f);
  a.gemm_flops_per_s = st.gemm.flops_per_s;
  a.gemm_shape = st.gemm.shape;
  a.comm_inter_node = st.collectives ? (st.transport.inter_node.empty() ? "unknown" : st.transport.inter_node) : "none";
  a.comm_intra_node = st.transport.intra_node;
  a.sync_every = st.sync_every;
  a.attention_backend = st.attention;
  std::string fused;
  if (st.config.fused_add_norm) fused = "add_layer_norm";
  if (st.config.fused_bias_gelu) fused += std::string(fused.empty() ? "" : ",") + "bias_gelu";
  a.fused_kernels = fused;
  a.graph_capture = !st.s.graph_capture ? "off" : st.device.is_cpu() ? "cpu_twin" : "device";
  return a;
}

namespace {

// One run's step loop: the epochs, the windows of steps and what ends them, validation and the
// records. The step itself is TrainStep's, the ranks' exchange exchange_window's, the rows
// RunRecording's; this holds them together in the order a run takes them.
class StepLoop {
 public:
  StepLoop(Trainer::State& st, Recorder* rec, std::atomic<std::int64_t>& current_step);
  RunOutcome run();

 private:
  // One epoch; false when the run stops before its end.
  bool epoch(int epoch);
  // The end of a window: read the window's steps from the device (the one host wait), exchange
  // them with the other ranks, record them. Returns true when the ranks agreed to stop.
  bool close_window(int epoch);
  void finish();

  Trainer::State& st_;
  const Settings& s_;
  Communicator& comm_;
  const bool root_;
  std::atomic<std::int64_t>& current_step_;
  const double setup_s_;
  std::vector<torch::Tensor> params_;
  // Graph mode on a GPU: every step's work, from the first, on a stream the capture can use.
  std::unique_ptr<SideStream> side_stream_;
  std::int64_t total_steps_, planned_steps_;
  Progress progress_;
  LrSchedule schedule_;
  GradientSynchronizer grads_;
  LossScaler scaler_;
  StepTimer timer_;
  EnergyRecording energy_;
  TrainStep train_step_;
  RunRecording recording_;
  ProfiledSteps profile_;
  BatchLoader loader_, val_loader_;
  EvalSetup eval_setup_;
  TrainingMetrics metrics_;
  RunOutcome out_{"completed", "", exit_code::ok};
  std::string stop_reason_ = "epochs";
  std::string adaptive_reason_;
  std::int64_t step_ = 0;
  std::vector<PendingStep> pending_;
};

BucketPlan bucket_plan(const Settings& s) {
  BucketPlan plan;
  plan.bucket_bytes = s.comm_bucket_mb * 1e6;
  plan.first_bucket_bytes = std::min(plan.first_bucket_bytes, plan.bucket_bytes);
  return plan;
}

LoaderOptions loader_options(const Trainer::State& st) {
  LoaderOptions lo;
  lo.workers = st.s.loader_workers;
  lo.prefetch = st.s.prefetch_batches;
  lo.preprocess = !st.preprocess_on_device;
  lo.pinned = !st.device.is_cpu();
  return lo;
}

// The first step --profile-steps may profile: after the warm-up, and in graph mode after the capture
// (a capture under the profiler is nothing the run's other steps do).
std::int64_t first_profiled_step(const Settings& s) {
  return std::max<std::int64_t>(s.warmup_steps, s.graph_capture ? kEagerStepsBeforeCapture + 1 : 0);
}

std::int64_t planned(const Trainer::State& st) {
  const std::int64_t total = st.steps_per_epoch * st.s.epochs;
  return st.s.max_steps > 0 ? std::min(st.s.max_steps, total) : total;
}

StepLoop::StepLoop(Trainer::State& st, Recorder* rec, std::atomic<std::int64_t>& current_step)
    : st_(st),
      s_(st.s),
      comm_(st.comm),
      root_(st.comm.rank() == 0),
      current_step_(current_step),
      setup_s_(now_s() - st.run_t0),
      params_(st.model->parameters()),
      side_stream_(st.s.graph_capture && !st.device.is_cpu() ? std::make_unique<SideStream>(st.device) : nullptr),
      total_steps_(st.steps_per_epoch * st.s.epochs),
      planned_steps_(planned(st)),
      progress_(s_.progress, s_.progress_interval_s, root_, planned_steps_),
      schedule_(s_.lr_schedule, s_.lr, total_steps_, s_.warmup_epochs / double(s_.epochs)),
      grads_(comm_, st.collectives.get(), params_, bucket_plan(s_)),
      scaler_(st.precision == Precision::fp16, st.device),
      timer_(st.device),
      energy_(s_, comm_, st.device),
      train_step_(st.model, params_, *st.optimizer, grads_, scaler_, st.device,
                  {st.precision, s_.label_smoothing, s_.grad_clip, st.sync_every, s_.graph_capture}),
      recording_(rec, st.run_t0, s_.flush_interval_s),
      profile_(st.device, rec != nullptr, first_profiled_step(s_), s_.profile_steps, rec ? rec->path() : "",
               rec ? rec->run_id() : ""),
      loader_(*st.dataset, st.spec, loader_options(st)),
      val_loader_(*st.dataset, st.spec, loader_options(st)),
      eval_setup_{st.model, val_loader_, st.split.val, comm_, st.device, st.precision, st.spec, s_.batch_size} {}

RunOutcome StepLoop::run() {
  std::vector<schema::AllreduceSweepRecord> sweep;
  if (st_.collectives && s_.comm_sweep)
    sweep = measure_allreduce_sweep(*st_.collectives, comm_.world_size(), st_.device, 64LL << 20, 5);
  recording_.plan(planned_steps_, st_.steps_per_epoch, setup_s_, sweep);
  try {
    for (int e = 0; e < s_.epochs; ++e)
      if (!epoch(e)) break;
  } catch (const DivergedError& e) {
    out_ = {"diverged", e.what(), exit_code::diverged};
    stop_reason_ = "error";
  }
  finish();
  return out_;
}

bool StepLoop::epoch(int epoch) {
  const double epoch_t0 = now_s();
  const double flush_before = recording_.flush_time_s();
  double eval_extra = 0;
  const double profile_before = profile_.cost_s();
  auto positions = shard_positions(std::int64_t(st_.split.train.size()), s_.seed, epoch, comm_.rank(), comm_.world_size());
  loader_.start(make_batches(positions, st_.split.train, s_.batch_size));
  progress_.epoch_start(epoch, s_.epochs, std::min(st_.steps_per_epoch, planned_steps_ - step_));
  energy_.epoch_start();
  metrics_.start_epoch();
  timer_.restart();
  std::int64_t step_in_epoch = 0;
  bool stop = false;
  while (step_in_epoch < st_.steps_per_epoch) {
    if (s_.max_steps > 0 && step_ >= s_.max_steps) {
      stop = true;
      stop_reason_ = adaptive_reason_.empty() ? "max_steps" : "adaptive";
      if (s_.adaptive_ci > 0 && adaptive_reason_.empty()) adaptive_reason_ = "step_budget";
      break;
    }
    current_step_.store(step_);
    maybe_inject(comm_.rank(), step_);
    profile_.before_step(step_);
    timer_.begin();
    auto batch = loader_.next();
    if (!batch) throw std::logic_error("the loader ended before the epoch's " + std::to_string(st_.steps_per_epoch) + " steps");
    const auto b = upload(*batch, st_.device, st_.spec);
    timer_.mark(Phase::data);
    const auto sched = schedule_.at(step_);
    train_step_.run(b, sched, timer_);
    pending_.push_back({step_, std::int32_t(step_in_epoch), sched.lr, double(b.labels.size(0)), profile_.running()});
    ++step_;
    ++step_in_epoch;
    const bool eval_due = s_.eval_every > 0 && step_ % s_.eval_every == 0;
    const bool window_end = int(pending_.size()) == st_.sync_every || step_in_epoch == st_.steps_per_epoch ||
                            (s_.max_steps > 0 && step_ >= s_.max_steps) || eval_due ||
                            (comm_.world_size() == 1 && stop_signal() != 0);  // alone: stop at once
    // The profile's end (a device wait, files written) would otherwise count as the next step's data wait.
    if (profile_.after_step(step_ - 1, eval_due || step_in_epoch == st_.steps_per_epoch ||
                                           (s_.max_steps > 0 && step_ >= s_.max_steps),
                            window_end || comm_.world_size() == 1))
      timer_.restart();
    if (window_end) maybe_die_before_exchange(comm_.rank(), pending_.front().step, pending_.back().step);
    if (window_end && close_window(epoch)) {
      stop = true;
      break;
    }
    if (eval_due) {
      const auto e = validate(eval_setup_);
      eval_extra += e.time_s;
      recording_.evaluation(e, step_, epoch);
      progress_.message("step " + std::to_string(step_) + ": val top-1 " + format_percent(e.top1, 1));
      timer_.restart();
    }
  }
  // A stop request or the adaptive stop ended the loop inside the stretch: it ends before validation.
  profile_.end_stretch(step_);
  const double profile_extra = profile_.cost_s() - profile_before;  // the profiler's, no step's
  const double train_time =
      now_s() - epoch_t0 - (recording_.flush_time_s() - flush_before) - eval_extra - profile_extra;
  if (stop && step_in_epoch == 0) return false;
  EvalResult e;
  if (out_.status == "completed") {  // a run cut short by --max-steps still validates its partial epoch
    e = validate(eval_setup_);
    recording_.evaluation(e, step_, epoch);
  }
  schema::EpochRecord row;
  row.epoch = epoch;
  row.train_time_s = train_time;
  row.val_time_s = e.time_s;
  row.epoch_time_s = now_s() - epoch_t0 - (recording_.flush_time_s() - flush_before) - profile_extra;
  const double seen = metrics_.epoch_samples();
  row.train_samples = std::int64_t(seen);
  row.val_samples = e.samples;
  row.train_loss = metrics_.epoch_loss();
  row.train_acc = metrics_.epoch_accuracy();
  row.val_loss = e.loss;
  row.val_top1 = e.top1;
  row.val_top5 = e.top5;
  row.images_per_s = train_time > 0 ? seen / train_time : 0;
  row.end_wall_s = now_s() - st_.run_t0;
  row.energy_j = energy_.epoch_end(epoch, recording_.recorder());
  recording_.epoch(row);
  metrics_.end_epoch(row.epoch_time_s);
  char line[256];
  std::snprintf(line, sizeof line, "epoch %d/%d: %.1f img/s, train loss %.4f acc %.1f%%, val loss %.4f top-1 %.1f%% top-5 %.1f%% (%s)",
                epoch + 1, s_.epochs, row.images_per_s, row.train_loss, row.train_acc * 100, row.val_loss,
                row.val_top1 * 100, row.val_top5 * 100, format_duration(row.epoch_time_s).c_str());
  progress_.message(line);
  recording_.flush(true);
  return !stop;
}

bool StepLoop::close_window(int epoch) {
  const auto times = timer_.collect([this] { comm_.check_failure_reports(); });
  const auto figures = train_step_.collect();
  std::vector<LocalStep> local(pending_.size());
  for (size_t i = 0; i < pending_.size(); ++i)
    local[i] = {figures[i].loss_sum, figures[i].correct, pending_[i].samples, figures[i].loss_scale, times[i]};
  LocalRequests requests;
  requests.signal = stop_signal();
  requests.record_failed = recording_.error().has_value();
  requests.adaptive_stop = root_ && !adaptive_reason_.empty();
  const auto window = exchange_window(comm_, local, requests);
  for (size_t i = 0; i < window.steps.size(); ++i) {
    const auto& w = window.steps[i];
    const auto& p = pending_[i];
    const double global_loss = w.loss_sum / w.samples;
    schema::StepRecord row;
    row.step = p.step;
    row.epoch = epoch;
    row.step_in_epoch = p.step_in_epoch;
    row.samples = std::int32_t(w.samples);
    row.warmup = p.step < s_.warmup_steps || p.profiled ? 1 : 0;
    row.data_wait_s = w.times.data_wait_s;
    row.forward_s = w.times.forward_s;
    row.backward_s = w.times.backward_s;
    row.comm_exposed_s = w.times.comm_exposed_s;
    row.optimizer_s = w.times.optimizer_s;
    row.total_s = w.times.total_s;
    row.loss = float(global_loss);
    row.lr = p.lr;
    row.loss_scale = float(w.loss_scale);
    recording_.step(row, w.rank_total_s);
    if (!std::isfinite(global_loss)) {
      pending_.clear();
      throw DivergedError("loss is " + std::to_string(global_loss) + " at step " + std::to_string(p.step) + " (epoch " +
                          std::to_string(epoch + 1) + ")" +
                          (i + 1 < window.steps.size() ? "; the window's later steps are not recorded" : ""));
    }
    metrics_.add_step(w.loss_sum, w.correct, w.samples, w.times.total_s, row.warmup != 0);
    progress_.step(p.step_in_epoch + 1, p.step + 1, w.samples / w.times.total_s, global_loss);
  }
  pending_.clear();
  if (window.record_failed)
    throw RecordError(recording_.error().value_or("rank 0 could not write the results"));
  if (window.signal) {
    out_ = {"interrupted", std::string("stopped by ") + stop_signal_name(window.signal), stop_exit_code(window.signal)};
    stop_reason_ = stop_signal_name(window.signal);
    return true;
  }
  if (window.adaptive_stop) {
    stop_reason_ = "adaptive";
    return true;
  }
  if (root_ && s_.adaptive_ci > 0 && adaptive_reason_.empty() &&
      adaptive_target_reached(metrics_.steady_step_times(), s_.adaptive_ci))
    adaptive_reason_ = "ci_reached";  // shared with every rank at the next exchange
  recording_.flush(false);
  return false;
}

void StepLoop::finish() {
  profile_.end(step_);
  energy_.run_end(recording_.recorder());
  // Run-level figures, the largest over the ranks where each rank has its own; -1: unknown.
  const auto device_peak = peak_device_memory(st_.device);
  double peaks[2] = {double(peak_rss_bytes()), device_peak ? double(*device_peak) : -1.0};
  comm_.allreduce_max(peaks, 2);
  const double ips = metrics_.steady_images_per_s();
  const double model_flops = ips * vit_train_flops(st_.config) / comm_.world_size();
  schema::RunAttributes a;
  a.status = out_.status;
  a.error = out_.error;
  a.stop_reason = stop_reason_;
  a.end_utc = utc_now();
  a.steady_images_per_s = ips;
  a.model_flops_per_s = model_flops;
  a.model_flops_utilisation = st_.gemm.flops_per_s > 0 ? model_flops / st_.gemm.flops_per_s : NAN;
  a.peak_rss_bytes_max_rank = std::int64_t(peaks[0]);
  if (peaks[1] >= 0) a.peak_device_memory_bytes = std::int64_t(peaks[1]);
  a.adaptive_stop_reason = adaptive_reason_;
  a.graph_replays = train_step_.replays();
  a.profile_steps = profile_.profiled();
  const auto ci = median_interval_95(metrics_.steady_step_times());
  a.adaptive_rel_ci = ci ? ci->relative_half_width : NAN;
  recording_.attributes(a);
  recording_.flush(true);
  if (!root_) return;
  std::ostringstream os;
  os << "harness: " << out_.status << " after " << step_ << " steps in " << format_duration(now_s() - st_.run_t0)
     << "; steady-state " << ips << " images/s";
  if (metrics_.epochs_done() > 0) os << "; " << format_duration(metrics_.mean_epoch_s()) << " per epoch (measured)";
  if (st_.gemm.flops_per_s > 0 && ips > 0)
    os << "; model FLOP utilisation " << format_percent(model_flops / st_.gemm.flops_per_s)
       << " of the measured matrix-product rate";
  std::fprintf(stderr, "%s\n", os.str().c_str());  // the summary is printed whatever --progress says
}

}  // namespace

RunOutcome Trainer::run(Recorder* rec) { return StepLoop(*st_, rec, current_step_).run(); }

}  // namespace lb
