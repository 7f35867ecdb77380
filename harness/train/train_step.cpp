#include "harness/train/train_step.h"

#include <stdexcept>

#include "harness/dist/grad_sync.h"
#include "harness/train/optimizer.h"
#include "harness/train/step_graph.h"
#include "harness/util/device.h"
#include "harness/util/torch_version.h"
#include "kernels/preprocess.h"

namespace lb {

DeviceBatch upload(const Batch& b, const torch::Device& device, const PreprocessSpec& spec) {
  if (device.is_cpu()) return {b.images, b.labels};
  DeviceBatch d;
  d.labels = b.labels.to(device, /*non_blocking=*/true);
  auto images = b.images.to(device, /*non_blocking=*/true);
  if (b.preprocessed) {
    d.images = images;
    return d;
  }
#if defined(LB_WITH_GPU_KERNELS)
  d.images = torch::empty({images.size(0), 3, spec.crop, spec.crop}, images.options());
  preprocess_gpu(images.data_ptr<float>(), d.images.data_ptr<float>(), int(images.size(0)), spec,
                 current_stream(device));
  return d;
#else
  (void)spec;
  throw std::logic_error("raw batches need the GPU kernels (LB_WITH_GPU_KERNELS)");
#endif
}

void clip_grad_norm(const std::vector<torch::Tensor>& grads, double max_norm) {
  if (grads.empty()) return;
  torch::NoGradGuard no_grad;
  const auto norms = torch::_foreach_norm(grads, 2);
  const auto total = torch::stack(norms).norm(2);
  const auto factor = (max_norm / (total + 1e-6)).clamp_max(1.0);
#if LB_TORCH_AT_LEAST(2, 1)
  torch::_foreach_mul_(grads, factor);
#else
  for (const auto& g : grads) g.mul_(factor);
#endif
}

// The graphs and the tensors they read and write (on a GPU at fixed addresses: train/step_graph.h).
struct TrainStep::Graphs {
  std::unique_ptr<StepGraph> forward, backward;
  torch::Tensor images, labels;        // inputs: each replayed step's batch is copied in
  torch::Tensor logits, loss;          // outputs of the forward
  std::vector<torch::Tensor> grads;    // where the backward leaves the parameters' gradients
};

TrainStep::TrainStep(VisionTransformer& model, std::vector<torch::Tensor> params, Optimizer& optimizer,
                     GradientSynchronizer& grads, LossScaler& scaler, const torch::Device& device, StepSettings settings)
    : model_(model), params_(std::move(params)), optimizer_(optimizer), grads_(grads), scaler_(scaler),
      device_(device), s_(settings) {
  if (s_.window < 1) throw std::invalid_argument("TrainStep: window must be at least 1");
  slots_ = torch::zeros({s_.window, 3}, torch::TensorOptions().dtype(torch::kDouble).device(device));
  if (s_.graphs) {
    if (grads_.owns_gradients())
      throw std::invalid_argument("TrainStep: graph mode takes one rank (the gradients' allreduce is not captured)");
    if (!step_graphs_available(device_))
      throw std::invalid_argument("TrainStep: no graph capture for " + device_.str() + " in this build");
    graphs_ = std::make_unique<Graphs>();
  }
}

TrainStep::~TrainStep() = default;

void TrainStep::forward(const torch::Tensor& images, const torch::Tensor& labels, torch::Tensor& logits,
                        torch::Tensor& loss) {
  AutocastScope autocast(s_.precision, device_);
  logits = model_->forward(images);
  loss = torch::nn::functional::cross_entropy(
      logits, labels, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(s_.label_smoothing));
}

void TrainStep::capture(const DeviceBatch& b) {
  auto& g = *graphs_;
  // A capture takes memory for its pool from the device, not from the blocks the eager steps left
  // cached: without this the activations would be held twice (as torch.cuda.graph does on entry).
  // The wait also reports an earlier step's device error as that, not as a failed capture.
  release_cached_memory(device_);
  // Allocated before the capture, so outside the graphs' memory pool: they stay where they are.
  g.images = torch::empty_like(b.images);
  g.labels = torch::empty_like(b.labels);
  g.forward = make_step_graph(device_);
  g.backward = make_step_graph(device_);
  // The lambdas' host side runs at capture on a GPU and at each replay on the CPU twin: both leave
  // g's outputs and gradients where the last replay wrote them (train/step_graph.h).
  g.forward->capture([this] { forward(graphs_->images, graphs_->labels, graphs_->logits, graphs_->loss); }, nullptr);
  g.backward->capture(
      [this] {
        auto& gr = *graphs_;
        // Without a gradient, autograd stores the new one as it is (in the graph's pool on a GPU):
        // every replay then writes the gradients to the same tensors, with no accumulation.
        for (auto& p : params_) p.mutable_grad() = torch::Tensor();
        scaler_.scale_loss(gr.loss).backward();
        gr.grads.clear();
        for (const auto& p : params_) gr.grads.push_back(p.grad());
      },
      g.forward.get());
}

bool TrainStep::replay(const DeviceBatch& b, StepTimer& timer, torch::Tensor& logits, torch::Tensor& loss) {
  auto& g = *graphs_;
  if (!g.forward) {
    // The capture takes a batch of the first one's size (the run's batch size, unless every batch
    // is as short as the shard), never an epoch's last, shorter one that the full ones would miss.
    if (first_shape_.empty()) first_shape_ = b.images.sizes().vec();
    if (eager_steps_ < kEagerStepsBeforeCapture || !b.images.sizes().equals(first_shape_)) return false;
    try {
      capture(b);
    } catch (const std::exception& e) {
      // A capture that failed part-way can leave LibTorch's allocator serving the graph's pool:
      // the run ends here (recorded as failed) rather than continue on a state nobody checked.
      throw std::runtime_error(std::string("--graph-capture on: capturing the step failed (") + e.what() +
                               "); --graph-capture off runs it eagerly");
    }
  }
  if (!b.images.sizes().equals(g.images.sizes())) return false;  // the labels' size follows
  g.images.copy_(b.images, /*non_blocking=*/true);
  g.labels.copy_(b.labels, /*non_blocking=*/true);
  g.forward->replay();
  timer.mark(Phase::forward);
  g.backward->replay();
  // An eager step since the capture replaced the gradients with its own: the optimizer reads the
  // ones the replay wrote.
  for (size_t i = 0; i < params_.size(); ++i) params_[i].mutable_grad() = g.grads[i];
  timer.mark(Phase::backward);
  logits = g.logits;
  loss = g.loss;
  ++replays_;
  return true;
}

void TrainStep::run(const DeviceBatch& b, const ScheduleValues& sched, StepTimer& timer) {
  if (used_ >= s_.window) throw std::logic_error("TrainStep::run: more steps than the window holds");
  optimizer_.set_lr(sched.lr);
  if (sched.momentum >= 0) optimizer_.set_first_moment(sched.momentum);
  model_->train();
  // The scale this step runs with: update() changes the scaler's own tensor in place.
  const auto scale_used = scaler_.enabled() ? scaler_.scale().clone() : scaler_.scale();
  torch::Tensor logits, loss;
  if (!graphs_ || !replay(b, timer, logits, loss)) {
    if (grads_.owns_gradients()) {
      grads_.begin_step();
    } else {
      for (auto& p : params_) p.mutable_grad() = torch::Tensor();  // autograd then takes the new gradient as it is
    }
    forward(b.images, b.labels, logits, loss);
    timer.mark(Phase::forward);
    scaler_.scale_loss(loss).backward();
    timer.mark(Phase::backward);
    ++eager_steps_;
  }
  grads_.finish();
  timer.mark(Phase::comm);
  {
    torch::NoGradGuard no_grad;
    std::vector<torch::Tensor> grads;
    for (const auto& p : params_)
      if (p.grad().defined()) grads.push_back(p.grad());
    scaler_.unscale(grads);
    if (s_.grad_clip > 0) clip_grad_norm(grads, s_.grad_clip);
    if (scaler_.enabled()) {
      optimizer_.step_unless(scaler_.found_inf());
      scaler_.update();
    } else {
      optimizer_.step();
    }
    const double n = double(b.labels.size(0));
    slots_[used_].copy_(torch::stack({loss.detach().to(torch::kDouble) * n,
                                      logits.detach().argmax(1).eq(b.labels).sum().to(torch::kDouble),
                                      scale_used.to(torch::kDouble)}));
  }
  ++used_;
  timer.mark(Phase::optimizer);
}

std::vector<StepFigures> TrainStep::collect() {
  std::vector<StepFigures> out;
  if (used_ == 0) return out;
  const auto host = slots_.narrow(0, 0, used_).to(torch::kCPU);
  const auto* v = host.data_ptr<double>();
  for (int i = 0; i < used_; ++i) out.push_back({v[3 * i], v[3 * i + 1], v[3 * i + 2]});
  used_ = 0;
  return out;
}

}  // namespace lb
