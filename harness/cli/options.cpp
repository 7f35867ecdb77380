#include <cxxopts.hpp>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <thread>
#include <vector>

#include "harness/cli/options.h"
#include "harness/model/vit_config.h"
#include "common/errors.h"
#include "harness/data/split.h"
#include "harness/util/version.h"

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

// cxxopts reports a bad value as "Argument 'abc' failed to parse" without the option: find the
// option the value was given to and name it.
std::string name_the_option(const std::string& message, const std::vector<std::string>& args) {
  const auto open = message.find_first_of("'\u2018");
  if (message.find("failed to parse") == std::string::npos || open == std::string::npos) return message;
  std::string quoted = message.substr(open);
  // The value sits between the first pair of quotes (ASCII or UTF-8 curly ones).
  auto strip = [](std::string t) {
    for (const char* q : {"'", "\u2018", "\u2019"}) {
      for (size_t p; (p = t.find(q)) != std::string::npos;) t.erase(p, std::string(q).size());
    }
    return t;
  };
  const auto end = quoted.find(" failed");
  const std::string value = strip(quoted.substr(0, end));
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.rfind("--", 0) != 0) continue;
    const auto eq = a.find('=');
    if (eq != std::string::npos && a.substr(eq + 1) == value) return a.substr(0, eq) + " '" + value + "': not a valid value";
    if (eq == std::string::npos && i + 1 < args.size() && args[i + 1] == value)
      return a + " '" + value + "': not a valid value";
  }
  return message;
}

}  // namespace

bool parse_settings(int argc, char** argv, Settings& s) {
  cxxopts::Options o("harness",
                     "Times ViT training (torchvision-exact) on CPU or GPU, on one or many MPI ranks, and records "
                     "every step, epoch and the run's provenance to HDF5.");
  const Settings d;
  std::string antialias, energy, launcher = "auto", comm_sweep, fused_add_norm, fused_bias_gelu, graph_capture;
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
    ("prefetch", "batches prepared ahead", cxxopts::value(s.prefetch_batches)->default_value(str(d.prefetch_batches)))
    ("resize-antialias", "on: downscaling antialiases as torchvision >= 0.17 and PIL; off: plain bilinear as "
        "torchvision 0.14 (the guide's 64 -> 224 upscale is the same either way)", cxxopts::value(antialias)->default_value("on"));
  o.add_options("Training")
    ("batch-size", "images per step and rank", cxxopts::value(s.batch_size)->default_value(str(d.batch_size)))
    ("epochs", "epochs", cxxopts::value(s.epochs)->default_value(str(d.epochs)))
    ("max-steps", "stop after this many steps in all (0: no limit)", cxxopts::value(s.max_steps)->default_value(str(d.max_steps)))
    ("optimizer", "adam, adamw or sgd", cxxopts::value(s.optimizer)->default_value(d.optimizer))
    ("optimizer-impl", "auto, fused (Adam/AdamW in one pass per element) or torch (torch::optim, per parameter)",
        cxxopts::value(s.optimizer_impl)->default_value(d.optimizer_impl))
    ("precision", "fp32, bf16 (autocast; weights and optimizer state in fp32) or fp16 (GPU; autocast with dynamic "
        "loss scaling)", cxxopts::value(s.precision)->default_value(d.precision))
    ("fused-add-norm", "auto, on or off: each residual add and the LayerNorm after it as one fused kernel (fp32 and "
        "bf16; auto: on GPUs in fp32 and bf16 when the kernels were built, off on CPUs, where ATen's separate calls "
        "match PyTorch to the bit, and in fp16)",
        cxxopts::value(fused_add_norm)->default_value("auto"))
    ("fused-bias-gelu", "auto, on or off: the gradients of the MLP's GELU and of the bias before it in one fused "
        "kernel (fp32 and bf16; the forward is ATen's either way; auto: as --fused-add-norm)",
        cxxopts::value(fused_bias_gelu)->default_value("auto"))
    ("graph-capture", "off or on: capture the step's forward (with the loss) and backward once, after 3 eager steps, "
        "as CUDA/HIP graphs and replay them at every step of the same batch size, with no launch per kernel (one rank, "
        "--dropout 0; on CPUs a stand-in that runs the same work again, for tests)",
        cxxopts::value(graph_capture)->default_value("off"))
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
    ("eval-every", "also validate every N steps (0: at epoch ends only)", cxxopts::value(s.eval_every)->default_value(str(d.eval_every)))
    ("gemm-probe", "seconds spent measuring the device's matrix-product rate at the model's shapes (0: skip)",
        cxxopts::value(s.gemm_probe_s)->default_value(num(d.gemm_probe_s)));
  o.add_options("Measurement")
    ("repeat", "run the same configuration N times (recorded as one repeat group)",
        cxxopts::value(s.repeat)->default_value(str(d.repeat)))
    ("adaptive", "stop once the 95% confidence interval of the median step time is within this fraction "
        "(e.g. 0.02), or at --max-steps, which must be given (0: off)", cxxopts::value(s.adaptive_ci)->default_value(num(d.adaptive_ci)))
    ("profile-steps", "run this many steps after the warm-up (after the graphs' capture with --graph-capture on) "
        "under LibTorch's profiler and write what ran, kernel by kernel on GPUs and operator by operator on the host, "
        "to <output>.profiles/<run id>.json (rank 0; the steps are recorded with the warm-up's, out of steady-state "
        "figures; 0: off)", cxxopts::value(s.profile_steps)->default_value(str(d.profile_steps)));
  o.add_options("Distributed")
    ("launcher", "how ranks find each other: auto (mpi when an MPI launcher started us and this build has MPI, "
        "env when Slurm's srun or torchrun variables are set, else one rank), mpi, env (no MPI: SLURM_PROCID/"
        "SLURM_STEP_NUM_TASKS/SLURM_LOCALID or torchrun's RANK/WORLD_SIZE/LOCAL_RANK/MASTER_ADDR/MASTER_PORT, a c10d "
        "TCPStore on the first node) or none", cxxopts::value(launcher)->default_value("auto"))
    ("comm-bucket-mb", "gradient allreduce bucket size in MB", cxxopts::value(s.comm_bucket_mb)->default_value(num(d.comm_bucket_mb)))
    ("comm", "gradient allreduce through c10d: auto (nccl on GPUs; gloo on CPUs where LibTorch has Gloo's headers, "
        "else store), gloo, nccl, or store (through the c10d store itself: slow, for checks)",
        cxxopts::value(s.comm)->default_value(d.comm))
    ("comm-timeout", "seconds a collective may take before the run fails", cxxopts::value(s.comm_timeout_s)->default_value(num(d.comm_timeout_s)))
    ("comm-sweep", "on: multi-rank runs measure allreduce time by message size at the start; off: they do not",
        cxxopts::value(comm_sweep)->default_value("on"))
    ("require-fast-network", "refuse (exit 2) a multi-node run whose gradients would cross nodes over TCP sockets "
        "(NCCL/RCCL without its network plugin), as reported by the library")
    ("sync-every", "steps between the ranks' exchanges of loss, accuracy and stop requests; the host reads the device "
        "once per exchange (0: 1 on CPU, 10 on GPUs)", cxxopts::value(s.sync_every)->default_value(str(d.sync_every)));
  o.add_options("Energy")
    ("energy", "on: read the energy counters the machine offers (RAPL, HPE Cray pm_counters, NVML, ROCm SMI) "
        "and record them per epoch and run; off: none", cxxopts::value(energy)->default_value("on"))
    ("energy-interval", "seconds between background samples of the counters", cxxopts::value(s.energy_interval_s)->default_value(num(d.energy_interval_s)))
    ("energy-rapl-root", "the powercap tree to read (tests replay recorded trees)", cxxopts::value(s.energy_rapl_root)->default_value(d.energy_rapl_root))
    ("energy-cray-root", "the Cray pm_counters folder to read", cxxopts::value(s.energy_cray_root)->default_value(d.energy_cray_root));
  o.add_options("Output")
    ("output", "results file (runs are appended)", cxxopts::value(s.output)->default_value(d.output))
    ("flush-interval", "seconds between flushes of the records (also at every epoch end)",
        cxxopts::value(s.flush_interval_s)->default_value(num(d.flush_interval_s)))
    ("stop-grace", "seconds a stop request (SIGTERM, SIGINT, SIGUSR1) waits for the current step before dropping it",
        cxxopts::value(s.stop_grace_s)->default_value(num(d.stop_grace_s)))
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
    throw UsageError(name_the_option(e.what(), args) + " (see harness --help)");
  }
  if (r.count("help")) {
    std::cout << o.help() << "\nExit codes: 0 completed, 1 runtime failure, 2 usage or input error, 3 diverged, "
                             "4 results could not be written, 130/143/138 interrupted by SIGINT/SIGTERM/SIGUSR1.\n";
    return false;
  }
  if (r.count("version")) {
    std::cout << harness_version_line() << "\n";
    return false;
  }
  if (!r.unmatched().empty()) {
    const std::string& stray = r.unmatched().front();
    // `--subset VALUE` takes the next word only when it looks like a subset ("2%", "800").
    for (size_t i = 1; i + 1 < args.size(); ++i) {
      if (args[i] == "--subset" && args[i + 1] == stray)
        throw UsageError("--subset '" + stray + "': expected a percentage of the training split (e.g. 1%) or a "
                         "positive sample count (e.g. 800)");
    }
    throw UsageError("unexpected argument '" + stray + "' (see harness --help)");
  }
  // Options that name a file read or written: given twice with different values, which one was
  // meant is a guess. Any other option given twice: the last one wins (scripts and tests append
  // their own values to override a default).
  for (const char* name : {"output", "data", "init-weights"}) {
    std::vector<std::string> values;
    const std::string flag = std::string("--") + name;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == flag && i + 1 < args.size()) values.push_back(args[i + 1]);
      if (args[i].rfind(flag + "=", 0) == 0) values.push_back(args[i].substr(flag.size() + 1));
    }
    for (size_t k = 1; k < values.size(); ++k) {
      if (values[k] != values[0])
        throw UsageError(flag + " given twice ('" + values[0] + "', then '" + values[k] + "'): give it once");
    }
  }
  // An option given with an empty value is not the same as the option left out.
  for (const char* name : {"subset", "init-weights", "data", "model", "output"}) {
    if (r.count(name) && r[name].as<std::string>().empty())
      throw UsageError(std::string("--") + name + " '': expected a value (see harness --help)");
  }
  s.replace_head = r.count("replace-head") > 0;

  require_one_of("device", s.device, {"cpu", "cuda", "rocm"});
  require_one_of("optimizer", s.optimizer, {"adam", "adamw", "sgd"});
  require_one_of("lr-schedule", s.lr_schedule, {"onecycle", "constant"});
  require_one_of("progress", s.progress, {"auto", "bar", "plain", "none"});
  require_one_of("comm", s.comm, {"auto", "gloo", "nccl", "store"});
  s.launcher = parse_launcher(launcher);
  s.require_fast_network = r.count("require-fast-network") > 0;
  require(s.sync_every >= 0 && s.sync_every <= 100000, "--sync-every " + str(s.sync_every) + ": expected 0 (auto) or a count up to 100000");
  require_one_of("comm-sweep", comm_sweep, {"on", "off"});
  s.comm_sweep = comm_sweep == "on";
  require_one_of("optimizer-impl", s.optimizer_impl, {"auto", "fused", "torch"});
  require_one_of("precision", s.precision, {"fp32", "bf16", "fp16"});
  auto fused = [&](const std::string& option, const std::string& value) {
    require_one_of(option, value, {"auto", "on", "off"});
    require(value != "on" || s.precision != "fp16",
            "--" + option + " on: the fused kernel takes fp32 and bf16, not --precision fp16");
    return value == "on" ? FusedSwitch::on : value == "off" ? FusedSwitch::off : FusedSwitch::automatic;
  };
  s.fused_add_norm = fused("fused-add-norm", fused_add_norm);
  s.fused_bias_gelu = fused("fused-bias-gelu", fused_bias_gelu);
  require_one_of("graph-capture", graph_capture, {"off", "on"});
  s.graph_capture = graph_capture == "on";
  require(!s.graph_capture || s.dropout == 0,
          "--graph-capture on: needs --dropout 0 (dropout's random numbers in replayed graphs are not checked against the eager step's)");
  require_one_of("resize-antialias", antialias, {"on", "off"});
  s.resize_antialias = antialias == "on";
  require_one_of("energy", energy, {"on", "off"});
  s.energy = energy == "on";
  require(s.energy_interval_s > 0 && s.energy_interval_s <= 3600, "--energy-interval: expected seconds from 0 (exclusive) to 3600");
  require(s.precision != "fp16" || s.device != "cpu", "--precision fp16: only on GPUs (CPU autocast supports bf16)");
  require(s.optimizer_impl != "fused" || s.optimizer != "sgd", "--optimizer-impl fused: only for adam and adamw");
  try {
    vit_config(s.model, std::max(1, s.num_classes));
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--model: ") + e.what());
  }
  require(s.num_classes >= 2 && s.num_classes <= 100000,
          "--num-classes " + str(s.num_classes) + ": expected a count from 2 to 100000");
  require(s.batch_size >= 1 && s.batch_size <= (1 << 20), "--batch-size " + str(s.batch_size) + ": expected a count from 1 to 1048576");
  require(s.epochs >= 1 && s.epochs <= 100000, "--epochs " + str(s.epochs) + ": expected a count from 1 to 100000");
  require(s.max_steps >= 0, "--max-steps: expected 0 (no limit) or a positive count");
  require(s.lr > 0 && std::isfinite(s.lr), "--lr " + num(s.lr) + ": expected a positive number");
  require(std::isfinite(s.dropout) && std::isfinite(s.weight_decay) && std::isfinite(s.label_smoothing) &&
              std::isfinite(s.grad_clip) && std::isfinite(s.val_fraction) && std::isfinite(s.comm_bucket_mb),
          "a numeric option is NaN or infinite (see harness --help)");
  require(s.val_fraction > 0 && s.val_fraction < 1, "--val-fraction " + num(s.val_fraction) + ": expected a value in (0, 1)");
  require(s.threads >= 0 && s.threads <= 1024,
          "--threads " + str(s.threads) + ": expected 0 (every core) or a count up to 1024");
  require(s.warmup_steps >= 0, "--warmup-steps: expected 0 or more");
  require(s.eval_every >= 0, "--eval-every: expected 0 or more");
  require(s.weight_decay >= 0, "--weight-decay: expected 0 or more");
  require(s.label_smoothing >= 0 && s.label_smoothing < 1, "--label-smoothing: expected a value in [0, 1)");
  require(s.grad_clip >= 0, "--grad-clip: expected 0 (off) or a positive norm");
  require(s.dropout >= 0 && s.dropout < 1, "--dropout: expected a value in [0, 1)");
  require(s.warmup_epochs >= 0 && std::isfinite(s.warmup_epochs), "--warmup-epochs: expected 0 or more");
  require(s.lr_schedule != "onecycle" || s.warmup_epochs <= s.epochs,
          "--warmup-epochs " + num(s.warmup_epochs) + ": longer than the run's --epochs " + str(s.epochs));
  require(s.loader_workers >= 1 && s.loader_workers <= 256,
          "--loader-workers " + str(s.loader_workers) + ": expected a count from 1 to 256");
  require(s.prefetch_batches >= 1 && s.prefetch_batches <= 1024,
          "--prefetch " + str(s.prefetch_batches) + ": expected a count from 1 to 1024");
  require(s.synthetic_samples >= 2 && s.synthetic_samples <= 2147483647,
          "--synthetic-samples " + str(s.synthetic_samples) + ": expected a count from 2 to 2147483647");
  require(s.comm_bucket_mb > 0 && s.comm_bucket_mb <= 65536,
          "--comm-bucket-mb " + num(s.comm_bucket_mb) + ": expected a size in MB above 0 and at most 65536");
  require(s.flush_interval_s > 0 && s.flush_interval_s <= 86400,
          "--flush-interval " + num(s.flush_interval_s) + ": expected seconds above 0 and at most 86400");
  require(s.progress_interval_s > 0 && s.progress_interval_s <= 86400,
          "--progress-interval " + num(s.progress_interval_s) + ": expected seconds above 0 and at most 86400");
  require(s.stop_grace_s >= 0 && s.stop_grace_s <= 3600, "--stop-grace: expected seconds from 0 to 3600");
  require(s.comm_timeout_s > 0 && s.comm_timeout_s <= 86400, "--comm-timeout: expected seconds from 1 to 86400");
  require(s.gemm_probe_s >= 0 && s.gemm_probe_s <= 600, "--gemm-probe: expected seconds from 0 to 600");
  require(s.repeat >= 1 && s.repeat <= 1000, "--repeat " + str(s.repeat) + ": expected a count from 1 to 1000");
  require(s.profile_steps >= 0 && s.profile_steps <= 100000,
          "--profile-steps " + str(s.profile_steps) + ": expected a count from 0 (off) to 100000");
  require(s.adaptive_ci >= 0 && s.adaptive_ci < 1, "--adaptive " + num(s.adaptive_ci) + ": expected a fraction in [0, 1) (0: off)");
  require(s.adaptive_ci == 0 || s.max_steps > 0, "--adaptive: needs --max-steps as the step budget");
  require(!s.output.empty(), "--output: expected a file name");
  require(!s.replace_head || !s.init_weights.empty(), "--replace-head: only meaningful with --init-weights");
  if (!s.subset.empty()) subset_train_samples(s.subset, std::int64_t(1e12));  // syntax only; size checked later
  if (s.threads == 0) s.threads = int(std::max(1u, std::thread::hardware_concurrency()));
  return true;
}

}  // namespace lb
