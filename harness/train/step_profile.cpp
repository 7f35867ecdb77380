#include "harness/train/step_profile.h"

#include <torch/csrc/autograd/profiler_kineto.h>
#if __has_include(<kineto/ActivityType.h>)
#include <kineto/ActivityType.h>  // where LibTorch was built with Kineto
#define LB_KINETO_ACTIVITY_TYPES 1
#endif

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "harness/util/clock.h"
#include "harness/util/device.h"

namespace lb {

namespace {

namespace kp = torch::autograd::profiler;
namespace pi = torch::profiler::impl;

// KinetoEvent's times were microseconds before LibTorch 2.2 and are nanoseconds since; whichever
// this LibTorch has, in nanoseconds.
template <class E>
auto start_ns(const E& e, int) -> decltype(std::int64_t(e.startNs())) {
  return std::int64_t(e.startNs());
}
template <class E>
auto start_ns(const E& e, long) -> decltype(std::int64_t(e.startUs())) {
  return std::int64_t(e.startUs()) * 1000;
}
template <class E>
auto duration_ns(const E& e, int) -> decltype(std::int64_t(e.durationNs())) {
  return std::int64_t(e.durationNs());
}
template <class E>
auto duration_ns(const E& e, long) -> decltype(std::int64_t(e.durationUs())) {
  return std::int64_t(e.durationUs()) * 1000;
}

std::set<pi::ActivityType> activities(const c10::Device& device) {
  std::set<pi::ActivityType> a{pi::ActivityType::CPU};
  // LibTorch for ROCm presents HIP devices as "cuda" and its roctracer activity under that name.
  if (device.is_cuda()) a.insert(pi::ActivityType::CUDA);
  return a;
}

// libkineto's ActivityType (kineto/ActivityType.h, shipped with LibTorch where it was built with
// Kineto): the device's own work is kernels, copies and memsets; the other device-side kinds (user
// annotations spanning kernels, synchronisation) would count that work twice.
#if defined(LB_KINETO_ACTIVITY_TYPES)
constexpr std::uint8_t kDeviceCopy = std::uint8_t(libkineto::ActivityType::GPU_MEMCPY);
constexpr std::uint8_t kDeviceSet = std::uint8_t(libkineto::ActivityType::GPU_MEMSET);
constexpr std::uint8_t kDeviceKernel = std::uint8_t(libkineto::ActivityType::CONCURRENT_KERNEL);
#else
// Without Kineto (Debian 12's LibTorch 1.13) no device activity is recorded; the values are the
// enum's, unchanged since its first members were set.
constexpr std::uint8_t kDeviceCopy = 3, kDeviceSet = 4, kDeviceKernel = 5;
#endif

struct HostEvent {
  std::int64_t start, duration, thread;
  size_t order;  // in the profiler's list: the tie-break where the clock cannot order two calls
  std::string name;
};

// Sums by name. A host operator's own time is its duration less the parts of it its children took
// (operators on the same thread that start inside it: autograd runs backward's on worker threads,
// each nested in itself), to the clock's resolution (microseconds before LibTorch 2.2).
void summarise(const std::vector<kp::KinetoEvent>& events, StepProfile& out) {
  std::map<std::string, ProfiledCall> device, host;
  std::vector<HostEvent> host_events;
  for (const auto& e : events) {
    const auto d = duration_ns(e, 0);
    if (e.deviceType() != c10::DeviceType::CPU) {
      const auto kind = e.activityType();
      if (kind != kDeviceKernel && kind != kDeviceCopy && kind != kDeviceSet) continue;
      auto& c = device[e.name()];
      c.count += 1;
      c.total_s += double(d) * 1e-9;
      c.self_s = c.total_s;
    } else if (!e.isAsync()) {  // an asynchronous span is no call that others nest in
      host_events.push_back({start_ns(e, 0), d, std::int64_t(e.startThreadId()), host_events.size(), e.name()});
    }
  }
  // Parents before their children: by thread, then start, the longer (outer) one first.
  std::sort(host_events.begin(), host_events.end(), [](const HostEvent& a, const HostEvent& b) {
    if (a.thread != b.thread) return a.thread < b.thread;
    if (a.start != b.start) return a.start < b.start;
    if (a.duration != b.duration) return a.duration > b.duration;
    return a.order < b.order;
  });
  std::vector<std::int64_t> self(host_events.size());
  std::vector<size_t> open;  // indices of the enclosing operators, innermost last
  for (size_t i = 0; i < host_events.size(); ++i) {
    const auto& e = host_events[i];
    self[i] = e.duration;
    // A call that starts inside another on its thread is its child, even where the clock has it
    // end a little after its parent: only the overlap comes off the parent's own time.
    while (!open.empty()) {
      const auto& p = host_events[open.back()];
      if (p.thread == e.thread && e.start < p.start + p.duration) break;
      open.pop_back();
    }
    if (!open.empty()) {
      const auto& p = host_events[open.back()];
      self[open.back()] -= std::min(e.start + e.duration, p.start + p.duration) - e.start;
    }
    open.push_back(i);
  }
  for (size_t i = 0; i < host_events.size(); ++i) {
    auto& c = host[host_events[i].name];
    c.count += 1;
    c.total_s += double(host_events[i].duration) * 1e-9;
    c.self_s += double(std::max<std::int64_t>(self[i], 0)) * 1e-9;
  }
  const auto sorted = [](std::map<std::string, ProfiledCall>& by_name) {
    std::vector<ProfiledCall> v;
    for (auto& [name, c] : by_name) {
      c.name = name;
      v.push_back(std::move(c));
    }
    std::stable_sort(v.begin(), v.end(), [](const ProfiledCall& a, const ProfiledCall& b) { return a.self_s > b.self_s; });
    return v;
  };
  out.device_kernels = sorted(device);
  out.host_ops = sorted(host);
}

}  // namespace

StepProfiler::StepProfiler(const c10::Device& device) : device_(device) {}

StepProfiler::~StepProfiler() {
  if (!running_) return;
  try {
    kp::disableProfiler();
  } catch (...) {
    // A run that ended by an error while profiling: that error is the one to report.
  }
}

void StepProfiler::start(std::int64_t first_step) {
  if (running_) throw std::logic_error("StepProfiler::start: already running");
  wait_for_device(device_);
  const pi::ProfilerConfig config(pi::ProfilerState::KINETO);
  try {
    kp::prepareProfiler(config, activities(device_));
    kp::enableProfiler(config, activities(device_));
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("LibTorch's profiler did not start: ") + e.what());
  }
  running_ = true;
  first_step_ = first_step;
  start_s_ = now_s();
}

StepProfile StepProfiler::stop(std::int64_t steps, const std::string& trace_path) {
  if (!running_) throw std::logic_error("StepProfiler::stop: not running");
  // The profiled steps' kernels end before the profiler does, or their device times are lost.
  wait_for_device(device_);
  const double span_s = now_s() - start_s_;  // the profiler's own wrapping up after this is no step's
  running_ = false;
  const auto result = kp::disableProfiler();
  StepProfile p;
  p.span_s = span_s;
  p.first_step = first_step_;
  p.steps = steps;
  p.device = device_.str();
  if (result) summarise(result->events(), p);
  if (trace_path.empty()) {
    p.trace_note = "not kept";
  } else if (result) {
    try {
      std::filesystem::create_directories(std::filesystem::path(trace_path).parent_path());
      result->save(trace_path);
      p.trace_note = trace_path;
    } catch (const std::exception& e) {
      // LibTorch built without Kineto (Debian 12's 1.13) sums the operators but keeps no trace.
      std::string why = e.what();
      p.trace_note = "not kept: " + why.substr(0, why.find('\n'));
    }
  }
  return p;
}

void write_step_profile(const StepProfile& p, const std::string& path) {
  const auto calls = [](const std::vector<ProfiledCall>& v) {
    auto a = nlohmann::json::array();
    for (const auto& c : v)
      a.push_back({{"name", c.name}, {"count", c.count}, {"total_s", c.total_s}, {"self_s", c.self_s}});
    return a;
  };
  const nlohmann::json j = {{"first_step", p.first_step},         {"steps", p.steps},
                            {"device", p.device},                 {"span_s", p.span_s},
                            {"device_kernels", calls(p.device_kernels)},
                            {"host_ops", calls(p.host_ops)},      {"trace", p.trace_note}};
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  std::ofstream f(path);
  f << j.dump(1) << "\n";
  f.close();
  if (!f) throw std::runtime_error("cannot write the step profile '" + path + "'");
}

std::string profile_dir(const std::string& results_path) { return results_path + ".profiles"; }

ProfiledSteps::ProfiledSteps(const c10::Device& device, bool here, std::int64_t from_step, std::int64_t steps,
                             std::string results_path, std::string run_id)
    : profiler_(here && steps > 0 ? std::make_unique<StepProfiler>(device) : nullptr),
      from_step_(from_step),
      steps_(steps),
      done_(steps <= 0),
      summary_path_(profile_dir(results_path) + "/" + run_id + ".json"),
      trace_path_(profile_dir(results_path) + "/" + run_id + ".trace.json") {}

ProfiledSteps::~ProfiledSteps() = default;

bool ProfiledSteps::before_step(std::int64_t step) {
  if (done_ || active_ || step < from_step_) return false;
  if (profiler_) {
    try {
      profiler_->start(step);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "harness: warning: --profile-steps: %s; the run goes on without a profile\n", e.what());
      profiler_.reset();
      done_ = true;
      return false;
    }
  }
  active_ = true;
  first_ = step;
  return true;
}

bool ProfiledSteps::after_step(std::int64_t step, bool boundary, bool window_end) {
  if (!active_ || !(boundary || (window_end && step + 1 - first_ >= steps_))) return false;
  stop(step + 1);
  return true;
}

bool ProfiledSteps::end_stretch(std::int64_t next_step) {
  if (!active_) return false;
  stop(next_step);
  return true;
}

void ProfiledSteps::end(std::int64_t next_step) {
  if (end_stretch(next_step) || done_) return;
  if (profiler_)
    std::fprintf(stderr, "harness: warning: --profile-steps: the run ended before step %lld, the first it could profile "
                 "(after --warmup-steps); no profile\n", static_cast<long long>(from_step_));
  done_ = true;
}

void ProfiledSteps::stop(std::int64_t next_step) {
  const auto count = next_step - first_;
  if (profiler_) {
    try {
      const auto profile = profiler_->stop(count, trace_path_);
      write_step_profile(profile, summary_path_);
      std::fprintf(stderr, "harness: profile of steps %lld to %lld (%zu device kernels, %zu host operators) in %s\n",
                   static_cast<long long>(first_), static_cast<long long>(next_step - 1), profile.device_kernels.size(),
                   profile.host_ops.size(), summary_path_.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "harness: warning: --profile-steps: %s; no profile\n", e.what());
    }
    profiler_.reset();
  }
  profiled_ = count;
  active_ = false;
  done_ = true;  // one stretch per run
}

}  // namespace lb
