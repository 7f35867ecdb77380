// The results file's schema, defined once. Every run attribute and every table field is one line
// below; the harness's writer, analyze's reader, the journal, the test fixture writers and the
// field tables of docs/hdf5-schema.md are all generated from (or checked against) these lists.
// Adding a field here and forgetting it elsewhere fails the build or the schema tests.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lb::schema {

// 2: schema defined once; precision, validation scope, repetitions, utilisation, communication
// backend, energy, memory, journals. 3: launcher, the transport NCCL/RCCL chose, the exchange
// interval, the attention kernel. 4: the harness's own fused kernels. 5: graph capture
// of the step. 6: steps run under the profiler. Readers accept every version up to this one. Files of older
// harnesses may hold `peak_flops_per_device` (a nominal peak, always written as 0): no longer in
// the schema, and ignored by readers like any attribute the schema does not define.
constexpr int kVersion = 6;

// ---- Run attributes: X(name, type, group, meaning) ------------------------------------------
// type: Text (UTF-8 string), Int (int64), Real (float64). Group: the docs table it appears in.
#define LB_RUN_ATTRIBUTES(X)                                                                                 \
  X(schema_version, Int, Status, "the schema version this run was written with") \
  X(status, Text, Status, "`running`, `completed`, `interrupted` (SIGINT/SIGTERM/SIGUSR1), `diverged` (NaN/inf loss), `failed`, `crashed` (ended without recording an outcome, e.g. SIGKILL or a node failure; recovered from its journal)") \
  X(error, Text, Status, "message for `failed`/`diverged`/`crashed`, the signal for `interrupted`, else empty") \
  X(stop_reason, Text, Status, "why the step loop ended: `epochs`, `max_steps`, `adaptive`, `SIGTERM`, `SIGINT`, `SIGUSR1 (time-limit warning)`, `error`") \
  X(dropped_step, Int, Status, "a step abandoned unfinished because a stop request could not wait for it (-1: none)") \
  X(command_line, Text, Status, "the exact command line") \
  X(start_utc, Text, Status, "ISO-8601 UTC start") \
  X(end_utc, Text, Status, "ISO-8601 UTC end; empty while running") \
  X(wall_time_s, Real, Status, "whole run from the start of setup; `end_wall_s` in the tables counts from the same instant") \
  X(setup_s, Real, Status, "setup before the first step (opening the data, building and loading the model, measuring the matrix-product rate)") \
  X(steady_images_per_s, Real, Status, "samples / time over the non-warm-up steps, all ranks") \
  X(steps_per_epoch, Int, Status, "per rank") \
  X(total_steps_planned, Int, Status, "min(epochs x steps_per_epoch, max_steps)") \
  X(model, Text, Settings, "`vit_b_16`, `vit_b_32`, `vit_l_16`, `vit_l_32`, `vit_h_14`, or a tiny test configuration") \
  X(num_classes, Int, Settings, "classes of the head") \
  X(image_size, Int, Settings, "model input size") \
  X(patch_size, Int, Settings, "") \
  X(hidden_dim, Int, Settings, "") \
  X(num_layers, Int, Settings, "") \
  X(num_heads, Int, Settings, "") \
  X(mlp_dim, Int, Settings, "") \
  X(parameters, Int, Settings, "trainable parameter count") \
  X(forward_flops_per_image, Real, Settings, "analytic forward FLOPs per image (2 x multiply-adds)") \
  X(train_flops_per_image, Real, Settings, "3 x forward") \
  X(device, Text, Settings, "`cpu`, `cuda`, `rocm`") \
  X(device_count, Int, Settings, "GPUs used in the whole job (0 on CPU)") \
  X(attention_backend, Text, Settings, "the kernel scaled_dot_product_attention chose for the run's shapes: `flash_attention`, `efficient_attention`, `cudnn_attention`, `math`, `overrideable`; `unfused` before LibTorch 2.0") \
  X(fused_kernels, Text, Settings, "the harness's own fused kernels in the model's step, comma-separated: `add_layer_norm` (each residual add and the LayerNorm after it in one call; the same arithmetic as ATen's separate calls up to rounding), `bias_gelu` (the MLP's GELU and bias gradients in one pass; the forward is ATen's, GELU's gradient the same up to the last bits of erf and exp, the bias's summed in another order); empty: ATen's calls only, bit for bit PyTorch's") \
  X(graph_capture, Text, Settings, "`off`, or what replayed the forward (loss included) and backward of each step with the captured batch size: `device` (two CUDA/HIP graphs, captured at the run's fourth step), `cpu_twin` (the CPU's stand-in for tests: the recorded work run again at each replay, no faster); the steps before the capture and those of another batch size (an epoch's last, shorter one) ran eagerly; `graph_replays` counts the replayed steps") \
  X(precision, Text, Settings, "`fp32`, `bf16` (autocast; weights and optimizer state in fp32) or `fp16` (autocast with dynamic loss scaling)") \
  X(batch_size, Int, Settings, "per rank") \
  X(global_batch_size, Int, Settings, "batch_size x world_size") \
  X(epochs, Int, Settings, "") \
  X(max_steps, Int, Settings, "0 = no limit") \
  X(warmup_steps, Int, Settings, "the first steps of the run, timed and recorded but excluded from steady-state figures") \
  X(eval_every, Int, Settings, "extra validation every N steps; 0 = at epoch ends only") \
  X(optimizer, Text, Settings, "`adam`, `adamw`, `sgd`") \
  X(optimizer_impl, Text, Settings, "how the update runs: `fused` (one pass per element: ATen's multi-tensor kernel on GPUs, the harness's own loop on CPUs) or `torch` (torch::optim, per parameter)") \
  X(lr, Real, Settings, "peak learning rate") \
  X(lr_schedule, Text, Settings, "`onecycle` or `constant`") \
  X(warmup_epochs, Real, Settings, "one-cycle warm-up length") \
  X(weight_decay, Real, Settings, "") \
  X(label_smoothing, Real, Settings, "") \
  X(grad_clip, Real, Settings, "max global gradient L2 norm, 0 = off") \
  X(dropout, Real, Settings, "") \
  X(seed, Int, Settings, "") \
  X(threads, Int, Settings, "intra-op CPU threads per rank") \
  X(loader_workers, Int, Settings, "") \
  X(prefetch_batches, Int, Settings, "") \
  X(init_weights, Text, Settings, "file the initial weights came from, empty = from scratch") \
  X(pretrained, Int, Settings, "1 if `init_weights` was given") \
  X(repeat_group, Text, Settings, "shared by the runs of one `--repeat N` invocation, empty otherwise") \
  X(repeat_index, Int, Settings, "0-based index within the group") \
  X(repeat_count, Int, Settings, "N of `--repeat N` (1 without it)") \
  X(adaptive_target_rel_ci, Real, Settings, "`--adaptive` target: relative half-width of the 95% CI of the median steady step time, its larger side over the median (0 = off)") \
  X(adaptive_stop_reason, Text, Settings, "`ci_reached`, `step_budget`, or empty when adaptive mode was off") \
  X(adaptive_rel_ci, Real, Settings, "achieved relative half-width of that interval when the run stopped, max(median - lo, hi - median) / median (NaN if too few steps; harnesses before this definition wrote (hi - lo) / 2 / median)") \
  X(data_source, Text, Data, "`synthetic`, `hdf5`, `folder`") \
  X(data_path, Text, Data, "file or folder, empty for synthetic") \
  X(synthetic, Int, Data, "1 if the images were generated") \
  X(dataset_samples, Int, Data, "N in the source") \
  X(val_fraction, Real, Data, "") \
  X(full_train_samples, Int, Data, "split size before subsetting") \
  X(full_val_samples, Int, Data, "split size before subsetting") \
  X(train_samples, Int, Data, "training samples per epoch after subsetting") \
  X(val_samples, Int, Data, "validation samples after subsetting") \
  X(subset, Text, Data, "the `--subset` value as given (`1%`, `800`), empty = full split") \
  X(subset_fraction, Real, Data, "`train_samples / full_train_samples`") \
  X(resize_antialias, Int, Data, "1 if downscaling in the preprocessing antialiases (torchvision >= 0.17, PIL); upscaling is unaffected") \
  X(val_scope, Text, Data, "how validation accuracy is computed: `all_ranks` (every validation image once, sharded over the ranks, reduced exactly) or `rank0_share` (one rank's share)") \
  X(val_images_per_eval, Int, Data, "images in one validation pass, all ranks") \
  X(world_size, Int, Parallelism, "ranks (1 without a launcher)") \
  X(nodes, Int, Parallelism, "") \
  X(ranks_per_node, Int, Parallelism, "") \
  X(comm_backend, Text, Parallelism, "gradient allreduce: `none` (one rank), `gloo` (CPU tensors), `nccl` (NCCL on CUDA, RCCL on ROCm)") \
  X(comm_library, Text, Parallelism, "the collective library and its version (`Gloo`, `NCCL 2.21.5`, `RCCL 2.18.3`)") \
  X(comm_bucket_bytes, Int, Parallelism, "gradient bucket size") \
  X(mpi_thread_level, Text, Parallelism, "the MPI thread support obtained (`MPI_THREAD_MULTIPLE`, ...), empty without MPI") \
  X(launcher, Text, Parallelism, "how the ranks found each other: `none` (one rank), `mpi`, or `env` (Slurm's or torchrun's rank variables and a c10d store, no MPI)") \
  X(comm_inter_node, Text, Parallelism, "the path gradients took between nodes as NCCL/RCCL reported it: `plugin: <name>` (the aws-ofi-rccl plugin reports `AWS Libfabric`), `socket` (TCP: slow), `IB`; Gloo and store runs name their TCP path; `none` with one rank, `unknown` when the library said nothing") \
  X(comm_intra_node, Text, Parallelism, "how channels within a node connected as NCCL/RCCL reported it (`P2P/IPC`, `SHM`, ...); empty when none was reported") \
  X(sync_every, Int, Parallelism, "steps between the ranks' exchanges of loss, accuracy and stop requests; the host reads the device once per exchange") \
  X(host, Text, Provenance, "rank 0's host") \
  X(cpu_model, Text, Provenance, "rank 0's CPU") \
  X(cpu_cores, Int, Provenance, "logical CPUs visible to rank 0") \
  X(gpu_model, Text, Provenance, "empty on CPU") \
  X(gpu_driver, Text, Provenance, "GPU driver version, empty on CPU or when unknown") \
  X(gpu_runtime, Text, Provenance, "CUDA or HIP runtime version LibTorch was built with") \
  X(torch_version, Text, Provenance, "") \
  X(blas, Text, Provenance, "the BLAS library actually loaded (e.g. `OpenBLAS 0.3.21 (openmp)`)") \
  X(mpi_library, Text, Provenance, "") \
  X(compiler, Text, Provenance, "") \
  X(harness_version, Text, Provenance, "") \
  X(git_commit, Text, Provenance, "") \
  X(slurm_job_id, Text, Provenance, "empty outside Slurm") \
  X(slurm_nodelist, Text, Provenance, "empty outside Slurm") \
  X(gemm_flops_per_s, Real, Performance, "matrix-product rate measured on this device (one rank) at ViT's linear-layer shapes in the run's precision; 0 = not measured") \
  X(gemm_shape, Text, Performance, "the product timed for `gemm_flops_per_s`, `MxKxN`") \
  X(model_flops_per_s, Real, Performance, "steady_images_per_s x train_flops_per_image / world_size: model FLOP/s per device (one device per rank)") \
  X(model_flops_utilisation, Real, Performance, "model_flops_per_s / gemm_flops_per_s: model FLOP/s against the matrix-product rate measured on the device (0..1)") \
  X(graph_replays, Int, Performance, "steps whose forward and backward were replays of the captured graphs (0 with `graph_capture` off)") \
  X(profile_steps, Int, Performance, "steps run under LibTorch's profiler (`--profile-steps`, rank 0), from the first step after the warm-up (in graph mode, after the capture): flagged `warmup` in `steps`, so out of steady-state figures; what ran in them, kernel by kernel, is in `<file>.profiles/<run_id>.json`") \
  X(peak_rss_bytes, Int, Memory, "peak resident memory of rank 0") \
  X(peak_rss_bytes_max_rank, Int, Memory, "the largest peak resident memory of any rank") \
  X(peak_device_memory_bytes, Int, Memory, "peak GPU memory allocated by LibTorch, largest over the ranks (0 on CPU)") \
  X(energy_sources, Text, Energy, "the energy counters read, comma-separated (`rapl`, `cray_pm`, `nvml`, `rocm_smi`), empty if none") \
  X(energy_unavailable, Text, Energy, "every counter that could not be read, with the reason (`rapl: .../energy_uj: Permission denied`)") \
  X(energy_j, Real, Energy, "measured energy of the whole run over all nodes and devices, joules (NaN if no counter was readable)")

// ---- Tables: X(name, type, meaning); type: I64, I32, U8, F32, F64 ----------------------------
#define LB_STEP_FIELDS(X)                                                                  \
  X(step, I64, "global step index from 0")                                                   \
  X(epoch, I32, "from 0")                                                                    \
  X(step_in_epoch, I32, "")                                                                  \
  X(samples, I32, "samples in this step, all ranks together")                               \
  X(warmup, U8, "1 for the first `warmup_steps` steps and for the `profile_steps` run under the profiler") \
  X(data_wait_s, F64, "from the end of the previous step (or the start of the epoch, or the end of a validation pass) until the batch is on the device: the loader, the copy, preprocessing on the device, and what the host did between the steps (the ranks' exchange at the end of a window, recording)") \
  X(forward_s, F64, "")                                                                      \
  X(backward_s, F64, "")                                                                     \
  X(optimizer_s, F64, "")                                                                    \
  X(comm_exposed_s, F64, "waiting after backward for the gradients' allreduce: the transfer not hidden behind backward and any wait for a slower rank (nothing exchanged with one rank)") \
  X(total_s, F64, "whole step, data wait included; an epoch's steps tile its step loop (on GPUs: the device's timeline, from events)") \
  X(loss, F32, "mean training loss of the step (all ranks)")                                 \
  X(lr, F64, "learning rate used")                                                           \
  X(loss_scale, F32, "fp16's dynamic loss scale used in the step (1 otherwise)")

#define LB_EPOCH_FIELDS(X)                                                                 \
  X(epoch, I32, "")                                                                          \
  X(train_time_s, F64, "the step loop, without flushes and extra validation passes")        \
  X(val_time_s, F64, "")                                                                     \
  X(epoch_time_s, F64, "start of training to end of validation; minus train and val time = overhead") \
  X(train_samples, I64, "processed in this epoch (all ranks)")                              \
  X(val_samples, I64, "all ranks")                                                           \
  X(train_loss, F64, "mean over the epoch")                                                  \
  X(train_acc, F64, "fraction 0..1")                                                         \
  X(val_loss, F64, "NaN when validation did not run")                                        \
  X(val_top1, F64, "fraction 0..1")                                                          \
  X(val_top5, F64, "fraction 0..1")                                                          \
  X(images_per_s, F64, "train samples / train time")                                         \
  X(end_wall_s, F64, "seconds since the run started")                                       \
  X(energy_j, F64, "measured energy of the epoch over all nodes and devices, joules (NaN if unavailable)")

#define LB_EVALUATION_FIELDS(X)                                                            \
  X(step, I64, "training steps done before this pass")                                     \
  X(epoch, I32, "epoch during (or at the end of) which it ran")                             \
  X(val_samples, I64, "all ranks")                                                           \
  X(val_loss, F64, "")                                                                       \
  X(val_top1, F64, "fraction 0..1")                                                          \
  X(val_top5, F64, "fraction 0..1")                                                          \
  X(val_time_s, F64, "")                                                                     \
  X(end_wall_s, F64, "seconds since the run started")

#define LB_ALLREDUCE_SWEEP_FIELDS(X)                                                       \
  X(bytes, I64, "message size")                                                              \
  X(seconds, F64, "median time of one allreduce of that size")                              \
  X(repeats, I32, "allreduces timed")                                                        \
  X(ranks, I32, "ranks taking part")

#define LB_ENERGY_FIELDS(X)                                                                \
  X(epoch, I32, "epoch, or -1 for the whole run")                                            \
  X(counter, S48, "`source:domain`: `rapl:package-0`, `rapl:dram`, `cray_pm:node`, `cray_pm:accel0`, `nvml:gpu`, `rocm_smi:gpu`") \
  X(joules, F64, "energy over the interval, summed over nodes (node and package counters) or over devices (GPU counters)") \
  X(seconds, F64, "length of the interval")                                                  \
  X(integrated, U8, "1 if integrated from power samples rather than read from an energy counter")

// ---- Generated C++ types ------------------------------------------------------------------------
enum class AttrType { Text, Int, Real };
enum class FieldType { I64, I32, U8, F32, F64, S48 };

// A fixed-size, NUL-padded string field (HDF5 fixed-length string; h5py reads it as bytes).
template <std::size_t N>
struct FixedText {
  char data[N] = {};
  FixedText() = default;
  FixedText(const std::string& s) { assign(s); }  // NOLINT: converting on purpose
  void assign(const std::string& s) {
    const std::size_t n = s.size() < N ? s.size() : N - 1;
    for (std::size_t i = 0; i < N; ++i) data[i] = i < n ? s[i] : '\0';
  }
  std::string str() const {
    std::size_t n = 0;
    while (n < N && data[n]) ++n;
    return std::string(data, n);
  }
};

using Text = std::string;
using Int = std::int64_t;
using Real = double;
using I64 = std::int64_t;
using I32 = std::int32_t;
using U8 = std::uint8_t;
using F32 = float;
using F64 = double;
using S48 = FixedText<48>;

// Every attribute is optional: unset attributes are not written, and a reader leaves absent ones
// unset instead of inventing a value.
struct RunAttributes {
#define LB_DECLARE_ATTR(name, type, group, doc) std::optional<type> name;
  LB_RUN_ATTRIBUTES(LB_DECLARE_ATTR)
#undef LB_DECLARE_ATTR
  // Sets every attribute that `other` has.
  void merge(const RunAttributes& other);
};

#define LB_DECLARE_FIELD(name, type, doc) type name{};
struct StepRecord {
  LB_STEP_FIELDS(LB_DECLARE_FIELD)
};
struct EpochRecord {
  LB_EPOCH_FIELDS(LB_DECLARE_FIELD)
};
struct EvaluationRecord {
  LB_EVALUATION_FIELDS(LB_DECLARE_FIELD)
};
struct AllreduceSweepRecord {
  LB_ALLREDUCE_SWEEP_FIELDS(LB_DECLARE_FIELD)
};
struct EnergyRecord {
  LB_ENERGY_FIELDS(LB_DECLARE_FIELD)
};
#undef LB_DECLARE_FIELD

// The table names in a run group.
inline constexpr const char* kStepsTable = "steps";
inline constexpr const char* kEpochsTable = "epochs";
inline constexpr const char* kEvaluationsTable = "evaluations";
inline constexpr const char* kAllreduceSweepTable = "allreduce_sweep";
inline constexpr const char* kEnergyTable = "energy";
// Each rank's total_s per step: float64 [steps, world_size].
inline constexpr const char* kRankStepTimeTable = "rank_step_time_s";

// ---- Descriptions (docs, the schema dump for Python fixtures, generic readers) -------------------
struct AttributeInfo {
  const char* name;
  AttrType type;
  const char* group;
  const char* doc;
};
struct FieldInfo {
  const char* name;
  FieldType type;
  const char* doc;
  std::size_t offset;
  std::size_t size;
};
struct TableInfo {
  const char* name;
  std::size_t row_size;
  std::vector<FieldInfo> fields;
};

// An attribute as a generic reader finds it (HDF5 int, float or string).
using AttrValue = std::variant<std::int64_t, double, std::string>;
// The schema's attributes among `values`, converted to their schema types (an int where a float
// is expected and the reverse are converted, rounding; a string where a number is expected, or the
// reverse, is left unset). Names the schema does not know are ignored.
RunAttributes attributes_from_values(const std::map<std::string, AttrValue>& values);

// Compile-time check that a table row has a field of that name, yielding the name: readers name
// fields through it, so a field renamed or removed in the schema fails their build.
#define LB_SCHEMA_FIELD(Row, name) ((void)sizeof(&::lb::schema::Row::name), #name)

const std::vector<AttributeInfo>& run_attributes();
const TableInfo& steps_table();
const TableInfo& epochs_table();
const TableInfo& evaluations_table();
const TableInfo& allreduce_sweep_table();
const TableInfo& energy_table();
// Every compound table above, in docs order.
std::vector<const TableInfo*> compound_tables();

const char* to_string(AttrType t);   // "string", "int", "float"
const char* to_string(FieldType t);  // "int64", "int32", "uint8", "float32", "float64", "string48"

// The field tables of docs/hdf5-schema.md, generated; the docs file holds exactly this text
// between its GENERATED markers (checked by a test).
std::string markdown_tables();
// The schema as JSON (for the Python fixture writer's check).
std::string json_description();

}  // namespace lb::schema
