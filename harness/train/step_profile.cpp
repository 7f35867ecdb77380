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

std::vector<ProfiledEvent> converted(const std::vector<kp::KinetoEvent>& events) {
  std::vector<ProfiledEvent> out;
  out.reserve(events.size());
  for (const auto& e : events) {
    ProfiledEvent p;
    p.name = e.name();
    p.on_device = e.deviceType() != c10::DeviceType::CPU;
    const auto kind = e.activityType();
    p.device_work = p.on_device && (kind == kDeviceKernel || kind == kDeviceCopy || kind == kDeviceSet);
    p.async = e.isAsync();
    p.start_ns = start_ns(e, 0);
    p.duration_ns = duration_ns(e, 0);
    p.thread = std::int64_t(e.startThreadId());
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace

void summarise(const std::vector<ProfiledEvent>& events, StepProfile& out) {
  std::map<std::string, ProfiledCall> device, host;
  std::vector<size_t> calls;  // indices of the host's calls
  for (size_t i = 0; i < events.size(); ++i) {
    const auto& e = events[i];
    if (e.on_device) {
      if (!e.device_work) continue;
      auto& c = device[e.name];
      c.count += 1;
      c.total_s += double(e.duration_ns) * 1e-9;
      c.self_s = c.total_s;
    } else if (!e.async) {
      calls.push_back(i);
    }
  }
  // Parents before their children: by thread, then start, the longer (outer) one first, then as listed.
  std::sort(calls.begin(), calls.end(), [&](size_t a, size_t b) {
    const auto &x = events[a], &y = events[b];
    if (x.thread != y.thread) return x.thread < y.thread;
    if (x.start_ns != y.start_ns) return x.start_ns < y.start_ns;
    if (x.duration_ns != y.duration_ns) return x.duration_ns > y.duration_ns;
    return a < b;
  });
  const auto end_of = [&](size_t i) { return events[i].start_ns + events[i].duration_ns; };
  std::vector<std::int64_t> self(events.size());
  std::vector<size_t> open;  // the enclosing calls, innermost last
  for (const size_t i : calls) {
    const auto& e = events[i];
    self[i] = e.duration_ns;
    while (!open.empty() && (events[open.back()].thread != e.thread || e.start_ns >= end_of(open.back())))
      open.pop_back();
    if (!open.empty()) self[open.back()] -= std::min(end_of(i), end_of(open.back())) - e.start_ns;
    open.push_back(i);
  }
  for (const size_t i : calls) {
    auto& c = host[events[i].name];
    c.count += 1;
    c.total_s += double(events[i].duration_ns) * 1e-9;
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

StepProfiler::StepProfiler(const c10::Device& device) : device_(device) {}

StepProfiler::~StepProfiler() {
  if (!running_) return;
  try {
    kp::disableProfiler();
  } catch (...) {
    // A run that ended by an error while profiling: that error is the one to report.
  }
}

void StepProfiler::start() {
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
  start_s_ = now_s();
}

StepProfile StepProfiler::stop(std::int64_t first_step, std::int64_t steps, const std::string& trace_path) {
  if (!running_) throw std::logic_error("StepProfiler::stop: not running");
  // The profiled steps' kernels end before the profiler does, or their device times are lost.
  wait_for_device(device_);
  const double span_s = now_s() - start_s_;  // the profiler's own wrapping up after this is no step's
  running_ = false;
  const auto result = kp::disableProfiler();
  StepProfile p;
  p.span_s = span_s;
  p.first_step = first_step;
  p.steps = steps;
  p.device = device_.str();
  if (result) summarise(converted(result->events()), p);
  if (result) {
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

void ProfiledSteps::before_step(std::int64_t step) {
  if (done_ || active_ || step < from_step_) return;
  if (profiler_) {
    const double t0 = now_s();
    try {
      profiler_->start();
      cost_s_ += now_s() - t0;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "harness: warning: --profile-steps: %s; the run goes on without a profile\n", e.what());
      profiler_.reset();
      done_ = true;
      return;
    }
  }
  active_ = true;
  first_ = step;
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
    const double t0 = now_s();
    try {
      const auto profile = profiler_->stop(first_, count, trace_path_);
      write_step_profile(profile, summary_path_);
      std::fprintf(stderr, "harness: profile of steps %lld to %lld (%zu device kernels, %zu host operators) in %s\n",
                   static_cast<long long>(first_), static_cast<long long>(next_step - 1), profile.device_kernels.size(),
                   profile.host_ops.size(), summary_path_.c_str());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "harness: warning: --profile-steps: %s; no profile\n", e.what());
    }
    profiler_.reset();
    cost_s_ += now_s() - t0;
  }
  profiled_ = count;
  active_ = false;
  done_ = true;  // one stretch per run
}

}  // namespace lb
