#include <cxxopts.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <thread>
#include <vector>

#include "cli/settings.h"
#include "model/vit_config.h"
#include "util/errors.h"
#include "version.h"
#include "record/provenance.h"

namespace lb {
namespace {

void require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

void require_one_of(const std::string& option, const std::string& value,
                    std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return;
    list += (list.empty() ? "" : ", ") + std::string(a);
  }
  throw UsageError("--" + option + " '" + value + "': expected one of " + list);
}

}  // namespace

std::int64_t subset_train_samples(const std::string& subset, std::int64_t full_train) {
  if (subset.empty()) return full_train;
  std::int64_t n = 0;
  try {
    size_t used = 0;
    if (subset.back() == '%') {
      const double pct = std::stod(subset.substr(0, subset.size() - 1), &used);
      require(used == subset.size() - 1 && pct > 0 && pct <= 100, "");
      n = std::clamp<std::int64_t>(std::llround(double(full_train) * pct / 100.0), 1, full_train);
    } else {
      const long long v = std::stoll(subset, &used);
      require(used == subset.size() && v > 0, "");
      n = v;
    }
  } catch (const std::exception&) {
    throw UsageError("--subset '" + subset + "': expected a percentage of the training split (e.g. 1%) or a "
                     "positive sample count (e.g. 800)");
  }
  require(n <= full_train, "--subset " + subset + ": " + std::to_string(n) + " samples is more than the training "
                           "split's " + std::to_string(full_train));
  return n;
}

bool parse_settings(int argc, char** argv, Settings& s) {
  cxxopts::Options o("harness",
                     "Times ViT training (torchvision-exact) on CPU or GPU, on one or many MPI ranks, and records "
                     "every step, epoch and the run's provenance to HDF5.");
  const Settings d;
  auto str = [](auto v) { return std::to_string(v); };
  auto num = [](double v) {
    std::ostringstream os;
    os << v;
    return os.str();
  };
  // clang-format off
  o.add_options("Model")
    ("device", "cpu, cuda or rocm", cxxopts::value(s.device)->default_value(d.device))
    ("model", "vit_b_16, vit_b_32, vit_l_16, vit_l_32, vit_h_14, or the test sizes vit_tiny, vit_micro",
        cxxopts::value(s.model)->default_value(d.model))
    ("num-classes", "classes of the classification head", cxxopts::value(s.num_classes)->default_value(str(d.num_classes)))
    ("dropout", "dropout in the encoder (torchvision: 0)", cxxopts::value(s.dropout)->default_value(num(d.dropout)))
    ("init-weights", "start from this torch.save'd state_dict instead of from scratch", cxxopts::value(s.init_weights))
    ("replace-head", "with --init-weights: re-initialise the head when its class count differs");
  o.add_options("Data")
    ("data", "'synthetic', the LUMI AI guide's HDF5 file (images [N,3,H,W] float32, labels [N] int32), or an "
        "image folder (<dir>/<class>/*.JPEG|png)", cxxopts::value(s.data)->default_value(d.data))
    ("subset", "use part of the training split: a percentage (2%) or a count (800); no value: 1%",
        cxxopts::value(s.subset)->implicit_value("1%"))
    ("val-fraction", "validation share of the dataset", cxxopts::value(s.val_fraction)->default_value(num(d.val_fraction)))
    ("synthetic-samples", "size of the synthetic dataset", cxxopts::value(s.synthetic_samples)->default_value(str(d.synthetic_samples)))
    ("loader-workers", "background loader threads", cxxopts::value(s.loader_workers)->default_value(str(d.loader_workers)))
    ("prefetch", "batches prepared ahead", cxxopts::value(s.prefetch_batches)->default_value(str(d.prefetch_batches)));
  o.add_options("Training")
    ("batch-size", "images per step and rank", cxxopts::value(s.batch_size)->default_value(str(d.batch_size)))
    ("epochs", "epochs", cxxopts::value(s.epochs)->default_value(str(d.epochs)))
    ("max-steps", "stop after this many steps in all (0: no limit)", cxxopts::value(s.max_steps)->default_value(str(d.max_steps)))
    ("optimizer", "adam, adamw or sgd", cxxopts::value(s.optimizer)->default_value(d.optimizer))
    ("lr", "peak learning rate", cxxopts::value(s.lr)->default_value(num(d.lr)))
    ("lr-schedule", "onecycle (warm-up, then cosine; torch's OneCycleLR) or constant",
        cxxopts::value(s.lr_schedule)->default_value(d.lr_schedule))
    ("warmup-epochs", "one-cycle warm-up length in epochs", cxxopts::value(s.warmup_epochs)->default_value(num(d.warmup_epochs)))
    ("weight-decay", "weight decay", cxxopts::value(s.weight_decay)->default_value(num(d.weight_decay)))
    ("label-smoothing", "cross-entropy label smoothing", cxxopts::value(s.label_smoothing)->default_value(num(d.label_smoothing)))
    ("grad-clip", "clip the global gradient L2 norm to this (0: off)", cxxopts::value(s.grad_clip)->default_value(num(d.grad_clip)))
    ("seed", "seed of the model init, split, shuffling and synthetic data", cxxopts::value(s.seed)->default_value(str(d.seed)))
    ("threads", "CPU threads per rank (0: every core; 1 reproduces the guide's single-core laptop run)",
        cxxopts::value(s.threads)->default_value(str(d.threads)))
    ("warmup-steps", "first steps timed and recorded but left out of steady-state figures",
        cxxopts::value(s.warmup_steps)->default_value(str(d.warmup_steps)))
    ("eval-every", "also validate every N steps (0: at epoch ends only)", cxxopts::value(s.eval_every)->default_value(str(d.eval_every)));
  o.add_options("Distributed")
    ("comm-bucket-mb", "gradient allreduce bucket size in MB", cxxopts::value(s.comm_bucket_mb)->default_value(num(d.comm_bucket_mb)))
    ("comm-path", "auto, host (stage GPU buffers through host memory) or gpu-aware",
        cxxopts::value(s.comm_path)->default_value(d.comm_path));
  o.add_options("Output")
    ("output", "results file (runs are appended)", cxxopts::value(s.output)->default_value(d.output))
    ("flush-interval", "seconds between flushes of the records (also at every epoch end)",
        cxxopts::value(s.flush_interval_s)->default_value(num(d.flush_interval_s)))
    ("progress", "auto, bar, plain or none", cxxopts::value(s.progress)->default_value(d.progress))
    ("progress-interval", "seconds between plain progress lines", cxxopts::value(s.progress_interval_s)->default_value(num(d.progress_interval_s)))
    ("h,help", "print this help")
    ("version", "print version, git commit and LibTorch version");
  // clang-format on

  for (int i = 0; i < argc; ++i) s.command_line += (i ? " " : "") + std::string(argv[i]);
  // `--subset` has an optional value; cxxopts only takes one written as --subset=2%, so a following
  // word that looks like a subset value ("2%", "800") is joined to it.
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--subset" && i + 1 < argc && argv[i + 1][0] != '-' &&
        std::string(argv[i + 1]).find_first_not_of("0123456789.%") == std::string::npos) {
      a += std::string("=") + argv[++i];
    }
    args.push_back(std::move(a));
  }
  std::vector<char*> arg_ptrs;
  for (auto& a : args) arg_ptrs.push_back(a.data());
  cxxopts::ParseResult r;
  try {
    r = o.parse(int(arg_ptrs.size()), arg_ptrs.data());
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(std::string(e.what()) + " (see harness --help)");
  }
  if (r.count("help")) {
    std::cout << o.help() << "\nExit codes: 0 completed, 1 runtime failure, 2 usage or input error, 3 diverged, "
                             "130/143 interrupted by SIGINT/SIGTERM.\n";
    return false;
  }
  if (r.count("version")) {
    std::cout << "harness " << LB_VERSION << " (git " << LB_GIT_COMMIT << ", LibTorch " << torch_version_string()
              << ")\n";
    return false;
  }
  if (!r.unmatched().empty()) throw UsageError("unexpected argument '" + r.unmatched().front() + "' (see harness --help)");
  s.replace_head = r.count("replace-head") > 0;

  require_one_of("device", s.device, {"cpu", "cuda", "rocm"});
  require_one_of("optimizer", s.optimizer, {"adam", "adamw", "sgd"});
  require_one_of("lr-schedule", s.lr_schedule, {"onecycle", "constant"});
  require_one_of("progress", s.progress, {"auto", "bar", "plain", "none"});
  require_one_of("comm-path", s.comm_path, {"auto", "host", "gpu-aware"});
  try {
    vit_config(s.model, std::max(1, s.num_classes));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--model: ") + e.what());
  }
  require(s.num_classes >= 2, "--num-classes " + str(s.num_classes) + ": expected at least 2");
  require(s.batch_size >= 1, "--batch-size " + str(s.batch_size) + ": expected a positive count");
  require(s.epochs >= 1, "--epochs " + str(s.epochs) + ": expected at least 1");
  require(s.max_steps >= 0, "--max-steps: expected 0 (no limit) or a positive count");
  require(s.lr > 0 && std::isfinite(s.lr), "--lr " + num(s.lr) + ": expected a positive number");
  require(s.val_fraction > 0 && s.val_fraction < 1, "--val-fraction " + num(s.val_fraction) + ": expected a value in (0, 1)");
  require(s.threads >= 0, "--threads " + str(s.threads) + ": expected 0 (every core) or a positive count");
  require(s.warmup_steps >= 0, "--warmup-steps: expected 0 or more");
  require(s.eval_every >= 0, "--eval-every: expected 0 or more");
  require(s.weight_decay >= 0, "--weight-decay: expected 0 or more");
  require(s.label_smoothing >= 0 && s.label_smoothing < 1, "--label-smoothing: expected a value in [0, 1)");
  require(s.grad_clip >= 0, "--grad-clip: expected 0 (off) or a positive norm");
  require(s.dropout >= 0 && s.dropout < 1, "--dropout: expected a value in [0, 1)");
  require(s.warmup_epochs >= 0, "--warmup-epochs: expected 0 or more");
  require(s.loader_workers >= 1, "--loader-workers: expected at least 1");
  require(s.prefetch_batches >= 1, "--prefetch: expected at least 1");
  require(s.synthetic_samples >= 2, "--synthetic-samples: expected at least 2");
  require(s.comm_bucket_mb > 0, "--comm-bucket-mb: expected a positive size");
  require(s.flush_interval_s > 0, "--flush-interval: expected a positive number of seconds");
  require(!s.output.empty(), "--output: expected a file name");
  require(!s.replace_head || !s.init_weights.empty(), "--replace-head: only meaningful with --init-weights");
  if (!s.subset.empty()) subset_train_samples(s.subset, std::int64_t(1e12));  // syntax only; size checked later
  if (s.threads == 0) s.threads = int(std::max(1u, std::thread::hardware_concurrency()));
  return true;
}

}  // namespace lb
