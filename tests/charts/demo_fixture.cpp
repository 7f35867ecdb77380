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

ScalingPoint scaling(std::string label, int nodes, double t, double t_ref, Provenance kind) {
  ScalingPoint p;
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
               scaling("LUMI 4 nodes (32 GPUs)", 4, 960, 3400, Provenance::Imported),
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
  return d;
}

}  // namespace lb::charts::demo
