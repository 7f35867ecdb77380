// Recorded counter trees for the energy tests: files written into a fresh temporary directory
// that stands in for /sys/class/powercap, /sys/cray/pm_counters or /proc.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/energy/counter_source.h"
#include "harness/energy/energy_meter.h"

namespace lb::energy::test {

class CounterTree {
 public:
  explicit CounterTree(const std::string& name)
      : root_(std::filesystem::temp_directory_path() / ("lb_energy_" + name + "_" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  ~CounterTree() {
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
  }
  CounterTree(const CounterTree&) = delete;
  CounterTree& operator=(const CounterTree&) = delete;

  std::string root() const { return root_.string(); }
  std::string path(const std::string& rel) const { return (root_ / rel).string(); }

  void write(const std::string& rel, const std::string& text) const {
    const auto p = root_ / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::trunc) << text;
  }
  void mkdir(const std::string& rel) const { std::filesystem::create_directories(root_ / rel); }
  void remove(const std::string& rel) const { std::filesystem::remove_all(root_ / rel); }

 private:
  std::filesystem::path root_;
};

// A source whose samples the test decides.
class FakeSource final : public CounterSource {
 public:
  FakeSource(std::string name, std::function<std::vector<DomainSample>(double)> read)
      : name_(std::move(name)), read_(std::move(read)) {}
  std::string name() const override { return name_; }
  std::vector<DomainSample> read(double now_s) override { return read_(now_s); }

 private:
  std::string name_;
  std::function<std::vector<DomainSample>(double)> read_;
};

// A meter over one source with a clock the test moves (no thread: samples at marks only).
struct ManualMeter {
  double t = 0;
  std::unique_ptr<EnergyMeter> meter;

  explicit ManualMeter(std::unique_ptr<CounterSource> source, std::string node = "n0") {
    std::vector<std::unique_ptr<CounterSource>> sources;
    sources.push_back(std::move(source));
    MeterOptions o;
    o.interval_s = 0;
    o.node = std::move(node);
    o.clock = [this] { return t; };
    meter = std::make_unique<EnergyMeter>(std::move(sources), o);
  }
  ManualMeter(const ManualMeter&) = delete;  // the clock points at this object's t
  ManualMeter& operator=(const ManualMeter&) = delete;
};

// A copy, so that it may be taken from a temporary Reading.
inline std::optional<EnergyFigure> find_figure(const Reading& r, const std::string& source, const std::string& domain) {
  for (const auto& f : r.figures)
    if (f.source == source && f.domain == domain) return f;
  return std::nullopt;
}

inline const DomainSample* find_sample(const std::vector<DomainSample>& samples, const std::string& domain) {
  for (const auto& s : samples)
    if (s.domain == domain) return &s;
  return nullptr;
}

}  // namespace lb::energy::test
