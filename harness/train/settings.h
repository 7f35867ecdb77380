// Every setting of a harness run, as parsed and validated from the command line.
#pragma once

#include <cstdint>
#include <string>

#include "harness/dist/launch.h"

namespace lb {

// --fused-add-norm (VitConfig::fused_add_norm: the residual adds and their LayerNorms as one fused
// call) and --fused-bias-gelu (VitConfig::fused_bias_gelu: GELU's and the bias's gradients in one
// pass). automatic: on GPUs in fp32 and bf16 when the kernels were built, off on CPUs (PyTorch's
// bits) and in fp16.
enum class FusedSwitch { automatic, on, off };

struct Settings {
  // Device and model
  std::string device = "cpu";  // cpu | cuda | rocm
  std::string model = "vit_b_16";
  int num_classes = 200;  // Tiny ImageNet
  double dropout = 0.0;
  std::string init_weights;  // torch.save'd state_dict; empty = from scratch
  bool replace_head = false;
  FusedSwitch fused_add_norm = FusedSwitch::automatic;
  FusedSwitch fused_bias_gelu = FusedSwitch::automatic;
  bool graph_capture = false;  // --graph-capture: forward and backward replayed as graphs (train/train_step.h)

  // Data
  std::string data = "synthetic";  // synthetic | FILE.h5 | image folder
  std::string subset;               // "" = full split; "1%", "2.5%", "800"
  double val_fraction = 0.2;
  std::int64_t synthetic_samples = 100000;  // Tiny ImageNet's size
  int loader_workers = 2;
  int prefetch_batches = 4;
  bool resize_antialias = true;  // downscaling as torchvision >= 0.17 and PIL

  // Training
  int batch_size = 32;  // per rank
  int epochs = 10;
  std::int64_t max_steps = 0;  // 0 = no limit
  std::string optimizer = "adam";
  std::string optimizer_impl = "auto";  // auto | fused | torch
  std::string precision = "fp32";       // fp32 | bf16 | fp16
  double lr = 1e-3;
  std::string lr_schedule = "onecycle";  // onecycle | constant
  double warmup_epochs = 1.0;
  double weight_decay = 0.0;
  double label_smoothing = 0.0;
  double grad_clip = 0.0;  // max global L2 norm; 0 = off
  std::uint64_t seed = 42;
  int threads = 0;  // 0 = every core
  int warmup_steps = 5;
  std::int64_t eval_every = 0;  // extra validation every N steps; 0 = at epoch ends only
  double gemm_probe_s = 1.0;    // seconds measuring the matrix-product rate; 0 = skip

  // Measurement design
  int repeat = 1;              // runs of the same configuration in one invocation
  double adaptive_ci = 0.0;    // stop once the median step time's 95% CI is within this (0 = off)
  int profile_steps = 0;       // steps after the warm-up run under LibTorch's profiler (train/step_profile.h)

  // Distributed
  Launcher launcher = Launcher::automatic;  // how the ranks learn who they are (dist/launch.h)
  double comm_bucket_mb = 25.0;
  std::string comm = "auto";       // auto | gloo | nccl | store (auto: nccl on GPUs, gloo on CPUs)
  double comm_timeout_s = 300.0;   // a collective that takes longer fails the run
  bool comm_sweep = true;  // measure allreduce time by message size at the start of multi-rank runs
  bool require_fast_network = false;  // refuse a multi-node run whose gradients go over TCP sockets
  int sync_every = 0;  // steps between the ranks' exchanges of metrics and stop requests (0: 1 on CPU, 10 on GPUs)

  // Energy (harness/energy): counters sampled in the background, recorded per epoch and run
  bool energy = true;
  double energy_interval_s = 1.0;
  std::string energy_rapl_root = "/sys/class/powercap";
  std::string energy_cray_root = "/sys/cray/pm_counters";

  // Recording and output
  std::string output = "results.h5";
  double flush_interval_s = 10.0;
  double stop_grace_s = 5.0;  // a stop request waits this long for the current step, then drops it
  std::string progress = "auto";  // auto | bar | plain | none
  double progress_interval_s = 10.0;
  std::string command_line;
};

}  // namespace lb
