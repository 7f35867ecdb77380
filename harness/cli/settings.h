// Every setting of a harness run, as parsed and validated from the command line.
#pragma once

#include <cstdint>
#include <string>

namespace lb {

struct Settings {
  // Device and model
  std::string device = "cpu";  // cpu | cuda | rocm
  std::string model = "vit_b_16";
  int num_classes = 200;  // Tiny ImageNet
  double dropout = 0.0;
  std::string init_weights;  // torch.save'd state_dict; empty = from scratch
  bool replace_head = false;

  // Data
  std::string data = "synthetic";  // synthetic | FILE.h5 | image folder
  std::string subset;               // "" = full split; "1%", "2.5%", "800"
  double val_fraction = 0.2;
  std::int64_t synthetic_samples = 100000;  // Tiny ImageNet's size
  int loader_workers = 2;
  int prefetch_batches = 4;

  // Training
  int batch_size = 32;  // per rank
  int epochs = 10;
  std::int64_t max_steps = 0;  // 0 = no limit
  std::string optimizer = "adam";
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

  // Distributed
  double comm_bucket_mb = 25.0;
  std::string comm_path = "auto";  // auto | host | gpu-aware

  // Recording and output
  std::string output = "results.h5";
  double flush_interval_s = 60.0;
  std::string progress = "auto";  // auto | bar | plain | none
  double progress_interval_s = 10.0;
  std::string command_line;
};

// Parses argv. Returns false after printing --help or --version (exit 0); throws UsageError with
// a one-line message for anything malformed.
bool parse_settings(int argc, char** argv, Settings& out);

// Resolved subset: a count of training samples, given the full training split size.
// Throws UsageError when the value is malformed or larger than the split.
std::int64_t subset_train_samples(const std::string& subset, std::int64_t full_train);

}  // namespace lb
