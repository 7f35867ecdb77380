// Groups runs into configurations: runs that did the same job on the same hardware setup.
// The subset size is deliberately not part of a configuration: subset runs of one configuration
// are extrapolations of the same full job.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "analysis/input/run_record.h"

namespace lb::analysis {

// The settings that define a configuration, in the order they are listed and compared. Callers
// name a setting by this key, so a misspelt one does not compile; configuration_of holds the one
// table that names each for output.
enum class Field {
  source, device, device_model, model, nodes, gpus, ranks, threads, precision, batch_size,
  global_batch_size, synthetic, full_train_samples, full_val_samples, epochs, optimizer, lr, initial_weights
};

// Where a configuration ran, as its records place it. Cluster: a GPU run recorded in a scheduler
// job (slurm_job_id), across several nodes, or imported (the tables analyze imports, the guide
// and W&B exports, are of cluster jobs). Own machine: every other run that states its device,
// a laptop with a GPU included. Unknown: no device kind, or a GPU run without its node or GPU
// count; such a run is named "unknown configuration (run <id>)" and left out of scaling and of
// the headline. A CPU job on the cluster counts as the own machine: the cluster's models (GPU
// power, billing per GPU-hour) are of its GPU partition.
enum class Placement { Unknown, OwnMachine, Cluster };

struct ConfigField {
  Field key;
  const char* name;    // the output column: "global_batch_size"
  const char* label;   // "global batch"
  std::string value;   // as printed; empty = unknown
  std::optional<int64_t> count;  // whole-number settings as recorded (never parsed back from value)
  bool changes_work;   // differing values change the work done or the result reached
  // A setting of the training recipe (global batch, optimizer, learning rate, precision, initial
  // weights): scaling out changes some by design, and none changes the computation of an epoch.
  // Configurations that differ only in the recipe did the same task; the quality bar (not the
  // setting) decides whether the outcome is comparable.
  bool recipe = false;
  // Counts towards unknown_settings: every field but the source, and CPU threads only for CPU
  // runs (a GPU run's host threads are recorded but do not define it).
  bool defining = true;
};

struct Configuration {
  std::vector<ConfigField> fields;  // one per Field, in Field's order
  Placement placement = Placement::Unknown;

  // Counted as the cluster's (ConfigResult::is_cluster; the grid and the billing): placed there,
  // or a GPU run whose placement is unknown (no node or GPU count), still gridded and billed as
  // the cluster's but drawn in the unknown colour and kept out of the headline. A GPU on the
  // user's own machine is not.
  bool cluster() const { return placement == Placement::Cluster || (placement == Placement::Unknown && (*this)[Field::device] == "gpu"); }
  const std::string& operator[](Field f) const { return fields[static_cast<size_t>(f)].value; }
  std::optional<int64_t> count(Field f) const { return fields[static_cast<size_t>(f)].count; }
  // A count as an int; 0 when unknown or beyond an int (such a count of nodes or ranks says nothing usable).
  int whole(Field f) const;
};

// Two runs belong to one configuration when all field values are equal.
Configuration configuration_of(const RunRecord& run);

// The values of these fields, each followed by \x1f: equal for configurations that agree on them.
std::string fields_key(const Configuration& c, std::initializer_list<Field> fields);

// Work-changing fields that differ between two configurations, as "epochs 10 vs 3" (a's value
// first). A field unknown on one side is a difference ("precision fp32 vs unknown"): the
// comparison cannot be vouched for. Unknown on both sides says nothing and is left out.
std::vector<std::string> work_differences(const Configuration& a, const Configuration& b);

// The work-changing differences outside the recipe: the task itself (model, data, epochs). Same
// format as work_differences.
std::vector<std::string> task_differences(const Configuration& a, const Configuration& b);

// "LUMI 4 nodes (32 GPUs)", "Laptop 8 threads", "Laptop 1 GPU", with ", <source>" for imported runs.
std::string configuration_label(const Configuration& c, const std::string& cluster_name);

// Defining settings that are not stated, as labels ("GPUs", "precision"). Runs are repetitions of
// one configuration only when this is empty for both and every field is equal: a run with an
// unknown setting is a configuration of its own (docs/methodology.md, "Configurations").
std::vector<std::string> unknown_settings(const Configuration& c);

// The key that groups runs: the placement and every field's value when every defining setting is
// known, else one of the run's own (it pools with nothing).
std::string grouping_key(const Configuration& c, const std::string& run_id, size_t run_index);

}  // namespace lb::analysis
