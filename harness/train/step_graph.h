// Work of a training step recorded once and replayed at every later step with the same shapes:
// on a GPU a CUDA/HIP graph (LibTorch's at::cuda::CUDAGraph, whose memory pool keeps every tensor
// the captured work allocated at the address the replays write to), on the CPU a twin that keeps
// the work and runs it again at each replay. The twin gives the step loop's graph mode (static
// inputs, outputs and gradients read where the last replay left them, shapes that fall back to the
// eager step) a test on machines without a GPU; it is no faster than the eager step.
//
// The contract both keep: capture() records `work` without its device work taking effect (a GPU
// capture queues nothing; the twin runs nothing); each replay() then has that device work take
// effect once. The host-side effects of `work` (tensors it assigns, the autograd graph it builds)
// happen once at capture on a GPU and at every replay on the CPU, so a caller reads what `work`
// assigned only after a replay, where both agree.
#pragma once

#include <c10/core/Device.h>

#include <functional>
#include <memory>

namespace lb {

class StepGraph {
 public:
  virtual ~StepGraph() = default;
  // `share_with`: a graph captured earlier whose memory pool this one shares (replays must then
  // come in capture order, as the step loop's forward-then-backward does), or nullptr.
  virtual void capture(const std::function<void()>& work, StepGraph* share_with) = 0;
  virtual void replay() = 0;
};

// Whether `device` can capture: the CPU twin always; a GPU where this harness was built against a
// LibTorch with graph capture (LB_TORCH_DEVICE_GRAPHS, checked by cmake/Dependencies.cmake).
bool step_graphs_available(const c10::Device& device);
// Throws std::logic_error where step_graphs_available is false. On a GPU, capture() must be called
// with a stream other than the default one current (SideStream, harness/util/device.h).
std::unique_ptr<StepGraph> make_step_graph(const c10::Device& device);

}  // namespace lb
