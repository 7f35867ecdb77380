// write_all: checks the data, writes every chart that has data, renders the static ones.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "charts/chart_data.h"
#include "charts/chart_files.h"
#include "charts/gnuplot_charts.h"
#include "charts/gnuplot_runner.h"
#include "charts/html_charts.h"

namespace lb::charts {
namespace {

namespace fs = std::filesystem;

bool positive(double v) { return std::isfinite(v) && v > 0; }

[[noreturn]] void bad(const std::string& what, const std::string& expected) {
  throw std::invalid_argument("chart data: " + what + ", expected " + expected);
}

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// Everything drawn on a log axis must be positive; intervals must contain their estimate.
void validate(const ChartData& data) {
  for (std::size_t i = 0; i < data.bars.size(); ++i) {
    const Bar& b = data.bars[i];
    const std::string name = "bars[" + std::to_string(i) + "] ('" + b.label + "')";
    if (!positive(b.time_s)) bad(name + ".time_s = " + num(b.time_s), "a positive number of seconds");
    const bool has_interval = b.hi_s > b.lo_s;
    if (has_interval && !(positive(b.lo_s) && b.lo_s <= b.time_s && b.time_s <= b.hi_s && std::isfinite(b.hi_s))) {
      bad(name + " interval [" + num(b.lo_s) + ", " + num(b.hi_s) + "] s", "0 < lo_s <= time_s <= hi_s");
    }
    if (!positive(b.speedup)) bad(name + ".speedup = " + num(b.speedup), "a positive number");
  }
  for (std::size_t i = 0; i < data.accuracy.size(); ++i) {
    const AccuracyCurve& c = data.accuracy[i];
    for (std::size_t j = 0; j < c.points.size(); ++j) {
      const CurvePoint& p = c.points[j];
      const std::string name = "accuracy[" + std::to_string(i) + "] ('" + c.label + "').points[" + std::to_string(j) + "]";
      if (!positive(p.time_s)) bad(name + ".time_s = " + num(p.time_s), "a positive number of seconds");
      if (!std::isfinite(p.accuracy_pct) || p.accuracy_pct < 0 || p.accuracy_pct > 100) {
        bad(name + ".accuracy_pct = " + num(p.accuracy_pct), "a percentage in 0..100");
      }
    }
  }
  if (data.target_accuracy != 0 && !(std::isfinite(data.target_accuracy) && data.target_accuracy > 0 &&
                                      data.target_accuracy <= 100)) {
    bad("target_accuracy = " + num(data.target_accuracy), "0 (none) or a percentage in (0, 100]");
  }
  for (std::size_t i = 0; i < data.bounds.size(); ++i) {
    const BoundBar& b = data.bounds[i];
    const std::string name = "bounds[" + std::to_string(i) + "] ('" + b.label + "')";
    for (double v : {b.data_wait, b.compute, b.comm, b.other}) {
      if (!std::isfinite(v) || v < 0 || v > 1) bad(name + " share " + num(v), "a fraction in 0..1");
    }
    if (b.data_wait + b.compute + b.comm + b.other > 1 + 1e-6) {
      bad(name + " shares add up to " + num(b.data_wait + b.compute + b.comm + b.other), "at most 1");
    }
  }
  for (std::size_t i = 0; i < data.model.size(); ++i) {
    const ScalingModelPoint& p = data.model[i];
    const std::string name = "model[" + std::to_string(i) + "] ('" + p.label + "')";
    if (p.ranks < 1) bad(name + " has " + std::to_string(p.ranks) + " ranks", "at least 1");
    if (!positive(p.predicted_step_s) || !std::isfinite(p.predicted_efficiency) || p.predicted_efficiency < 0) {
      bad(name + " predicted step/efficiency = " + num(p.predicted_step_s) + "/" + num(p.predicted_efficiency),
          "a positive step time and efficiency >= 0");
    }
    if (p.measured && (!positive(p.measured_step_s) || !std::isfinite(p.measured_efficiency) || p.measured_efficiency < 0)) {
      bad(name + " measured step/efficiency = " + num(p.measured_step_s) + "/" + num(p.measured_efficiency),
          "a positive step time and efficiency >= 0");
    }
  }
  // A figure with an interval that contains it, positive (a log axis), or no interval (lo == hi).
  const auto check_figure = [](const std::string& name, double v, double lo, double hi, const char* unit) {
    if (!positive(v)) bad(name + " = " + num(v), std::string("a positive number of ") + unit);
    if (hi > lo && !(positive(lo) && lo <= v && v <= hi && std::isfinite(hi))) {
      bad(name + " interval [" + num(lo) + ", " + num(hi) + "]", "0 < lo <= value <= hi");
    }
  };
  for (std::size_t i = 0; i < data.energy.size(); ++i) {
    const EnergyBar& b = data.energy[i];
    const std::string name = "energy[" + std::to_string(i) + "] ('" + b.label + "')";
    check_figure(name + ".time_s", b.time_s, b.time_lo_s, b.time_hi_s, "seconds");
    if (b.has_energy) check_figure(name + ".energy_j", b.energy_j, b.energy_lo_j, b.energy_hi_j, "joules");
    if (b.has_co2) check_figure(name + ".co2_g", b.co2_g, b.co2_lo_g, b.co2_hi_g, "grams");
    if (b.has_cost) check_figure(name + ".cost", b.cost, b.cost_lo, b.cost_hi, "billing units");
  }
  for (std::size_t i = 0; i < data.memory.size(); ++i) {
    const MemoryBar& m = data.memory[i];
    for (double v : {m.host_bytes, m.host_rank0_bytes, m.device_bytes}) {
      if (!std::isfinite(v) || v < 0) {
        bad("memory[" + std::to_string(i) + "] ('" + m.label + "') = " + num(v) + " bytes", "0 (not recorded) or more");
      }
    }
  }
  if (data.scaling_unit != "nodes" && data.scaling_unit != "GPUs") {
    bad("scaling_unit = '" + data.scaling_unit + "'", "\"nodes\" or \"GPUs\"");
  }
  for (std::size_t i = 0; i < data.scaling.size(); ++i) {
    const ScalingPoint& p = data.scaling[i];
    const std::string name = "scaling[" + std::to_string(i) + "] ('" + p.label + "')";
    const int units = data.scaling_unit == "GPUs" ? p.gpus : p.nodes;
    if (units <= 0) bad(name + " has " + std::to_string(units) + " " + data.scaling_unit, "at least 1");
    if (!positive(p.speedup) || !positive(p.ideal) || !std::isfinite(p.efficiency) || p.efficiency < 0) {
      bad(name + " speedup/ideal/efficiency = " + num(p.speedup) + "/" + num(p.ideal) + "/" + num(p.efficiency),
          "positive speedup and ideal, efficiency >= 0");
    }
  }
}

class Writer {
 public:
  Writer(fs::path dir, WriteResult& result) : dir_(std::move(dir)), result_(result) {}

  void write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw std::runtime_error("cannot write chart file " + path.string() + ": " + std::strerror(errno));
    result_.written.push_back(path.string());
  }

  void write_gnuplot(const std::string& stem, const GnuplotChart& chart) {
    write(stem + ".gp", chart.script);
    write(stem + ".dat", chart.data);
    scripts_.push_back(stem);
  }

  // Renders every script written so far; a failure is reported, not thrown: the HTML charts and
  // the scripts are still useful without the images.
  void render(const WriteOptions& opts) {
    if (scripts_.empty() || !opts.static_images) return;
    const std::string gnuplot = find_gnuplot(opts.gnuplot_executable);
    if (gnuplot.empty()) {
      result_.messages.push_back(gnuplot_missing_message(opts.gnuplot_executable));
      return;
    }
    for (const std::string& stem : scripts_) {
      const GnuplotResult run = run_gnuplot(gnuplot, dir_.string(), stem + ".gp");
      std::string why;
      if (!run.ok) {
        why = "gnuplot failed (" + run.error + ")";
      } else {
        for (const char* ext : {".png", ".pdf"}) {
          std::error_code ec;
          const fs::path image = dir_ / (stem + ext);
          if (!fs::is_regular_file(image, ec) || fs::file_size(image, ec) == 0) {
            why = "gnuplot ran but wrote no " + image.filename().string();
          }
        }
      }
      if (why.empty()) {
        for (const char* ext : {".png", ".pdf"}) result_.written.push_back((dir_ / (stem + ext)).string());
        continue;
      }
      // No empty or half-drawn image is left to pass for a chart.
      for (const char* ext : {".png", ".pdf"}) {
        std::error_code ec;
        fs::remove(dir_ / (stem + ext), ec);
      }
      result_.failed.push_back(stem + ".png/.pdf not drawn: " + why + "; " + stem + ".gp and " + stem +
                               ".dat are kept in " + dir_.string());
    }
  }

 private:
  fs::path dir_;
  WriteResult& result_;
  std::vector<std::string> scripts_;
};

}  // namespace

WriteResult write_all(const ChartData& data, const WriteOptions& opts) {
  if (opts.out_dir.empty()) throw std::invalid_argument("charts: out_dir is empty, expected the directory to write into");
  validate(data);
  std::error_code ec;
  fs::create_directories(opts.out_dir, ec);
  if (ec || !fs::is_directory(opts.out_dir)) {
    throw std::runtime_error("cannot create chart directory " + opts.out_dir + ": " + ec.message());
  }
  WriteResult result;
  Writer out(opts.out_dir, result);
  const auto stem = [&](Chart c) { return file_stem(data.cluster_name, c); };

  if (!data.bars.empty()) {
    out.write(stem(Chart::AnimatedComparison) + ".html", render_html(animated_comparison_html(data)));
    out.write(stem(Chart::ProgressRace) + ".html", render_html(progress_race_html(data)));
    out.write_gnuplot(stem(Chart::Comparison), comparison_gnuplot(data, stem(Chart::Comparison)));
  } else {
    result.messages.push_back("no configurations to compare: comparison, animated and race charts skipped");
  }

  bool any_points = false;
  for (const AccuracyCurve& c : data.accuracy) any_points = any_points || !c.points.empty();
  if (any_points) {
    out.write(stem(Chart::AccuracyVsTime) + ".html", render_html(accuracy_html(data)));
    out.write_gnuplot(stem(Chart::AccuracyVsTime), accuracy_gnuplot(data, stem(Chart::AccuracyVsTime)));
  } else {
    result.messages.push_back("no run with validation accuracy: accuracy-vs-time charts skipped");
  }

  if (data.scaling.size() >= 2) {
    out.write(stem(Chart::ScalingEfficiency) + ".html", render_html(scaling_efficiency_html(data)));
    out.write_gnuplot(stem(Chart::ScalingAnalysis), scaling_gnuplot(data, stem(Chart::ScalingAnalysis)));
  } else {
    result.messages.push_back("fewer than two " + data.cluster_name +
                              " configurations: scaling charts skipped");
  }

  if (!data.bounds.empty()) {
    out.write(stem(Chart::BoundAttribution) + ".html", render_html(bound_html(data)));
    out.write_gnuplot(stem(Chart::BoundAttribution), bound_gnuplot(data, stem(Chart::BoundAttribution)));
  } else {
    result.messages.push_back("no configuration with step records: bound attribution charts skipped");
  }

  if (data.model.size() >= 2) {
    out.write(stem(Chart::ScalingModel) + ".html", render_html(scaling_model_html(data)));
    out.write_gnuplot(stem(Chart::ScalingModel), scaling_model_gnuplot(data, stem(Chart::ScalingModel)));
  } else {
    result.messages.push_back("no scaling model (it needs an allreduce sweep and a one-rank run): scaling model "
                              "charts skipped");
  }

  if (!data.energy.empty()) {
    out.write(stem(Chart::EnergyCost) + ".html", render_html(energy_cost_html(data)));
    out.write_gnuplot(stem(Chart::EnergyCost), energy_cost_gnuplot(data, stem(Chart::EnergyCost)));
  } else {
    result.messages.push_back("no configuration with a job time: energy and cost charts skipped");
  }

  if (!data.memory.empty()) {
    out.write(stem(Chart::Memory) + ".html", render_html(memory_html(data)));
    out.write_gnuplot(stem(Chart::Memory), memory_gnuplot(data, stem(Chart::Memory)));
  } else {
    result.messages.push_back("no configuration with recorded memory: memory charts skipped");
  }

  out.render(opts);
  return result;
}

}  // namespace lb::charts
