#include "harness/energy/energy_meter.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace lb::energy {
namespace {

double steady_seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Reading energy_between(const EnergyMark& from, const EnergyMark& to) {
  Reading r;
  r.node = to.node;
  r.seconds = to.t_s - from.t_s;
  for (const auto& e : to.entries) {
    EnergyFigure f;
    f.source = e.source;
    f.domain = e.domain;
    f.unit = e.state.unit;
    f.kind = e.state.kind;
    const MarkEntry* before = nullptr;
    for (const auto& b : from.entries)
      if (b.source == e.source && b.domain == e.domain) before = &b;
    if (!before) {
      f.reason = "not measured at the first mark";
    } else if (!e.state.available) {
      f.reason = e.state.reason;
    } else if (!before->state.available) {
      f.reason = "unavailable at the first mark: " + before->state.reason;
    } else if (e.state.gaps != before->state.gaps) {
      f.reason = "interrupted between the marks: " + e.state.gap_reason;
    } else {
      f.available = true;
      f.joules = e.state.total_j - before->state.total_j;
    }
    r.figures.push_back(f);
  }
  return r;
}

struct EnergyMeter::Impl {
  Impl(std::vector<std::unique_ptr<CounterSource>> s, MeterOptions o) : sources(std::move(s)), options(std::move(o)) {
    if (!options.clock) options.clock = steady_seconds;
  }
  void run();
  void sample_locked();
  EnergyMark snapshot_locked() const;

  std::vector<std::unique_ptr<CounterSource>> sources;
  MeterOptions options;

  mutable std::mutex sample_mutex;  // sources, accumulators, origin, samples
  std::vector<std::pair<std::string, std::string>> order;  // (source, domain) as first seen
  std::map<std::pair<std::string, std::string>, DomainAccumulator> accumulators;
  std::unique_ptr<EnergyMark> origin;
  double last_t = 0;
  std::uint64_t samples = 0;

  mutable std::mutex thread_mutex;  // stop_requested, thread
  std::condition_variable wake;
  bool stop_requested = false;
  std::thread thread;
};

void EnergyMeter::Impl::run() {
  const auto interval = std::chrono::duration<double>(options.interval_s);
  std::unique_lock<std::mutex> lock(thread_mutex);
  for (;;) {
    // Waiting on the condition variable (not sleeping) is what makes stop() prompt.
    if (wake.wait_for(lock, interval, [this] { return stop_requested; })) return;
    lock.unlock();
    {
      std::lock_guard<std::mutex> sample_lock(sample_mutex);
      sample_locked();
    }
    lock.lock();
  }
}

void EnergyMeter::Impl::sample_locked() {
  const double t = options.clock();
  for (const auto& source : sources) {
    const std::string name = source->name();
    for (const auto& s : source->read(t)) {
      const auto key = std::make_pair(name, s.domain);
      auto it = accumulators.find(key);
      if (it == accumulators.end()) {
        it = accumulators.emplace(key, DomainAccumulator()).first;
        order.push_back(key);
      }
      it->second.add(s, t);
    }
  }
  last_t = t;
  ++samples;
  if (!origin) origin = std::make_unique<EnergyMark>(snapshot_locked());
}

EnergyMark EnergyMeter::Impl::snapshot_locked() const {
  EnergyMark m;
  m.t_s = last_t;
  m.node = options.node;
  for (const auto& key : order) m.entries.push_back({key.first, key.second, accumulators.at(key).state()});
  return m;
}

EnergyMeter::EnergyMeter(std::vector<std::unique_ptr<CounterSource>> sources, MeterOptions options)
    : impl_(std::make_unique<Impl>(std::move(sources), std::move(options))) {}

EnergyMeter::~EnergyMeter() { stop(); }

void EnergyMeter::start() {
  Impl& m = *impl_;
  {
    std::lock_guard<std::mutex> lock(m.sample_mutex);
    if (!m.origin) m.sample_locked();
  }
  std::lock_guard<std::mutex> lock(m.thread_mutex);
  if (m.thread.joinable() || m.options.interval_s <= 0) return;
  m.stop_requested = false;
  m.thread = std::thread([&m] { m.run(); });
}

void EnergyMeter::stop() {
  Impl& m = *impl_;
  std::thread t;
  {
    std::lock_guard<std::mutex> lock(m.thread_mutex);
    m.stop_requested = true;
    t = std::move(m.thread);
  }
  m.wake.notify_all();
  if (t.joinable()) t.join();
}

bool EnergyMeter::running() const {
  std::lock_guard<std::mutex> lock(impl_->thread_mutex);
  return impl_->thread.joinable() && !impl_->stop_requested;
}

EnergyMark EnergyMeter::mark() {
  std::lock_guard<std::mutex> lock(impl_->sample_mutex);
  impl_->sample_locked();
  return impl_->snapshot_locked();
}

Reading EnergyMeter::since_start() {
  std::lock_guard<std::mutex> lock(impl_->sample_mutex);
  impl_->sample_locked();
  return energy_between(*impl_->origin, impl_->snapshot_locked());
}

std::uint64_t EnergyMeter::samples_taken() const {
  std::lock_guard<std::mutex> lock(impl_->sample_mutex);
  return impl_->samples;
}

}  // namespace lb::energy
