#include "harness/train/train_step.h"

#include <stdexcept>

#include "harness/dist/grad_sync.h"
#include "harness/train/optimizer.h"
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

TrainStep::TrainStep(VisionTransformer& model, std::vector<torch::Tensor> params, Optimizer& optimizer,
                     GradientSynchronizer& grads, LossScaler& scaler, const torch::Device& device, StepSettings settings)
    : model_(model), params_(std::move(params)), optimizer_(optimizer), grads_(grads), scaler_(scaler),
      device_(device), s_(settings) {
  if (s_.window < 1) throw std::invalid_argument("TrainStep: window must be at least 1");
  slots_ = torch::zeros({s_.window, 3}, torch::TensorOptions().dtype(torch::kDouble).device(device));
}

void TrainStep::run(const DeviceBatch& b, const ScheduleValues& sched, StepTimer& timer) {
  if (used_ >= s_.window) throw std::logic_error("TrainStep::run: more steps than the window holds");
  optimizer_.set_lr(sched.lr);
  if (sched.momentum >= 0) optimizer_.set_first_moment(sched.momentum);
  model_->train();
  if (grads_.owns_gradients()) {
    grads_.begin_step();
  } else {
    for (auto& p : params_) p.mutable_grad() = torch::Tensor();  // autograd then takes the new gradient as it is
  }
  torch::Tensor logits, loss;
  {
    AutocastScope autocast(s_.precision, device_);
    logits = model_->forward(b.images);
    loss = torch::nn::functional::cross_entropy(
        logits, b.labels, torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(s_.label_smoothing));
  }
  timer.mark(Phase::forward);
  // The scale this step ran with: update() changes the scaler's own tensor in place.
  const auto scale_used = scaler_.enabled() ? scaler_.scale().clone() : scaler_.scale();
  scaler_.scale_loss(loss).backward();
  timer.mark(Phase::backward);
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
