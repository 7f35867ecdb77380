#include "demo_fixture.h"

#include <string>

namespace lb::charts::demo {
namespace {

Bar bar(std::string label, bool cluster, int nodes, int gpus, double t, double lo, double hi,
        Provenance kind, double speedup, double s_lo, double s_hi, std::string details) {
  Bar b;
  b.label = std::move(label);
  b.is_cluster = cluster;
  b.nodes = nodes;
  b.gpus = gpus;
  b.time_s = t;
  b.lo_s = lo;
  b.hi_s = hi;
  b.kind = kind;
  b.speedup = speedup;
  b.speedup_lo = s_lo;
  b.speedup_hi = s_hi;
  b.details = std::move(details);
  return b;
}

ScalingPoint scaling(std::string label, int nodes, double t, double t_ref, Provenance kind, std::string mark = "") {
  ScalingPoint p;
  p.mark = std::move(mark);
  p.label = std::move(label);
  p.nodes = nodes;
  p.gpus = 8 * nodes;
  p.time_s = t;
  p.speedup = t_ref / t;
  p.ideal = nodes;
  p.efficiency = p.speedup / p.ideal;
  p.kind = kind;
  return p;
}

BoundBar bound(std::string label, bool cluster, double wait, double compute, double comm, double other,
               std::string name) {
  BoundBar b;
  b.label = std::move(label);
  b.is_cluster = cluster;
  b.data_wait = wait;
  b.compute = compute;
  b.comm = comm;
  b.other = other;
  b.bound = std::move(name);
  return b;
}

ScalingModelPoint model_point(std::string label, int ranks, int nodes, double predicted_s, bool measured,
                              double measured_s) {
  ScalingModelPoint p;
  p.label = std::move(label);
  p.ranks = ranks;
  p.nodes = nodes;
  p.predicted_step_s = predicted_s;
  p.predicted_efficiency = 0.30 / predicted_s;
  p.measured = measured;
  if (measured) {
    p.measured_step_s = measured_s;
    p.measured_efficiency = 0.30 / measured_s;
  }
  return p;
}

EnergyBar energy_bar(std::string label, bool cluster, double t, double t_lo, double t_hi, Provenance t_kind,
                     double joules, double j_lo, double j_hi, Provenance e_kind, double grid_g_per_kwh, double cost_per_s) {
  EnergyBar b;
  b.label = std::move(label);
  b.is_cluster = cluster;
  b.time_s = t;
  b.time_lo_s = t_lo;
  b.time_hi_s = t_hi;
  b.time_kind = t_kind;
  b.has_energy = joules > 0;
  b.energy_j = joules;
  b.energy_lo_j = j_lo;
  b.energy_hi_j = j_hi;
  b.energy_kind = e_kind;
  b.has_co2 = b.has_energy;
  b.co2_g = joules / 3.6e6 * grid_g_per_kwh;
  b.co2_lo_g = j_lo / 3.6e6 * grid_g_per_kwh;
  b.co2_hi_g = j_hi / 3.6e6 * grid_g_per_kwh;
  b.has_cost = cost_per_s > 0;
  b.cost = t * cost_per_s;
  b.cost_lo = t_lo * cost_per_s;
  b.cost_hi = t_hi * cost_per_s;
  b.cost_kind = t_kind;
  return b;
}

MemoryBar memory_bar(std::string label, bool cluster, double host_gib, double rank0_gib, double device_gib) {
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  MemoryBar m;
  m.label = std::move(label);
  m.is_cluster = cluster;
  m.gpu = cluster;  // the demo's laptops have no GPU
  m.host_bytes = host_gib * kGiB;
  m.host_rank0_bytes = rank0_gib * kGiB;
  m.device_bytes = device_gib * kGiB;
  return m;
}

}  // namespace

ChartData fixture() {
  ChartData d;
  d.cluster_name = "LUMI";
  d.job_description = "DEMO FIXTURE, illustrative numbers \u00b7 ViT-B/16, Tiny ImageNet train split 80,000, 10 epochs";
  d.epochs = 10;
  d.baseline_label = "Laptop 1 thread";
  const double base = 1.3e6;  // s, the baseline's extrapolated time (about 15 days)
  d.bars = {
      bar("LUMI 8 nodes (64 GPUs)", true, 8, 64, 540, 520, 565, Provenance::Imported, base / 540,
          base / 565, base / 520, "imported from the reference CSV, row 'vit_b_16,8'"),
      bar("LUMI 4 nodes (32 GPUs)", true, 4, 32, 960, 930, 1000, Provenance::Imported, base / 960,
          base / 1000, base / 930, "imported from the reference CSV, row 'vit_b_16,4'"),
      bar("LUMI 1 node (8 GPUs)", true, 1, 8, 3400, 3400, 3400, Provenance::Measured, base / 3400,
          base / 3400, base / 3400, "run 20261124T070000Z-nid005123-4242-j123456"),
      bar(kXssName, false, 0, 0, 2.6e5, 2.3e5, 2.9e5, Provenance::Extrapolated, base / 2.6e5,
          base / 2.9e5, base / 2.3e5, "host <script>alert('host')</script> & \"co\"\nsecond line"),
      bar("Laptop 1 thread", false, 0, 0, base, 1.2e6, 1.4e6, Provenance::Extrapolated, 1, 1, 1,
          "1% subset, 2 epochs, extrapolated to the full job"),
  };
  d.bars[3].warnings = {"only 2 epochs measured: <b>wide</b> interval"};
  d.bars[4].warnings = {"extrapolated from a 1% subset"};
  // Where the headline puts them: the 8-node bar is the headline's, the 4-node one is ruled out
  // (drawn pale, the reason beside it), the last is the baseline.
  d.bars[0].standing = Standing::Headline;
  d.bars[1].standing = Standing::Excluded;
  d.bars[1].mark = kBelowBar;
  d.bars[4].standing = Standing::Baseline;

  AccuracyCurve laptop;
  laptop.label = "Laptop 8 threads (1% subset)";
  laptop.kind = Provenance::Measured;
  AccuracyCurve node;
  node.label = "LUMI 1 node (8 GPUs)";
  node.is_cluster = true;
  node.kind = Provenance::Measured;
  AccuracyCurve eight;
  eight.label = "LUMI 8 nodes (64 GPUs)";
  eight.is_cluster = true;
  eight.kind = Provenance::Extrapolated;
  eight.projected = true;
  eight.details = "accuracy of the 1-node run, epoch time of the 8-node reference";
  const double node_acc[] = {6.1, 12.4, 18.0, 22.9, 27.3, 31.0, 34.2, 36.8, 38.7, 40.1};
  const double laptop_acc[] = {0.9, 1.4, 2.2, 2.9, 3.3, 3.8, 4.4, 4.9, 5.1, 5.6};
  for (int e = 1; e <= 10; ++e) {
    laptop.points.push_back({26.0 * e, laptop_acc[e - 1], e});
    node.points.push_back({340.0 * e, node_acc[e - 1], e});
    eight.points.push_back({54.0 * e, node_acc[e - 1], e});
  }
  d.accuracy = {laptop, node, eight};

  d.scaling_unit = "nodes";
  d.scaling = {scaling("LUMI 1 node (8 GPUs)", 1, 3400, 3400, Provenance::Measured),
               scaling("LUMI 4 nodes (32 GPUs)", 4, 960, 3400, Provenance::Imported, kBelowBar),
               scaling("LUMI 8 nodes (64 GPUs)", 8, 540, 3400, Provenance::Imported)};
  d.efficiency_panel = {{"LUMI 1 node", "235 images/s per GPU"},
                        {"Laptop 8 threads", "3.1 images/s"},
                        {"8-node scaling efficiency", "79%"},
                        {"Energy note", "<i>not measured</i>"}};
  d.warnings = {"LUMI 4- and 8-node times are imported reference data, not run here"};

  d.target_accuracy = 35;
  d.bounds = {bound("LUMI 1 node (8 GPUs)", true, 0.04, 0.78, 0.12, 0.06, "compute-bound"),
              bound("LUMI 4 nodes (32 GPUs)", true, 0.05, 0.55, 0.34, 0.06, "communication-bound"),
              bound(kXssName, false, 0.31, 0.64, 0.0, 0.05, "data-bound"),
              bound("Laptop 1 thread", false, 0.02, 0.95, 0.0, 0.03, "compute-bound")};
  d.bounds[2].details = "host <script>alert('bound')</script>";
  // One rank 0.30 s per step; the model adds a ring allreduce of 344 MB (alpha 20 us, beta
  // 0.05 ns/byte, 14 buckets); measured at 8 and 32 ranks.
  d.model = {model_point("LUMI 1 node (1 GPU)", 1, 0, 0.30, true, 0.30),
             model_point("LUMI 1 node (8 GPUs)", 8, 1, 0.3336, true, 0.325),
             model_point("2 nodes (modelled, not run)", 16, 2, 0.3388, false, 0),
             model_point("LUMI 4 nodes (32 GPUs)", 32, 4, 0.3414, true, 0.372),
             model_point("8 nodes (modelled, not run)", 64, 8, 0.3427, false, 0)};
  d.model_description = "measured \u00b7 AMD MI250X (GCD) \u00b7 ViT-B/16: alpha 20 us, beta 0.05 ns/byte (20 GB/s per "
                        "link); gradients 344 MB in 14 bucket(s); one-rank step 0.3 s";

  // Time, energy, carbon and cost: modelled energy for the imported LUMI runs (280 W per GPU x
  // time), measured on one node (cray_pm), measured power over an extrapolated time on one laptop,
  // modelled (40 W) on the other; a configuration with neither. LUMI bills 0.5 GPU-hours per
  // GPU-hour, the laptops are not billed; 24 g CO2e/kWh at LUMI, 214 at the laptops.
  const double gpu_hour = 0.5 / 3600;
  d.energy = {
      energy_bar("LUMI 8 nodes (64 GPUs)", true, 540, 520, 565, Provenance::Imported, 64 * 280.0 * 540,
                 64 * 280.0 * 520, 64 * 280.0 * 565, Provenance::Modelled, 24, 64 * gpu_hour),
      energy_bar("LUMI 4 nodes (32 GPUs)", true, 960, 930, 1000, Provenance::Imported, 32 * 280.0 * 960,
                 32 * 280.0 * 930, 32 * 280.0 * 1000, Provenance::Modelled, 24, 32 * gpu_hour),
      energy_bar("LUMI 1 node (8 GPUs)", true, 3400, 3400, 3400, Provenance::Measured, 7.2e6, 7.2e6, 7.2e6,
                 Provenance::Measured, 24, 8 * gpu_hour),
      energy_bar(kXssName, false, 2.6e5, 2.3e5, 2.9e5, Provenance::Extrapolated, 35 * 2.6e5, 35 * 2.3e5, 35 * 2.9e5,
                 Provenance::Extrapolated, 214, 0),
      energy_bar("Laptop 1 thread", false, base, 1.2e6, 1.4e6, Provenance::Extrapolated, 40 * base, 40 * 1.2e6,
                 40 * 1.4e6, Provenance::Modelled, 214, 0),
      energy_bar("LUMI (GPU count not stated)", true, 2000, 2000, 2000, Provenance::Imported, 0, 0, 0,
                 Provenance::Modelled, 24, 0),
  };
  d.energy[1].standing = Standing::Excluded;
  d.energy[1].mark = kBelowBar;
  d.energy[5].placement_unknown = true;  // neither billed nor given a site's grid
  d.energy[2].details = "energy measured by cray_pm:node (the whole node)";
  d.energy[3].details = "host <script>alert('energy')</script>: rapl:package + rapl:dram";
  d.energy[4].details = "not measured: energy counters unavailable: rapl: Permission denied";
  d.billing_unit = "GPU-hours";
  d.energy_footnote = "Modelled: 40 W per laptop, 280 W per GPU. CO2e: 24 g/kWh (cluster), 214 g/kWh (laptop). Cost: "
                      "0.5 GPU-hours per GPU-hour. Sources: summary.md";
  d.energy_assumptions = {"modelled power per GPU: 280 W (--gpu-power): DEMO", "grid intensity: 24 g CO2e/kWh: DEMO"};
  d.memory = {memory_bar("LUMI 1 node (8 GPUs)", true, 26.0, 24.5, 52.3),
              memory_bar("LUMI 1 node (1 GPU)", true, 11.0, 11.0, 50.1),
              memory_bar(kXssName, false, 9.8, 9.8, 0),
              memory_bar("Laptop 1 thread", false, 7.2, 7.2, 0)};
  d.memory[2].details = "host <script>alert('memory')</script>";
  return d;
}

}  // namespace lb::charts::demo
