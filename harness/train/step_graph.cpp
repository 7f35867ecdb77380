#include "harness/train/step_graph.h"

#include <stdexcept>

namespace lb {

#if defined(LB_TORCH_DEVICE_GRAPHS)
// harness/train/device_step_graph.cpp: the one source that includes LibTorch's CUDA/HIP headers.
std::unique_ptr<StepGraph> make_device_step_graph();
#endif

namespace {

class CpuTwinGraph : public StepGraph {
 public:
  void capture(const std::function<void()>& work, StepGraph*) override {
    if (work_) throw std::logic_error("StepGraph::capture: this graph was captured already");
    work_ = work;
  }
  void replay() override {
    if (!work_) throw std::logic_error("StepGraph::replay: nothing captured");
    work_();
  }

 private:
  std::function<void()> work_;
};

}  // namespace

bool step_graphs_available(const c10::Device& device) {
  if (device.is_cpu()) return true;
#if defined(LB_TORCH_DEVICE_GRAPHS)
  return device.is_cuda();  // ROCm builds present HIP devices as LibTorch's "cuda" type
#else
  return false;
#endif
}

std::unique_ptr<StepGraph> make_step_graph(const c10::Device& device) {
  if (device.is_cpu()) return std::make_unique<CpuTwinGraph>();
#if defined(LB_TORCH_DEVICE_GRAPHS)
  if (device.is_cuda()) return make_device_step_graph();
#endif
  throw std::logic_error("make_step_graph: no graph capture for device " + device.str() + " in this build");
}

}  // namespace lb
