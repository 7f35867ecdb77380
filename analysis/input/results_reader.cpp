#include "analysis/input/results_reader.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <map>
#include <variant>

#include "analysis/input/input_file.h"
#include "analysis/input/compound_reader.h"
#include "common/h5.h"
#include "analysis/input/names.h"
#include "analysis/input/recorded_run.h"
#include "common/results_schema.h"

namespace lb::analysis {
namespace {

using AttrMap = std::map<std::string, schema::AttrValue>;

bool read_string_attribute(hid_t attr, hid_t file_type, std::string& out) {
  h5::Handle mem = h5::adopt_type(H5Tcopy(H5T_C_S1));
  H5Tset_cset(mem.get(), H5Tget_cset(file_type));
  if (H5Tis_variable_str(file_type) > 0) {
    H5Tset_size(mem.get(), H5T_VARIABLE);
    char* text = nullptr;
    if (H5Aread(attr, mem.get(), &text) < 0) return false;
    out = text ? text : "";
    H5free_memory(text);
    return true;
  }
  const size_t size = H5Tget_size(file_type);
  H5Tset_size(mem.get(), size);
  std::string buffer(size, '\0');
  if (H5Aread(attr, mem.get(), buffer.data()) < 0) return false;
  buffer.resize(std::min(buffer.find('\0'), buffer.size()));
  out = buffer;
  return true;
}

// Reads every scalar attribute of an object in one pass (one open per attribute, no existence probes).
herr_t collect_attribute(hid_t location, const char* name, const H5A_info_t*, void* data) {
  auto& map = *static_cast<AttrMap*>(data);
  h5::Handle attr = h5::adopt_attr(H5Aopen(location, name, H5P_DEFAULT));
  if (!attr) return 0;
  h5::Handle space = h5::adopt_space(H5Aget_space(attr.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return 0;
  h5::Handle type = h5::adopt_type(H5Aget_type(attr.get()));
  switch (H5Tget_class(type.get())) {
    case H5T_INTEGER: {
      int64_t v = 0;
      if (H5Aread(attr.get(), H5T_NATIVE_INT64, &v) >= 0) map[name] = v;
      break;
    }
    case H5T_FLOAT: {
      double v = 0;
      if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &v) >= 0) map[name] = v;
      break;
    }
    case H5T_STRING: {
      std::string v;
      if (read_string_attribute(attr.get(), type.get(), v)) map[name] = v;
      break;
    }
    default: break;
  }
  return 0;
}

AttrMap read_attributes(hid_t object) {
  AttrMap map;
  hsize_t index = 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, &index, collect_attribute, &map);
  return map;
}

std::optional<int64_t> root_int(const AttrMap& m, const char* name) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  if (auto i = std::get_if<int64_t>(&it->second)) return *i;
  if (auto d = std::get_if<double>(&it->second)) {
    // Only values an int64 holds: llround of anything larger is undefined.
    if (std::isfinite(*d) && std::fabs(*d) < 9.2e18) return static_cast<int64_t>(std::llround(*d));
  }
  return std::nullopt;
}

// A count (nodes, ranks, samples, epochs, ...): 0 to `max`, else unknown with a warning naming the
// attribute. The comparison does arithmetic on these in int.
std::optional<int64_t> get_count(const AttrMap& m, const char* name, RunRecord& run,
                                 int64_t max = std::numeric_limits<int32_t>::max()) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  const auto v = root_int(m, name);
  if (v && *v >= 0 && *v <= max) return v;
  std::string shown;
  if (auto i = std::get_if<int64_t>(&it->second)) shown = std::to_string(*i);
  else if (auto d = std::get_if<double>(&it->second)) shown = format_number(*d);
  else shown = "'" + std::get<std::string>(it->second).substr(0, 40) + "'";
  run.warnings.push_back("attribute " + std::string(name) + " = " + shown + " is not a count from 0 to " +
                         std::to_string(max) + "; treated as unknown");
  return std::nullopt;
}

// A table value as an integer field: values outside the type (or NaN) are clamped instead of
// being converted with undefined behaviour; `bad` counts them.
template <class T>
T to_field(double v, size_t& bad) {
  constexpr double lo = static_cast<double>(std::numeric_limits<T>::min());
  constexpr double hi = static_cast<double>(std::numeric_limits<T>::max());
  if (!(v >= lo && v < hi)) {
    ++bad;
    return std::isnan(v) || v < lo ? std::numeric_limits<T>::min() : std::numeric_limits<T>::max();
  }
  return static_cast<T>(v);
}

// A warning when to_field clamped `n` of the `values` of the table `name`.
void note_clamped(RunRecord& run, const char* name, size_t n, const char* values) {
  if (n == 0) return;
  run.warnings.push_back("'" + std::string(name) + "': " + std::to_string(n) + " " + values + " (or NaN), clamped");
}

// Rows whose time fields are negative or not finite: the table cannot be used for timing. True
// when there are any, with a warning naming the table `name` and ending in `consequence`.
bool bad_times(const CompoundColumns& table, const char* name,
               std::initializer_list<std::pair<size_t, const char*>> fields, const char* consequence, RunRecord& run) {
  std::string out;
  for (const auto& [field, field_name] : fields) {
    size_t negative = 0, nan = 0, first = 0;
    for (size_t i = 0; i < table.rows(); ++i) {
      const double v = table.value(field, i);
      if (std::isfinite(v) && v >= 0) continue;
      if (negative + nan == 0) first = i;
      (std::isnan(v) ? nan : negative) += 1;
    }
    if (negative + nan == 0) continue;
    out += (out.empty() ? "" : "; ") + std::to_string(negative + nan) + " rows with a " +
           (nan ? (negative ? "NaN or negative" : "NaN") : "negative or infinite") + " " + field_name +
           " (first: row " + std::to_string(first) + ")";
  }
  if (out.empty()) return false;
  run.warnings.push_back("'" + std::string(name) + "': " + out + consequence);
  return true;
}

// Tables larger than this are refused: a file can declare 10^10 rows in a few bytes (chunks that
// were never written), and reading it would take all memory.
constexpr hsize_t kMaxTableBytes = hsize_t(4) << 30;

// The run group's dataset `name`; an empty handle when it is absent (a warning when `required`),
// cannot be opened, or is larger than the above (a warning).
h5::Handle open_table(hid_t group, const char* name, bool required, RunRecord& run) {
  if (H5Lexists(group, name, H5P_DEFAULT) <= 0) {
    if (required) run.warnings.push_back("no '" + std::string(name) + "' dataset");
    return {};
  }
  h5::Handle ds = h5::adopt_dataset(H5Dopen2(group, name, H5P_DEFAULT));
  if (!ds) return ds;
  h5::Handle space = h5::adopt_space(H5Dget_space(ds.get()));
  h5::Handle type = h5::adopt_type(H5Dget_type(ds.get()));
  const hssize_t points = H5Sget_simple_extent_npoints(space.get());
  const size_t size = std::max<size_t>(H5Tget_size(type.get()), sizeof(double));
  if (points < 0 || hsize_t(points) <= kMaxTableBytes / size) return ds;
  run.warnings.push_back("'" + std::string(name) + "' declares " + std::to_string(points) +
                         " values, more than analyze reads (4 GiB); left out");
  return {};
}

std::optional<double> get_double(const AttrMap& m, const char* name) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  if (auto d = std::get_if<double>(&it->second)) return *d;
  if (auto i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);
  return std::nullopt;
}

// Counts and times the comparison computes with, checked before they are typed by the schema:
// a count outside 0..max or a negative, NaN or infinite time becomes unknown, with a warning
// naming the attribute (the comparison does int arithmetic on counts).
void drop_unusable_values(AttrMap& a, RunRecord& run) {
  static const char* const counts[] = {"nodes", "world_size", "device_count", "threads", "batch_size",
                                       "global_batch_size", "full_train_samples", "full_val_samples",
                                       "train_samples", "val_samples", "epochs", "eval_every",
                                       "val_images_per_eval", "ranks_per_node", "repeat_index", "repeat_count"};
  static const char* const sizes[] = {"peak_rss_bytes", "peak_rss_bytes_max_rank", "peak_device_memory_bytes",
                                      "parameters", "comm_bucket_bytes"};
  for (const char* name : counts) {
    if (a.count(name) && !get_count(a, name, run)) a.erase(name);
  }
  for (const char* name : sizes) {
    if (a.count(name) && !get_count(a, name, run, int64_t(1) << 62)) a.erase(name);
  }
  for (const char* name : {"wall_time_s", "setup_s"}) {
    const auto v = get_double(a, name);
    if (!v || (std::isfinite(*v) && *v >= 0)) continue;
    run.warnings.push_back("attribute " + std::string(name) + " = " + (std::isnan(*v) ? std::string("NaN") : format_number(*v)) +
                           " is not a time in seconds (negative, NaN or infinite); treated as unknown");
    a.erase(name);
  }
}

// Buffers reused from run to run: fresh multi-megabyte allocations per run cost more in page
// faults than the reading itself.
struct Scratch {
  std::vector<unsigned char> rows;
  std::vector<double> rank_times;
};

// Reads every row of the run's table `name`; false, with a warning, when it is not a compound
// table, lacks a `required` field or cannot be read. Each warning ends in the consequence given
// for it (tables differ in what they say).
bool read_table(CompoundColumns& table, const char* name, const std::vector<bool>& required, Scratch& scratch,
                RunRecord& run, const char* not_compound = "", const char* lacking = "", const char* unreadable = "") {
  const std::string quoted = "'" + std::string(name) + "'";
  if (!table.is_compound()) {
    run.warnings.push_back(quoted + " is not a compound table" + not_compound);
    return false;
  }
  const std::string missing = table.missing(required);
  if (!missing.empty()) {
    run.warnings.push_back(quoted + " lacks fields: " + missing + lacking);
    return false;
  }
  if (!table.read(scratch.rows)) {
    run.warnings.push_back(quoted + " could not be read" + unreadable);
    return false;
  }
  return true;
}

void read_steps(hid_t group, RunRecord& run, Scratch& scratch) {
  h5::Handle ds = open_table(group, schema::kStepsTable, true, run);
  if (!ds) return;
  enum { kEpoch, kSamples, kWarmup, kTotal, kDataWait, kCommExposed, kForward, kBackward, kOptimizer };
#define F(name) LB_SCHEMA_FIELD(StepRecord, name)
  CompoundColumns table(ds.get(), {F(epoch), F(samples), F(warmup), F(total_s), F(data_wait_s), F(comm_exposed_s),
                                   F(forward_s), F(backward_s), F(optimizer_s)});
#undef F
  const std::vector<bool> required = {true, true, true, true, false, false, false, false, false};
  if (!read_table(table, schema::kStepsTable, required, scratch, run) ||
      bad_times(table, schema::kStepsTable, {{kTotal, "total_s"}}, "; the table is left out", run)) {
    return;
  }
  const size_t n = table.rows();
  size_t out_of_range = 0;
  StepColumns& c = run.steps;
  c.epoch.resize(n);
  c.samples.resize(n);
  c.warmup.resize(n);
  c.total_s.resize(n);
  c.data_wait_s.resize(n);
  c.comm_exposed_s.resize(n);
  // Compute time (forward + backward + optimizer) for the bound attribution; all three or none.
  const bool compute = table.has(kForward) && table.has(kBackward) && table.has(kOptimizer);
  c.compute_s.resize(compute ? n : 0);
  for (size_t i = 0; i < n; ++i) {
    c.epoch[i] = to_field<int32_t>(table.value(kEpoch, i), out_of_range);
    c.samples[i] = to_field<int32_t>(table.value(kSamples, i), out_of_range);
    c.warmup[i] = table.value(kWarmup, i) != 0 ? 1 : 0;
    c.total_s[i] = table.value(kTotal, i);
    c.data_wait_s[i] = table.has(kDataWait) ? table.value(kDataWait, i) : 0.0;
    c.comm_exposed_s[i] = table.has(kCommExposed) ? table.value(kCommExposed, i) : 0.0;
    if (compute) c.compute_s[i] = table.value(kForward, i) + table.value(kBackward, i) + table.value(kOptimizer, i);
  }
  note_clamped(run, schema::kStepsTable, out_of_range, "epoch or samples values outside a 32-bit integer");
}

// The allreduce sweep of a multi-rank run (optional: one-rank runs and older files have none).
void read_allreduce_sweep(hid_t group, RunRecord& run, Scratch& scratch) {
  h5::Handle ds = open_table(group, schema::kAllreduceSweepTable, false, run);
  if (!ds) return;
  enum { kBytes, kSeconds, kRepeats, kRanks };
#define F(name) LB_SCHEMA_FIELD(AllreduceSweepRecord, name)
  CompoundColumns table(ds.get(), {F(bytes), F(seconds), F(repeats), F(ranks)});
#undef F
  const char* const no_model = "; no scaling model from it";
  if (!read_table(table, schema::kAllreduceSweepTable, {true, true, false, true}, scratch, run, no_model, no_model,
                  no_model)) {
    return;
  }
  for (size_t i = 0; i < table.rows(); ++i) {
    AllreduceSample a;
    const double bytes = table.value(kBytes, i), seconds = table.value(kSeconds, i), ranks = table.value(kRanks, i);
    if (!(bytes > 0) || !(seconds > 0) || !std::isfinite(seconds) || !(ranks >= 2)) continue;
    size_t clamped = 0;
    a.bytes = to_field<int64_t>(bytes, clamped);
    a.seconds = seconds;
    a.repeats = table.has(kRepeats) ? to_field<int32_t>(table.value(kRepeats, i), clamped) : 0;
    a.ranks = to_field<int32_t>(ranks, clamped);
    if (clamped > 0) continue;
    run.allreduce_sweep.push_back(a);
  }
}

void read_epochs(hid_t group, RunRecord& run, Scratch& scratch) {
  h5::Handle ds = open_table(group, schema::kEpochsTable, true, run);
  if (!ds) return;
  enum { kEpoch, kTrain, kVal, kTotal, kTrainSamples, kValSamples, kTrainLoss, kTrainAcc, kValLoss,
         kTop1, kTop5, kImagesPerS, kEndWall, kEnergy };
#define F(name) LB_SCHEMA_FIELD(EpochRecord, name)
  CompoundColumns table(ds.get(), {F(epoch), F(train_time_s), F(val_time_s), F(epoch_time_s), F(train_samples),
                                   F(val_samples), F(train_loss), F(train_acc), F(val_loss), F(val_top1), F(val_top5),
                                   F(images_per_s), F(end_wall_s), F(energy_j)});
#undef F
  const std::vector<bool> required = {true, true, true, true, true, true, false, false, false, false, false, false,
                                      false, false};
  if (!read_table(table, schema::kEpochsTable, required, scratch, run) ||
      bad_times(table, schema::kEpochsTable, {{kTrain, "train_time_s"}, {kVal, "val_time_s"}, {kTotal, "epoch_time_s"}},
                "; the table is left out", run)) {
    return;
  }
  size_t out_of_range = 0;
  for (size_t i = 0; i < table.rows(); ++i) {
    EpochRecord e;
    e.epoch = to_field<int32_t>(table.value(kEpoch, i), out_of_range);
    e.train_time_s = table.value(kTrain, i);
    e.val_time_s = table.value(kVal, i);
    e.epoch_time_s = table.value(kTotal, i);
    e.train_samples = to_field<int64_t>(table.value(kTrainSamples, i), out_of_range);
    e.val_samples = to_field<int64_t>(table.value(kValSamples, i), out_of_range);
    e.train_loss = table.value(kTrainLoss, i);
    e.train_acc = table.value(kTrainAcc, i);
    e.val_loss = table.value(kValLoss, i);
    e.val_top1 = table.value(kTop1, i);
    e.val_top5 = table.value(kTop5, i);
    e.images_per_s = table.value(kImagesPerS, i);
    e.end_wall_s = table.value(kEndWall, i);
    e.energy_j = table.value(kEnergy, i);  // NaN when the field is absent (older files)
    run.epochs.push_back(e);
  }
  note_clamped(run, schema::kEpochsTable, out_of_range, "epoch or sample counts outside their integer type");
}

// The validation passes; optional (files written before the harness recorded them have none).
void read_evaluations(hid_t group, RunRecord& run, Scratch& scratch) {
  h5::Handle ds = open_table(group, schema::kEvaluationsTable, false, run);
  if (!ds) return;
  enum { kStep, kEpoch, kValSamples, kTop1, kValTime, kEndWall };
#define F(name) LB_SCHEMA_FIELD(EvaluationRecord, name)
  CompoundColumns table(ds.get(), {F(step), F(epoch), F(val_samples), F(val_top1), F(val_time_s), F(end_wall_s)});
#undef F
  const char* const from_epochs = "; accuracy taken from 'epochs'";
  if (!read_table(table, schema::kEvaluationsTable, {true, true, true, false, true, true}, scratch, run, "",
                  from_epochs, from_epochs) ||
      bad_times(table, schema::kEvaluationsTable, {{kValTime, "val_time_s"}}, from_epochs, run)) {
    return;
  }
  run.evaluations.reserve(table.rows());
  size_t out_of_range = 0;
  for (size_t i = 0; i < table.rows(); ++i) {
    EvaluationRecord e;
    e.step = to_field<int64_t>(table.value(kStep, i), out_of_range);
    e.epoch = to_field<int32_t>(table.value(kEpoch, i), out_of_range);
    e.val_samples = to_field<int64_t>(table.value(kValSamples, i), out_of_range);
    e.val_top1 = table.value(kTop1, i);
    e.val_time_s = table.value(kValTime, i);
    e.end_wall_s = table.value(kEndWall, i);
    run.evaluations.push_back(e);
  }
  note_clamped(run, schema::kEvaluationsTable, out_of_range, "step, epoch or sample counts outside their integer type");
}

// The energy counters (schema 2; optional). Rows stay as recorded: which of them make the run's
// energy is decided by the analysis (analysis/energy.h), never by adding everything up.
void read_energy(hid_t group, RunRecord& run, Scratch& scratch) {
  h5::Handle ds = open_table(group, schema::kEnergyTable, false, run);
  if (!ds) return;
  enum { kEpoch, kCounter, kJoules, kSeconds, kIntegrated };
#define F(name) LB_SCHEMA_FIELD(EnergyRecord, name)
  CompoundColumns table(ds.get(), {F(epoch), F(counter), F(joules), F(seconds), F(integrated)});
#undef F
  const char* const not_read = "; energy not read from it";
  if (!read_table(table, schema::kEnergyTable, {true, true, true, false, false}, scratch, run, not_read, not_read)) {
    return;
  }
  for (size_t i = 0; i < table.rows(); ++i) {
    EnergyCounterRow e;
    const double epoch = table.value(kEpoch, i);
    e.epoch = std::isfinite(epoch) ? static_cast<int32_t>(epoch) : -1;
    e.counter = trim(table.text(kCounter, i));
    e.joules = table.value(kJoules, i);
    e.seconds = table.has(kSeconds) ? table.value(kSeconds, i) : std::nan("");
    e.integrated = table.has(kIntegrated) && table.value(kIntegrated, i) != 0;
    if (e.counter.empty()) continue;
    run.energy.counters.push_back(std::move(e));
  }
}

// Reduces rank_step_time_s [steps, world] to the slowest and the mean rank per step.
void read_rank_times(hid_t group, RunRecord& run, Scratch& scratch) {
  h5::Handle ds = open_table(group, schema::kRankStepTimeTable, false, run);
  if (!ds) return;
  h5::Handle space = h5::adopt_space(H5Dget_space(ds.get()));
  if (H5Sget_simple_extent_ndims(space.get()) != 2) {
    run.warnings.push_back("'rank_step_time_s' is not two-dimensional");
    return;
  }
  hsize_t dims[2] = {0, 0};
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  if (dims[0] == 0 || dims[1] == 0) return;
  std::vector<double>& values = scratch.rank_times;
  if (values.size() < dims[0] * dims[1]) values.resize(dims[0] * dims[1]);
  if (H5Dread(ds.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0) {
    run.warnings.push_back("'rank_step_time_s' could not be read");
    return;
  }
  run.steps.reduce_rank_times(values.data(), dims[0], dims[1]);
}

// Link names in name order, through calls that are the same in HDF5 1.10 to 1.14.
std::vector<std::string> member_names(hid_t group) {
  std::vector<std::string> names;
  H5G_info_t info;
  if (H5Gget_info(group, &info) < 0) return names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t len = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    if (len < 0) continue;
    std::string name(static_cast<size_t>(len) + 1, '\0');
    H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
    name.resize(static_cast<size_t>(len));
    names.push_back(name);
  }
  return names;
}

}  // namespace

FileReadResult read_results_file(const std::string& path) {
  // HDF5 prints a stack trace for every failed call by default; a foreign file is expected input.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  FileReadResult result;
  auto fail = [&](const std::string& error) {
    result.error = error;
    return result;
  };
  const std::string problem = input_file_problem(path, kMaxResultsFileBytes, "a results file");
  if (!problem.empty()) return fail(problem);
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return fail(path + ": cannot open the file for reading");
  std::fclose(f);
  if (H5Fis_hdf5(path.c_str()) <= 0) return fail(path + ": not an HDF5 file (expected a lumibench results file)");
  h5::Handle file = h5::adopt_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file) return fail(path + ": HDF5 could not open the file (damaged or locked?)");
  const AttrMap root = read_attributes(file.get());
  const auto version = root_int(root, "schema_version");
  if (root.count("schema_version") && H5Lexists(file.get(), "runs", H5P_DEFAULT) > 0) {
    // Only a whole number from 1 up: 0, negatives (INT64_MIN), fractions, NaN and strings are not versions.
    const schema::AttrValue& v = root.at("schema_version");
    const double* d = std::get_if<double>(&v);
    if (!version || *version < 1 || (d && *d != std::round(*d))) {
      std::string shown = std::holds_alternative<std::string>(v) ? "'" + std::get<std::string>(v).substr(0, 40) + "'"
                          : d ? format_number(*d) : std::to_string(*version);
      return fail(path + ": schema_version " + shown + " is not a valid version (expected a whole number from 1 to " +
                  std::to_string(kSupportedSchemaVersion) + ")");
    }
  }
  if (!version || H5Lexists(file.get(), "runs", H5P_DEFAULT) <= 0) {
    return fail(path + ": not a lumibench results file (expected a root attribute 'schema_version' and a group "
                       "'/runs')");
  }
  if (*version > kSupportedSchemaVersion) {
    return fail(path + ": schema_version " + std::to_string(*version) + " is newer than this analyze understands (" +
                std::to_string(kSupportedSchemaVersion) + "); update lumibench to read it");
  }
  h5::Handle runs = h5::adopt_group(H5Gopen2(file.get(), "runs", H5P_DEFAULT));
  if (!runs) return fail(path + ": '/runs' is not a group");
  Scratch scratch;
  const auto names = member_names(runs.get());
  if (names.empty()) result.messages.push_back(path + ": '/runs' holds no runs");
  for (const auto& name : names) {
    h5::Handle group = h5::adopt_group(H5Gopen2(runs.get(), name.c_str(), H5P_DEFAULT));
    if (!group) {
      result.messages.push_back(path + ": /runs/" + name + " is not a group; skipped");
      continue;
    }
    RunRecord run;
    run.run_id = name;
    run.source_path = path;
    run.source_label = "measured";
    try {
      AttrMap attributes = read_attributes(group.get());
      drop_unusable_values(attributes, run);
      fill_from_attributes(schema::attributes_from_values(attributes), run);
      read_steps(group.get(), run, scratch);
      read_epochs(group.get(), run, scratch);
      read_evaluations(group.get(), run, scratch);
      read_rank_times(group.get(), run, scratch);
      read_allreduce_sweep(group.get(), run, scratch);
      read_energy(group.get(), run, scratch);
    } catch (const std::bad_alloc&) {
      result.messages.push_back(path + ": /runs/" + name + ": too large for this machine's memory; skipped");
      scratch = Scratch();
      continue;
    }
    result.runs.push_back(std::move(run));
  }
  result.ok = true;
  return result;
}

}  // namespace lb::analysis
