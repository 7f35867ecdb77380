// Groups runs into configurations: runs that did the same job on the same hardware setup.
// The subset size is deliberately not part of a configuration: subset runs of one configuration
// are extrapolations of the same full job.
#pragma once

#include <string>
#include <vector>

#include "analysis/input/run_record.h"

namespace lb::analysis {

struct ConfigField {
  std::string name;    // "global_batch_size"
  std::string label;   // "global batch"
  std::string value;   // empty = unknown
  bool changes_work;   // differing values change the work done or the result reached
  // A setting of the training recipe (global batch, optimizer, learning rate, precision, initial
  // weights): scaling out changes some by design, and none changes the computation of an epoch.
  // Configurations that differ only in the recipe did the same task; the quality bar (not the
  // setting) decides whether the outcome is comparable.
  bool recipe = false;
};

// The fields in a fixed order; two runs belong to one configuration when all values are equal.
std::vector<ConfigField> configuration_fields(const RunRecord& run);
std::string configuration_key(const std::vector<ConfigField>& fields);
const ConfigField* find_field(const std::vector<ConfigField>& fields, const std::string& name);
// A field's value ("" when unknown), and as a whole number (0 when unknown or not a number).
std::string field_value(const std::vector<ConfigField>& fields, const std::string& name);
int field_int(const std::vector<ConfigField>& fields, const std::string& name);

// Work-changing fields that differ between two configurations, as "epochs 10 vs 3" (a's value
// first). A field unknown on one side is a difference ("precision fp32 vs unknown"): the
// comparison cannot be vouched for. Unknown on both sides says nothing and is left out.
std::vector<std::string> work_differences(const std::vector<ConfigField>& a,
                                          const std::vector<ConfigField>& b);

// The work-changing differences outside the recipe: the task itself (model, data, epochs). Same
// format as work_differences.
std::vector<std::string> task_differences(const std::vector<ConfigField>& a,
                                          const std::vector<ConfigField>& b);

// "LUMI 4 nodes (32 GPUs)", "Laptop 8 threads", with ", <source>" for imported runs.
std::string configuration_label(const std::vector<ConfigField>& fields, const std::string& cluster_name);

// Settings that define a configuration but are not stated, as labels ("GPUs", "precision"). Every
// field above except the source counts; "CPU threads" only for CPU runs (a GPU run's host threads
// are recorded but do not define it). Runs are repetitions of one configuration only when this is
// empty for both and every field is equal: a run with an unknown setting is a configuration of its
// own (docs/methodology.md, "Configurations").
std::vector<std::string> unknown_settings(const std::vector<ConfigField>& fields);

// The placement is unknown: no device kind, or a GPU run without its node or GPU count. Such a
// run is named "unknown configuration (run <id>)" and left out of scaling and of the headline.
bool placement_unknown(const std::vector<ConfigField>& fields);

// The key that groups runs: configuration_key when every defining setting is known, else one of
// the run's own (it pools with nothing).
std::string grouping_key(const std::vector<ConfigField>& fields, const std::string& run_id, size_t run_index);

// Indices of runs grouped by configuration, groups in order of first appearance.
std::vector<std::vector<size_t>> group_by_configuration(const std::vector<RunRecord>& runs);

}  // namespace lb::analysis
