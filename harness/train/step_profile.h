// --profile-steps: a few training steps under LibTorch's profiler (the Kineto API that Python's
// torch.profiler drives), summed by name: on a GPU every kernel, copy and memset the device ran,
// with its device time (CUPTI on CUDA, roctracer on ROCm); on every device the host's operators,
// with their own time (a parent's time less its children's) and their total. The summary is what
// explains a step's time kernel by kernel: tests/device/gpu_check.sh sets it beside eager and
// compiled PyTorch's (bench/gpu_profile.py).
#pragma once

#include <c10/core/Device.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lb {

// What ran under the profiler under one name: a kernel on the device, or an operator on the host.
struct ProfiledCall {
  std::string name;
  std::int64_t count = 0;
  double total_s = 0;  // device time; for host operators, from entry to exit (children included)
  double self_s = 0;   // device kernels: total_s; host operators: total_s less the children's
};

struct StepProfile {
  std::int64_t first_step = 0, steps = 0;
  std::string device;                       // "cpu", "cuda:0", ...
  double span_s = 0;                         // host time from the start to the profiled work's end
  std::vector<ProfiledCall> device_kernels;  // empty on CPU; by device time, largest first
  std::vector<ProfiledCall> host_ops;        // by own time, largest first
  std::string trace_note;                    // how the full trace was kept, or why it was not
};

// One event as the profiler reported it, in the summary's terms (StepProfiler converts LibTorch's).
struct ProfiledEvent {
  std::string name;
  bool on_device = false;    // the device's timeline; else a host thread's
  bool device_work = false;  // a kernel, copy or memset (the device's other kinds, annotations
                             // spanning kernels and synchronisation, would count them twice)
  bool async = false;        // a host span that no call nests in
  std::int64_t start_ns = 0, duration_ns = 0, thread = 0;
};

// Sums `events` by name into `out`'s device_kernels and host_ops. A host operator's own time is its
// duration less the parts of it that calls starting inside it on the same thread took (to the
// clock's resolution: where a child's end lies past its parent's, only the overlap counts; where
// two calls start and last alike, the one listed first is the parent).
void summarise(const std::vector<ProfiledEvent>& events, StepProfile& out);

// One profiled stretch of steps. start() waits for the device's queued work (so earlier steps'
// kernels stay out), then turns the profiler on for this thread's operators (and those autograd
// runs for it on its worker threads) and, on a GPU, the device's activity; stop() waits for the device again, turns it off and sums what ran. Only one
// profiler can be on in a process. The destructor turns a profiler still on off.
class StepProfiler {
 public:
  explicit StepProfiler(const c10::Device& device);
  ~StepProfiler();
  StepProfiler(const StepProfiler&) = delete;
  StepProfiler& operator=(const StepProfiler&) = delete;

  // Throws std::runtime_error where this LibTorch cannot profile (the message says why).
  void start();
  bool running() const { return running_; }
  // Ends the stretch of `steps` steps from `first_step`; the whole trace is saved to `trace_path`
  // in Chrome's trace format where this LibTorch was built with Kineto (trace_note says).
  StepProfile stop(std::int64_t first_step, std::int64_t steps, const std::string& trace_path);

 private:
  c10::Device device_;
  bool running_ = false;
  double start_s_ = 0;
};

// The stretch of a run's steps that --profile-steps asks for: `steps` steps from the first one at or
// after `from_step`, ended early where a validation or the run's end comes first (their work is no
// step's); with several ranks it ends at an exchange window's end (a rank that stopped mid-window
// would make the others wait inside the window's later, steady steps), so it may hold more steps.
// Only the rank that profiles (`here`: rank 0) runs the profiler; every rank keeps the same stretch,
// so that all of them start their steps' timeline anew after it. The summary goes to
// "<results_path>.profiles/<run_id>.json", the trace beside it as "<run_id>.trace.json". A
// profiler that cannot start or a summary that cannot be written costs the profile, with a warning
// on stderr, never the run.
class ProfiledSteps {
 public:
  ProfiledSteps(const c10::Device& device, bool here, std::int64_t from_step, std::int64_t steps,
                std::string results_path, std::string run_id);
  ~ProfiledSteps();
  ProfiledSteps(const ProfiledSteps&) = delete;
  ProfiledSteps& operator=(const ProfiledSteps&) = delete;

  // Before step `step` is queued: starts the stretch where it is due.
  void before_step(std::int64_t step);
  // Whether the step being run is in the stretch.
  bool running() const { return active_; }
  // After step `step` was queued. `boundary`: a validation or the run's end follows it;
  // `window_end`: no other rank would wait inside a window for the stretch's end here (the
  // window's last step; any step with one rank). True when the stretch ended here: the host
  // waited and wrote, so the next step's timeline starts anew.
  bool after_step(std::int64_t step, bool boundary, bool window_end);
  // Ends a stretch still running before step `next_step` (a stop request, the adaptive stop):
  // true if there was one.
  bool end_stretch(std::int64_t next_step);
  // The run ends: as end_stretch, and a warning where the stretch never began.
  void end(std::int64_t next_step);
  // Steps in the stretch (0 before it ends, or where it never began).
  std::int64_t profiled() const { return profiled_; }
  // Host seconds spent so far starting and ending the profiler (its waits for the device, the files
  // written): no step's work, so the step loop leaves them out of the epoch's times.
  double cost_s() const { return cost_s_; }

 private:
  void stop(std::int64_t next_step);

  std::unique_ptr<StepProfiler> profiler_;
  std::int64_t from_step_, steps_, first_ = -1, profiled_ = 0;
  double cost_s_ = 0;
  bool active_ = false, done_;
  std::string summary_path_, trace_path_;
};

// Writes `profile` as one JSON object (the fields above, times in seconds) to `path`, creating its
// folder; throws std::runtime_error naming the file when it cannot.
void write_step_profile(const StepProfile& profile, const std::string& path);

// The folder beside a results file that holds its runs' profiles: "<results_path>.profiles".
std::string profile_dir(const std::string& results_path);

}  // namespace lb
