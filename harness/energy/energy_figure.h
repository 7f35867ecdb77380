// The plain data a measurement ends as: energy in joules per (source, domain) over a window.
// Plain strings and numbers only, so a caller with MPI can gather one Reading per node
// (reading_codec.h turns it into bytes) and merge them (node_merge.h).
#pragma once

#include <string>
#include <vector>

namespace lb::energy {

// How the joules were obtained: read from a hardware energy counter, or integrated from power
// samples (trapezoids between samples, so its error grows with the sampling interval).
enum class Kind { counter, integrated_power };

const char* kind_name(Kind kind);  // "counter", "integrated_power"

struct EnergyFigure {
  std::string source;  // "rapl", "cray_pm", "nvml", "rocm_smi", "amd_smi"
  // What is measured, unique within one source on one node: "package-0", "dram-0", "node",
  // "cpu", "memory", "accel0", "gpu0". Empty when the whole source is unavailable.
  std::string domain;
  // The physical meter read, unique in the whole job ("<node>/intel-rapl:0", "<node>/energy",
  // "GPU-<uuid>", "<node>/module@0000:c1:00.0"): figures with the same source and unit are the same
  // measurement taken by two readers, and node_merge counts them once.
  std::string unit;
  Kind kind = Kind::counter;
  bool available = false;
  std::string reason;  // why not available; empty when available
  double joules = 0;   // meaningful only when available: unavailable is never reported as zero
};

// One reader's figures over one window (between two marks of an EnergyMeter).
struct Reading {
  std::string node;  // host the reading was taken on
  double seconds = 0;
  std::vector<EnergyFigure> figures;
};

}  // namespace lb::energy
