// Which recorded energy counters make "the energy" of a window, decided once for the harness (the
// run's and each epoch's energy_j) and analyze (docs/methodology.md, "Energy"): the whole node when
// a node counter is readable, else the host's widest domain plus one measurement of the
// accelerators, never a domain together with one that contains it. A class is readable only when
// every counter of it is; unreadable counters give no figure, never zero.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lb {

// One recorded counter over one window (a row of the `energy` table).
struct EnergyCounterRow {
  std::int32_t epoch = -1;  // from 0; -1: the whole run
  std::string counter;      // "source:domain": "rapl:package-0", "rapl:dram", "cray_pm:node", "rocm_smi:gpu"
  double joules = 0;        // NaN (or negative): not available over this window
  double seconds = 0;       // length of the window
  bool integrated = false;  // integrated from power samples rather than read from an energy counter
};

struct CounterSelection {
  bool available = false;
  double joules = 0;
  double seconds = 0;              // the window's length (the longest of its parts)
  std::vector<std::string> parts;  // "source:class" summed: "rapl:package", "rapl:dram", "rocm_smi:gpu"
  bool covers_host = false;        // CPU (and memory) measured
  bool covers_accelerators = false;
  bool integrated = false;         // a part was integrated from power samples
  std::string coverage;            // what the figure covers, in words
  std::vector<std::string> left_out;     // recorded counters not added, and why
  std::vector<std::string> unreadable;   // recorded counters without a figure over the window
};

// `only`: restrict to these parts (each must be readable), so that every window of a run is
// measured by the same counters.
CounterSelection select_counters(const std::vector<EnergyCounterRow>& rows, std::int32_t epoch,
                                 const std::vector<std::string>* only = nullptr);

}  // namespace lb
