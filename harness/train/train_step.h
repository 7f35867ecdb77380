// One training step as the step loop queues it: the batch onto the device (and through the
// preprocessing kernel there), forward and loss under autocast, backward with the gradients'
// allreduce overlapping it, the fp16 unscale and clipping, the optimizer update, and the step's
// loss, hits and loss scale written into a slot of a device buffer. Nothing in it reads the device
// from the host (the exception, fp16 with a non-fused optimizer, reads the overflow flag once), so
// the host can queue the next step while this one runs; collect() reads the slots of a window in
// one copy.
//
// In graph mode (StepSettings::graphs) the forward with its loss and the backward are captured once
// as two graphs (train/step_graph.h) after kEagerStepsBeforeCapture eager steps, and every later
// step with the captured batch's shapes copies its batch into the graphs' input tensors and replays
// them; the rest of the step (the gradients' exchange, unscale, clipping, the optimizer with this
// step's learning rate and beta1, the figures) runs eagerly after the replays, as in any step. A
// batch of another size (an epoch's last) takes the eager step.
#pragma once

#include <torch/torch.h>

#include <array>
#include <memory>
#include <vector>

#include "harness/data/loader.h"
#include "harness/model/vit.h"
#include "harness/train/precision.h"
#include "harness/train/schedule.h"
#include "harness/train/step_timer.h"

namespace lb {

class GradientSynchronizer;
class Optimizer;

struct DeviceBatch {
  torch::Tensor images, labels;
};

// The batch on `device`, preprocessed: a non-blocking copy from pinned memory and the
// preprocessing kernel for GPU runs with raw batches (64x64 images cross the bus, not 224x224);
// on CPU the batch as it is.
DeviceBatch upload(const Batch& batch, const torch::Device& device, const PreprocessSpec& spec);

struct StepSettings {
  Precision precision = Precision::fp32;
  double label_smoothing = 0;
  double grad_clip = 0;  // max global L2 norm; 0 = off
  int window = 1;        // slots: the most steps between two collect() calls
  bool graphs = false;   // graph mode (above); one rank only: the gradients' allreduce is not captured
};

// Eager steps before the capture: cuBLAS's workspaces, autograd's and the allocator's first-use
// set-up and LibTorch's lazily created state happen in them, on the stream the capture then uses.
constexpr int kEagerStepsBeforeCapture = 3;

// The per-step figures collect() returns, in step order.
struct StepFigures {
  double loss_sum = 0;  // mean loss x samples
  double correct = 0;
  double loss_scale = 1;
};

class TrainStep {
 public:
  TrainStep(VisionTransformer& model, std::vector<torch::Tensor> params, Optimizer& optimizer,
            GradientSynchronizer& grads, LossScaler& scaler, const torch::Device& device, StepSettings settings);
  ~TrainStep();

  // Queues one step on `batch` (already on the device) and marks its phases on `timer` (forward,
  // backward, comm, optimizer; the caller began the step and marked the data phase).
  void run(const DeviceBatch& batch, const ScheduleValues& schedule, StepTimer& timer);
  // The figures of the steps run since the last collect (a device read: the host waits for them).
  std::vector<StepFigures> collect();
  // Steps whose forward and backward were graph replays.
  std::int64_t replays() const { return replays_; }

 private:
  VisionTransformer& model_;
  std::vector<torch::Tensor> params_;
  Optimizer& optimizer_;
  GradientSynchronizer& grads_;
  LossScaler& scaler_;
  torch::Device device_;
  StepSettings s_;
  torch::Tensor slots_;  // [window, 3] float64 on the device
  int used_ = 0;
  struct Graphs;
  std::unique_ptr<Graphs> graphs_;
  std::int64_t eager_steps_ = 0, replays_ = 0;
  std::vector<std::int64_t> first_shape_;  // of the first batch's images

  // The forward and the loss, of the eager step and of the forward graph's recording: logits and loss out.
  void forward(const torch::Tensor& images, const torch::Tensor& labels, torch::Tensor& logits, torch::Tensor& loss);
  // Graph mode: captures the graphs once their time has come, then replays them if `batch` has the
  // captured shapes (logits and loss out: the graphs' own tensors). False: the eager step runs.
  bool replay(const DeviceBatch& batch, StepTimer& timer, torch::Tensor& logits, torch::Tensor& loss);
  void capture(const DeviceBatch& batch);
};

// clip_grad_norm_ without the host read: the total L2 norm of all gradients and the clipping
// factor min(1, max_norm / (norm + 1e-6)) stay on the device (torch.nn.utils.clip_grad_norm_'s
// formula; LibTorch's C++ version returns the norm as a double, one sync per step).
void clip_grad_norm(const std::vector<torch::Tensor>& grads, double max_norm);

}  // namespace lb
