// The data every chart draws: filled by analyze (analysis/), drawn by the writers in charts/.
// No LibTorch, no HDF5: plain values, so charts can be tested from hand-written fixtures.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace lb::charts {

// Where a number comes from. Every chart keeps the kinds visibly distinct. Modelled: predicted by
// analyze's scaling model (an alpha-beta fit of the allreduce sweep), not run. ImportedExtrapolated:
// another source's figure that it extrapolated or that analyze rescaled (to another epoch count):
// drawn as extrapolated, outlined as imported.
enum class Provenance { Measured, Extrapolated, Imported, Modelled, ImportedExtrapolated };

// "measured", "extrapolated", "imported", "modelled", "imported, extrapolated"
const char* to_string(Provenance p);
// True for the kinds drawn hatched/dashed: computed from other work, not timed as the job.
inline bool is_extrapolated(Provenance p) {
  return p == Provenance::Extrapolated || p == Provenance::ImportedExtrapolated;
}

// Where the headline puts a configuration (docs/methodology.md, "Quality and the headline"), so
// that no chart shows a speedup the text refused without saying so. Excluded bars are drawn muted
// with the reason (`mark`) beside them; the headline's bar is highlighted.
enum class Standing {
  InHeadline,  // did the baseline's work and met the quality bar
  Headline,    // the headline's maximum speedup
  Baseline,    // what the speedups are relative to
  Excluded,    // ruled out of the headline: `mark` says why
};

// One configuration's time for the normalized job (same split, same epoch count).
struct Bar {
  std::string label;         // "LUMI 8 nodes (64 GPUs)", "Laptop 1 thread (1% subset)"
  bool is_cluster = false;   // cluster (LUMI) bar or laptop/workstation bar
  // The device or the node and GPU counts are not stated: drawn in a colour of its own, neither
  // the cluster's nor the laptop's.
  bool placement_unknown = false;
  Standing standing = Standing::InHeadline;
  std::string mark;          // raw, short: why it is not in the headline ("below the quality bar: 27.5% < 93.1%")
  int nodes = 0;             // 0 for laptops
  int gpus = 0;              // 0 for CPU runs
  double time_s = 0;         // point estimate for the whole job
  double lo_s = 0, hi_s = 0; // 95% interval; equal to time_s when there is none
  Provenance kind = Provenance::Measured;
  double speedup = 1;        // baseline time / time_s
  double speedup_lo = 1, speedup_hi = 1;
  std::string details;       // tooltip text: configuration, source run ids, notes (raw, unescaped)
  std::vector<std::string> warnings;  // raw, unescaped
};

struct CurvePoint {
  double time_s = 0;    // elapsed training time at the end of the epoch
  double accuracy_pct = 0;  // validation top-1, percent 0..100
  int epoch = 0;        // 1-based
};

// Accuracy against time for one run. A projected curve is a measured accuracy-per-epoch curve
// mapped through another configuration's extrapolated epoch time: drawn dashed, labelled so.
struct AccuracyCurve {
  std::string label;
  bool is_cluster = false;  // colour group: cluster curves in blues, laptop curves in oranges
  bool placement_unknown = false;  // neither: the unknown-placement colour
  Provenance kind = Provenance::Measured;
  bool projected = false;
  std::vector<CurvePoint> points;
  std::string details;
};

// Strong scaling against the smallest cluster configuration.
struct ScalingPoint {
  std::string label;
  int nodes = 0;
  int gpus = 0;
  double time_s = 0;
  double speedup = 1;     // t(reference) / t
  double ideal = 1;       // units / reference units
  double efficiency = 1;  // speedup / ideal, 0..1
  Provenance kind = Provenance::Measured;
  std::string mark;       // raw, short: why the text does not vouch for it (below the quality bar); empty if none
};

// Where one configuration's steady step time goes (bound attribution). Shares of the step, 0..1,
// adding up to at most 1 (the rest is drawn as "other").
struct BoundBar {
  std::string label;
  bool is_cluster = false;
  double data_wait = 0, compute = 0, comm = 0, other = 0;
  std::string bound;    // "compute-bound", "data-bound", "communication-bound"
  std::string details;  // tooltip (raw)
};

// The scaling model at one rank count: the step time and efficiency it predicts (modelled), and
// the measured ones where a configuration ran there. Efficiency = one-rank step time / step time.
struct ScalingModelPoint {
  std::string label;  // the measured configuration's, or "16 nodes" for a rank count not run
  int ranks = 1;
  int nodes = 0;      // 0 when not a whole number of nodes
  double predicted_step_s = 0;
  double predicted_efficiency = 1;
  bool measured = false;
  double measured_step_s = 0;
  double measured_efficiency = 0;
};

// One configuration's job in four figures (chart 9): time, energy, carbon and cost. Energy and
// carbon are measured (energy counters), extrapolated (measured power over an extrapolated time) or
// modelled (a stated power x the time: drawn cross-hatched with a modelled-colour outline); cost
// is a billing rule applied to the time and has the time's kind. A figure that does not exist
// (has_* false: no counters and nothing to model from, the laptop's cost) is drawn as a note.
struct EnergyBar {
  std::string label;
  bool is_cluster = false;
  bool placement_unknown = false;  // its own colour; never billed, no grid of either site
  Standing standing = Standing::InHeadline;
  std::string mark;                // raw, short: why it is not in the headline
  double time_s = 0, time_lo_s = 0, time_hi_s = 0;  // 95% interval; equal to time_s without one
  Provenance time_kind = Provenance::Measured;
  bool has_energy = false;
  double energy_j = 0, energy_lo_j = 0, energy_hi_j = 0;
  Provenance energy_kind = Provenance::Measured;  // carbon has the same kind
  bool has_co2 = false;
  double co2_g = 0, co2_lo_g = 0, co2_hi_g = 0;   // g CO2e
  bool has_cost = false;
  double cost = 0, cost_lo = 0, cost_hi = 0;      // in ChartData::billing_unit
  Provenance cost_kind = Provenance::Measured;
  std::string details;  // tooltip (raw): how each figure was obtained, what the counters cover

  // One panel's figure: 0 time, 1 energy, 2 carbon, 3 cost (the panel order of chart 9).
  struct Figure {
    bool present;
    double value, lo, hi;
    Provenance kind;
  };
  Figure figure(int panel) const {
    switch (panel) {
      case 0: return {true, time_s, time_lo_s, time_hi_s, time_kind};
      case 1: return {has_energy, energy_j, energy_lo_j, energy_hi_j, energy_kind};
      case 2: return {has_co2, co2_g, co2_lo_g, co2_hi_g, energy_kind};
      default: return {has_cost, cost, cost_lo, cost_hi, cost_kind};
    }
  }
};

// Peak memory of one configuration (chart 10), in bytes; 0 = not recorded (or none: a CPU run's
// device memory). Always measured.
struct MemoryBar {
  std::string label;
  bool is_cluster = false;
  bool gpu = false;  // no device memory recorded reads "not recorded", not "none (CPU)"
  double host_bytes = 0;        // peak resident memory of the largest rank (rank 0's when only that is known)
  double host_rank0_bytes = 0;  // rank 0's
  double device_bytes = 0;      // peak GPU memory allocated, largest rank
  std::string details;          // tooltip (raw)
};

struct ChartData {
  std::string cluster_name = "LUMI";  // used in titles and file names ("lumi_vs_laptop_...")
  std::string job_description;        // "ViT-B/16, Tiny ImageNet train split 80,000, 10 epochs"
  int epochs = 0;
  std::string baseline_label;
  std::vector<Bar> bars;  // in display order
  std::vector<AccuracyCurve> accuracy;
  std::string scaling_unit = "nodes";  // "nodes" or "GPUs"
  std::vector<ScalingPoint> scaling;
  std::vector<std::pair<std::string, std::string>> efficiency_panel;  // (name, value) side panel
  std::vector<std::string> warnings;  // comparison-wide warnings (raw, unescaped)
  // Set when the charts show a sample of the configurations (too many to read): said under every
  // chart it applies to (raw).
  std::string sample_note;

  double target_accuracy = 0;          // percent; drawn as a line in the accuracy charts; 0 = none
  std::vector<BoundBar> bounds;        // in display order
  std::vector<ScalingModelPoint> model;  // by ranks; drawn when there are at least two
  std::string model_description;       // "alpha 12 us, beta ..." (raw)

  std::vector<EnergyBar> energy;       // in display order
  std::string billing_unit = "GPU-hours";
  std::string energy_footnote;         // one line under the static chart (raw): the assumptions, short
  std::vector<std::string> energy_assumptions;  // every assumption with its source (raw), for the HTML notes
  std::vector<MemoryBar> memory;       // in display order
};

struct WriteOptions {
  std::string out_dir;
  bool static_images = true;  // PNG/PDF through gnuplot when it is installed
  // The gnuplot to run; empty = search PATH for "gnuplot". A path that does not exist counts as
  // "gnuplot missing": the .gp scripts and data are still written, only the images are not.
  std::string gnuplot_executable;
};

struct WriteResult {
  std::vector<std::string> written;   // paths of the files written
  std::vector<std::string> messages;  // e.g. "gnuplot not found: install gnuplot-... for PNG/PDF"
  // Charts whose images the chart tool failed to draw, each with its name and why; their PNG and
  // PDF are removed (never left empty or half written), the .gp and .dat stay.
  std::vector<std::string> failed;
};

// Writes every chart into opts.out_dir (created if missing). Throws std::runtime_error naming the
// file on a failed write, and std::invalid_argument naming the field when the data cannot be drawn
// (a non-positive or non-finite time on a log axis, an empty out_dir, bound shares outside 0..1 or
// adding up to more than 1, a model point without ranks or with a non-positive step time, an energy
// bar's energy, carbon or cost not positive or outside its interval, a memory figure negative). A
// chart without data (no accuracy curves, fewer than two scaling points, no bound bars, fewer than
// two model points, no energy or memory bars) is skipped with a message, not an error.
WriteResult write_all(const ChartData& data, const WriteOptions& opts);

}  // namespace lb::charts
