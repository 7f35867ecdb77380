// Builds a results-file run from a few numbers, with step times that follow a known model, so a
// test can compute the expected analysis by hand:
//   step time = samples * per_sample_s * (1 + noise * u_i) (+ warmup_extra_s on warm-up steps),
//   epoch time = train + extra validations + overhead_s + validation (val_samples * val_per_sample_s),
//   wall time = startup_s + sum of epoch times + teardown_s.
// Every epoch ends with a validation pass; with eval_every = n an extra pass (same cost) follows
// every n-th step, as the harness does with --eval-every.
#pragma once

#include <string>

#include "support/results_writer.h"

namespace lb::testing {

struct RunShape {
  std::string run_id = "20261124T070000Z-laptop-1";
  std::string device = "cpu";  // "cpu", "rocm", "cuda"
  std::string cpu_model = "Intel Core i7-1185G7";
  std::string gpu_model = "AMD MI250X (GCD)";
  std::string model = "vit_b_16";
  int64_t nodes = 1, world_size = 1, gpus = 0, threads = 8;
  // GPU runs are LUMI jobs (a Slurm job recorded); own_machine: a GPU run outside any scheduler, a
  // laptop or workstation with a GPU.
  bool own_machine = false;
  int64_t batch_size = 32;  // per rank
  int64_t epochs = 3;
  int64_t full_train = 80000, full_val = 20000;
  double subset_fraction = 1.0;  // of both splits
  double per_sample_s = 0.01;
  double val_per_sample_s = 0.003;
  double overhead_s = 2.0;
  double startup_s = 5.0, teardown_s = 1.0;
  int64_t warmup_steps = 2;
  double warmup_extra_s = 0.5;
  double noise = 0.0;  // relative amplitude of a deterministic zigzag in step times
  std::string status = "completed";
  int finished_epochs = -1;  // -1: all epochs
  double acc_start = 0.2, acc_gain = 0.1;  // val_top1 after epoch k (1-based): start + gain * (k - 1)
  std::string optimizer = "adamw";
  double lr = 1e-3;
  bool pretrained = false;
  bool synthetic = false;
  int64_t eval_every = 0;          // extra validation every n steps (0: epoch ends only)
  bool write_evaluations = true;   // false: no 'evaluations' table (files of older harnesses)
  double straggler = 0.0;  // the slowest rank is this fraction slower than rank 0
  double train_flops_per_image = 3 * 17.56e9;
  int64_t precision_fp32 = 1;  // 0 writes "bf16"
  std::string precision;       // when set, written as is ("fp32", "bf16", "fp16"), over precision_fp32

  // Fields of schema version 2. schema_v1 = true writes none of them (a file of an older harness).
  bool schema_v1 = false;
  std::string val_scope = "all_ranks";  // "all_ranks" or "rank0_share"
  int64_t val_images_per_eval = -1;     // -1: the validation samples (all_ranks) or their 1/world share
  std::string repeat_group;             // --repeat N: the group, this run's index and N
  int64_t repeat_index = 0, repeat_count = 1;
  double adaptive_target_rel_ci = 0;    // 0: adaptive mode off
  std::string adaptive_stop_reason;
  double adaptive_rel_ci = 0;
  double gemm_flops_per_s = 0;          // 0: not measured
  std::string comm_backend;             // empty: "none" for one rank, "nccl" on GPUs, "gloo" on CPUs
  int64_t parameters = 85'952'456;
  int64_t comm_bucket_bytes = 25 << 20;
  // Step-time shares: data wait, exposed communication (multi-rank runs only); compute (forward,
  // backward, optimizer 0.3 : 0.55 : 0.1) is the rest.
  double data_wait_share = 0.05;
  double comm_share = 0.02;
  // An allreduce sweep generated from the ring model (alpha s per step, beta s per byte) at this
  // run's world size, over 1 KiB .. 256 MiB; written when world_size > 1 and either is > 0.
  double sweep_alpha_s = 0, sweep_beta_s_per_byte = 0;
  // Multiplies every step time (and so the run's speed) after the other shapes: run-to-run noise.
  double run_scale = 1.0;

  // Energy and memory (schema 2). Each counter draws a constant power: its row for an epoch holds
  // watts x epoch_time_s, its whole-run row (epoch -1) watts x the epochs' time plus
  // watts x outside_power_factor x the rest of the run (setup, teardown), over wall_time_s.
  std::vector<std::pair<std::string, double>> energy_counters;  // ("rapl:package-0", 20 W), ...
  double outside_power_factor = 1.0;
  // Every counter that could not be read; with no counters, energy_j is then written as NaN.
  std::string energy_unavailable;
  // energy_j attribute: -1 writes the sum of every counter's whole-run energy (NaN without counters).
  double energy_j_attribute = -1;
  int64_t peak_rss_bytes_max_rank = -1;   // -1: not written
  int64_t peak_device_memory_bytes = -1;  // -1: not written
};

FixtureRun build_run(const RunShape& shape);

// Expected time of the full job over `epochs` epochs for a noise-free shape (the formula in
// docs/methodology.md evaluated on the shape's own numbers; extra validation passes are not part
// of the job).
double expected_job_time(const RunShape& shape, int epochs);

// Run i of a campaign for the scale benchmarks (bench_analyze, make_scale_inputs): laptops at 1 and
// 8 threads (half of them on subsets) and LUMI at 1, 2 and 4 nodes, every run 4 epochs of steps/4
// steps with 5% step-time noise.
RunShape campaign_run_shape(int i, int steps);

}  // namespace lb::testing
