// The GPU side of StepGraph: LibTorch's at::cuda::CUDAGraph (ROCm's LibTorch keeps the class name
// under its hipified header). Built only where cmake/Dependencies.cmake compiled this very source
// against the LibTorch found (LB_TORCH_DEVICE_GRAPHS), so a LibTorch whose graph header differs
// builds the harness without graphs instead of failing.
#include "harness/train/step_graph.h"

#if __has_include(<ATen/hip/HIPGraph.h>)
#include <ATen/hip/HIPGraph.h>
#define LB_CAPTURE_THREAD_LOCAL hipStreamCaptureModeThreadLocal
#else
#include <ATen/cuda/CUDAGraph.h>
#define LB_CAPTURE_THREAD_LOCAL cudaStreamCaptureModeThreadLocal
#endif

#include <stdexcept>

namespace lb {
namespace {

class DeviceStepGraph : public StepGraph {
 public:
  void capture(const std::function<void()>& work, StepGraph* share_with) override {
    if (captured_) throw std::logic_error("StepGraph::capture: this graph was captured already");
    decltype(graph_.pool()) pool{0, 0};  // {0, 0}: a pool of its own
    if (share_with) pool = static_cast<DeviceStepGraph&>(*share_with).graph_.pool();
    // Thread-local: only this thread's unsafe calls end the capture. The loader's threads may pin
    // host memory (cudaHostAlloc) meanwhile, which a global capture would refuse; autograd's
    // device thread still has backward's kernels captured, since capture is a property of the
    // stream they are queued on.
    graph_.capture_begin(pool, LB_CAPTURE_THREAD_LOCAL);
    try {
      work();
    } catch (...) {
      // Ends the stream's capture where it can; the caller ends the run either way (a capture
      // that failed part-way may leave LibTorch's allocator serving this graph's pool).
      try {
        graph_.capture_end();
      } catch (...) {
      }
      throw;
    }
    graph_.capture_end();
    captured_ = true;
  }

  void replay() override {
    if (!captured_) throw std::logic_error("StepGraph::replay: nothing captured");
    graph_.replay();
  }

 private:
  at::cuda::CUDAGraph graph_;
  bool captured_ = false;
};

}  // namespace

std::unique_ptr<StepGraph> make_device_step_graph() {
  return std::make_unique<DeviceStepGraph>();
}

}  // namespace lb
