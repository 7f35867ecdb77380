#include "harness/train/step_timer.h"

#include <c10/core/Event.h>
#include <c10/core/Stream.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <array>
#include <optional>
#include <stdexcept>

#include "harness/util/clock.h"

namespace lb {

struct StepTimer::Impl {
  torch::Device device;
  std::array<double, 6> host{};  // start, then the end of each phase
#if TORCH_VERSION_MAJOR >= 2
  std::vector<c10::Event> events;  // the same boundaries on the GPU's current stream
#endif
  explicit Impl(const torch::Device& d) : device(d) {
#if TORCH_VERSION_MAJOR >= 2
    if (d.is_cuda()) {
      for (int i = 0; i < 6; ++i) events.emplace_back(c10::DeviceType::CUDA, c10::EventFlag::BACKEND_DEFAULT);
    }
#else
    if (d.is_cuda()) throw std::runtime_error("timing GPU steps needs LibTorch 2.x (device events with elapsed time)");
#endif
  }
  void record(int i) {
    host[size_t(i)] = now_s();
#if TORCH_VERSION_MAJOR >= 2
    if (!events.empty()) {
      c10::impl::VirtualGuardImpl guard(c10::DeviceType::CUDA);
      events[size_t(i)].record(guard.getStream(device));
    }
#endif
  }
};

StepTimer::StepTimer(const torch::Device& device) : impl_(std::make_unique<Impl>(device)) {}
StepTimer::~StepTimer() = default;

void StepTimer::start() { impl_->record(0); }

void StepTimer::mark(Phase finished) { impl_->record(int(finished) + 1); }

PhaseTimes StepTimer::finish() {
  std::array<double, 5> d{};
#if TORCH_VERSION_MAJOR >= 2
  if (!impl_->events.empty()) {
    impl_->events[5].synchronize();  // this step's work only
    // Intervals on the device's timeline; the first includes any time the device sat idle while
    // the host waited for the loader.
    for (int i = 0; i < 5; ++i) d[size_t(i)] = impl_->events[size_t(i)].elapsedTime(impl_->events[size_t(i) + 1]) / 1e3;
  } else
#endif
  {
    for (int i = 0; i < 5; ++i) d[size_t(i)] = impl_->host[size_t(i) + 1] - impl_->host[size_t(i)];
  }
  PhaseTimes t;
  t.data_wait_s = d[0];
  t.forward_s = d[1];
  t.backward_s = d[2];
  t.comm_exposed_s = d[3];
  t.optimizer_s = d[4];
  t.total_s = d[0] + d[1] + d[2] + d[3] + d[4];
  return t;
}

void StepTimer::add(PhaseTimes& t, Phase phase, double seconds) {
  switch (phase) {
    case Phase::data: t.data_wait_s += seconds; break;
    case Phase::forward: t.forward_s += seconds; break;
    case Phase::backward: t.backward_s += seconds; break;
    case Phase::comm: t.comm_exposed_s += seconds; break;
    case Phase::optimizer: t.optimizer_s += seconds; break;
  }
  t.total_s += seconds;
}

}  // namespace lb
