// One run as analyze sees it, whether read from a results file or imported from a table.
// Unknown settings stay std::nullopt: an import that lacks a column must not look like a zero.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/energy_selection.h"
#include "common/results_schema.h"

namespace lb::analysis {

// Measured: our own results file. Imported: someone else's table (W&B export, the reference file).
enum class Origin { Measured, Imported };

enum class RunStatus { Completed, Running, Interrupted, Diverged, Failed, Crashed, Unknown };

// The kind of a figure: "measured", "extrapolated", "imported", "imported, extrapolated".
std::string figure_kind(bool imported, bool extrapolated);
const char* to_string(RunStatus status);
// Accepts the results schema's words and W&B's ("finished", "crashed", ...); anything else is Unknown.
RunStatus parse_run_status(const std::string& text);

struct RunSettings {
  std::optional<std::string> model;         // network, normalized: "vit_b_16"
  std::optional<std::string> device;        // "cpu" or "gpu" (rocm/cuda both count as gpu)
  std::optional<std::string> device_model;  // GPU model for GPU runs, CPU model for CPU runs
  std::optional<int64_t> nodes;
  std::optional<int64_t> ranks;  // MPI world size
  std::optional<int64_t> gpus;   // 0 on CPU
  std::optional<int64_t> threads;
  std::optional<std::string> precision;
  std::optional<int64_t> batch_size;  // per rank
  std::optional<int64_t> global_batch_size;
  std::optional<std::string> dataset;  // display name only (file stem, "synthetic", or the import's)
  std::optional<bool> synthetic;
  std::optional<int64_t> full_train_samples;  // split sizes before subsetting
  std::optional<int64_t> full_val_samples;
  std::optional<int64_t> train_samples;  // per epoch, after subsetting
  std::optional<int64_t> val_samples;
  std::optional<double> subset_fraction;  // train_samples / full_train_samples
  std::optional<int64_t> epochs;
  std::optional<std::string> optimizer;
  std::optional<double> lr;  // peak learning rate
  std::optional<std::string> lr_schedule;
  std::optional<bool> pretrained;
  // How validation accuracy was computed: "all_ranks" (every validation image once, across the
  // ranks) or "rank0_share" (one rank's share only); unknown for files and exports that do not say.
  std::optional<std::string> val_scope;
  std::optional<int64_t> val_images_per_eval;  // images in one validation pass
  std::optional<std::string> comm_backend;      // "none", "gloo", "nccl", "mpi"
  // The path gradients took between nodes and within a node, as NCCL/RCCL reported it (schema 3):
  // "plugin: AWS Libfabric", "socket", "IB", "Gloo (TCP)", "none", "unknown"; "P2P/IPC", "SHM".
  std::optional<std::string> comm_inter_node;
  std::optional<std::string> comm_intra_node;
  std::optional<int64_t> comm_bucket_bytes;     // gradient bucket size
};

// Runs of one `harness --repeat N` invocation share a group.
struct RepeatInfo {
  std::string group;  // empty: not part of a --repeat invocation
  std::optional<int64_t> index, count;
};

// The harness's adaptive mode: steps until the 95% interval of the median steady step time is
// within the target (relative half-width) or a step budget runs out.
struct AdaptiveInfo {
  std::optional<double> target_rel_ci;  // 0 = adaptive mode off
  std::string stop_reason;              // "ci_reached", "step_budget" or empty
  std::optional<double> achieved_rel_ci;

  bool enabled() const { return target_rel_ci && *target_rel_ci > 0; }
};

// One row of the `allreduce_sweep` table: the median time of one allreduce of `bytes` over `ranks`.
struct AllreduceSample {
  int64_t bytes = 0;
  double seconds = 0;
  int32_t repeats = 0;
  int32_t ranks = 0;
};

// Rank 0's per-step records as columns (only the fields the analysis uses).
struct StepColumns {
  std::vector<int32_t> epoch;
  std::vector<int32_t> samples;
  std::vector<uint8_t> warmup;
  std::vector<double> total_s;
  std::vector<double> data_wait_s;
  std::vector<double> comm_exposed_s;
  // forward_s + backward_s + optimizer_s; empty when the table lacks any of the three.
  std::vector<double> compute_s;
  // From rank_step_time_s, reduced at read time because the full matrix can be large.
  std::vector<double> slowest_rank_s;
  std::vector<double> mean_rank_s;

  size_t size() const { return total_s.size(); }
  // Empties every column and frees its memory: a results file with many long runs would otherwise
  // keep every step in memory.
  void clear() { *this = StepColumns(); }
  // Sets slowest_rank_s and mean_rank_s from per-rank step times: `steps` rows of `ranks` values.
  void reduce_rank_times(const double* times, size_t steps, size_t ranks);
};

// The rows of the `epochs` and `evaluations` tables, as the schema defines them
// (common/results_schema.h). An epoch's energy_j is NaN until something recorded it.
struct EpochRecord : schema::EpochRecord {
  EpochRecord() { energy_j = std::nan(""); }
  EpochRecord(const schema::EpochRecord& row) : schema::EpochRecord(row) {}  // NOLINT: a row is an epoch
};
using EvaluationRecord = schema::EvaluationRecord;

// One row of the `energy` table: what one counter (or sum of counters) measured over a window.
using EnergyCounterRow = lb::EnergyCounterRow;  // common/energy_selection.h

// The energy the harness recorded (schema 2; absent from older files and from imports).
struct RecordedEnergy {
  std::string sources;      // `energy_sources`: the counters read, comma-separated ("rapl,rocm_smi")
  std::string unavailable;  // `energy_unavailable`: every counter that could not be read, with why
  bool energy_j_recorded = false;   // the `energy_j` attribute exists (it may be NaN)
  std::optional<double> energy_j;   // its value when finite: the harness's energy of the whole run
  std::vector<EnergyCounterRow> counters;  // the `energy` table

  bool anything_recorded() const { return energy_j_recorded || !counters.empty() || !sources.empty() || !unavailable.empty(); }
};

// Figures an imported table states directly instead of per-step records.
struct ImportedFigures {
  std::optional<double> runtime_s;             // the whole process, as the source timed it
  std::optional<double> val_accuracy_pct;      // final validation top-1, percent
  // The source's accuracy on the subset it trained and validated on (W&B `subset_val_acc`),
  // percent: a subset figure, never the accuracy of a full run.
  std::optional<double> subset_val_accuracy_pct;
  // Epochs the run finished (an export's `completed_epochs`, else `epoch`): what a run that did not
  // complete contributes; unknown when the export does not say.
  std::optional<int64_t> completed_epochs;
  std::optional<double> epoch_time_s;          // the source's time per epoch (of the run as done)
  std::optional<double> extrapolated_total_s;  // the source's own extrapolation to the full split
  std::optional<double> extrapolated_epoch_s;
};

struct RunRecord {
  std::string run_id;
  std::string source_path;   // the file it came from
  std::string source_label;  // "measured", or the import's label ("LUMI AI guide")
  Origin origin = Origin::Measured;
  RunStatus status = RunStatus::Unknown;
  std::string error;
  RunSettings settings;
  std::optional<double> wall_time_s;
  std::optional<int64_t> peak_rss_bytes;            // rank 0's peak resident memory
  std::optional<int64_t> peak_rss_bytes_max_rank;   // the largest of any rank (schema 2)
  std::optional<int64_t> peak_device_memory_bytes;  // GPU memory, largest over the ranks; 0 on CPU (schema 2)
  RecordedEnergy energy;
  std::optional<double> train_flops_per_image;
  std::optional<double> gemm_flops_per_s;  // measured matrix-product rate per rank (device); 0 = not measured
  std::optional<int64_t> parameters;       // trainable parameters (gradient elements)
  RepeatInfo repeat;
  AdaptiveInfo adaptive;
  std::vector<AllreduceSample> allreduce_sweep;  // empty when not measured (one rank, older files)
  std::string scheduler_job;  // `slurm_job_id`: the Slurm job it ran in; empty outside one (and for imports)
  StepColumns steps;
  std::vector<EpochRecord> epochs;
  std::vector<EvaluationRecord> evaluations;  // empty for files written before the table existed
  ImportedFigures imported;
  std::vector<std::string> warnings;  // found while reading: inconsistent or missing records
  // A multi-node run whose gradients did not cross nodes through a network plugin (on LUMI:
  // aws-ofi-rccl over Slingshot): why, in one line; empty otherwise (also among `warnings`).
  std::string inter_node_warning;

  bool is_imported() const { return origin == Origin::Imported; }
  bool is_complete() const { return status == RunStatus::Completed; }
  bool is_subset() const;  // trained on fewer samples than the full split (unknown = not a subset)
};

// One input file and what came of reading it (listed in the reports).
struct InputReport {
  std::string path;
  std::string kind;  // "results", "journal" (a run not yet folded into its results file), "wandb-csv", "reference"
  bool ok = false;
  size_t runs = 0;
  std::string message;  // the error when !ok, else empty
};

}  // namespace lb::analysis
