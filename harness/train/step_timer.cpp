#include "harness/train/step_timer.h"

#include <c10/core/Event.h>
#include <c10/core/Stream.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/torch.h>

#include <array>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "harness/util/clock.h"
#include "harness/util/torch_version.h"

namespace lb {
namespace {
constexpr int kPoints = 6;  // the start, then the end of each phase
}

void wait_polling(const std::function<bool()>& done, const std::function<void()>& poll) {
  for (long spins = 0; !done(); ++spins) {
    if (poll && spins % 16 == 0) poll();
    // A step is milliseconds to seconds long: spin briefly, then give the core back.
    if (spins > 20000) {
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    } else if (spins > 256) {
      std::this_thread::sleep_for(std::chrono::microseconds(20));
    }
  }
}

struct StepTimer::Impl {
  torch::Device device;
  bool gpu = false;
  bool contiguous = false;  // the next begin() reuses the last step's end
  int next_point = 0;       // within the step being built
#if LB_TORCH_AT_LEAST(2, 4)
  using Event = std::shared_ptr<c10::Event>;
  std::vector<Event> spare;  // events whose times were read: recorded again instead of created
  Event last_end_event;
  std::vector<std::array<Event, kPoints>> events;  // pending steps (GPU)
  std::array<Event, kPoints> building_events;
#endif
  double last_end_host = 0;
  std::vector<std::array<double, kPoints>> host;  // pending steps (CPU)
  std::array<double, kPoints> building_host{};

  explicit Impl(const torch::Device& d) : device(d), gpu(!d.is_cpu()) {
#if !LB_TORCH_AT_LEAST(2, 4)
    if (gpu) throw std::runtime_error("timing GPU steps needs LibTorch 2.4 (device events with elapsed time)");
#endif
  }

  void record(int point) {
    if (!gpu) {
      building_host[size_t(point)] = now_s();
      return;
    }
#if LB_TORCH_AT_LEAST(2, 4)
    Event e;
    if (spare.empty()) {
      e = std::make_shared<c10::Event>(device.type(), c10::EventFlag::BACKEND_DEFAULT);
    } else {
      e = std::move(spare.back());
      spare.pop_back();
    }
    e->record(c10::impl::VirtualGuardImpl(device.type()).getStream(device));
    building_events[size_t(point)] = std::move(e);
#endif
  }

  void begin() {
    if (next_point != 0) throw std::logic_error("StepTimer::begin: the previous step did not end");
    if (!contiguous) {
      record(0);
    } else if (!gpu) {
      building_host[0] = last_end_host;
    } else {
#if LB_TORCH_AT_LEAST(2, 4)
      building_events[0] = last_end_event;
#endif
    }
    next_point = 1;
  }

  void mark(int point) {
    if (point != next_point) throw std::logic_error("StepTimer::mark: phases out of order");
    record(point);
    next_point = point + 1;
    if (point < kPoints - 1) return;
    next_point = 0;
    contiguous = true;
    if (!gpu) {
      last_end_host = building_host[kPoints - 1];
      host.push_back(building_host);
    } else {
#if LB_TORCH_AT_LEAST(2, 4)
      last_end_event = building_events[kPoints - 1];
      events.push_back(building_events);
#endif
    }
  }

  int pending() const {
#if LB_TORCH_AT_LEAST(2, 4)
    if (gpu) return int(events.size());
#endif
    return int(host.size());
  }

  static PhaseTimes times(const std::array<double, kPoints>& t) {
    PhaseTimes p;
    p.data_wait_s = t[1] - t[0];
    p.forward_s = t[2] - t[1];
    p.backward_s = t[3] - t[2];
    p.comm_exposed_s = t[4] - t[3];
    p.optimizer_s = t[5] - t[4];
    p.total_s = p.data_wait_s + p.forward_s + p.backward_s + p.comm_exposed_s + p.optimizer_s;
    return p;
  }

  std::vector<PhaseTimes> collect(const std::function<void()>& while_waiting) {
    std::vector<PhaseTimes> out;
    if (!gpu) {
      for (const auto& t : host) out.push_back(times(t));
      host.clear();
      return out;
    }
#if LB_TORCH_AT_LEAST(2, 4)
    if (events.empty()) return out;
    const auto& last = events.back()[kPoints - 1];
    wait_polling([&] { return last->query(); }, while_waiting);
    for (auto& step : events) {
      // Intervals on the device's timeline, in milliseconds.
      std::array<double, kPoints> t{};
      for (int i = 1; i < kPoints; ++i) t[size_t(i)] = t[size_t(i) - 1] + step[size_t(i) - 1]->elapsedTime(*step[size_t(i)]) / 1e3;
      out.push_back(times(t));
      // Every event but the shared start (the previous step's end, already returned or kept as
      // last_end_event) goes back to the pool.
      for (int i = 1; i < kPoints; ++i)
        if (step[size_t(i)] != last_end_event) spare.push_back(std::move(step[size_t(i)]));
    }
    events.clear();
#endif
    return out;
  }
};

StepTimer::StepTimer(const torch::Device& device) : impl_(std::make_unique<Impl>(device)) {}
StepTimer::~StepTimer() = default;

void StepTimer::restart() { impl_->contiguous = false; }
void StepTimer::begin() { impl_->begin(); }
void StepTimer::mark(Phase finished) { impl_->mark(int(finished) + 1); }
int StepTimer::pending() const { return impl_->pending(); }
std::vector<PhaseTimes> StepTimer::collect(const std::function<void()>& while_waiting) {
  return impl_->collect(while_waiting);
}

}  // namespace lb
