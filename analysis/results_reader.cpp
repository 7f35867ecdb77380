#include "analysis/results_reader.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <limits>
#include <map>
#include <variant>

#include "analysis/compound_reader.h"
#include "analysis/hdf5_handle.h"
#include "analysis/names.h"
#include "analysis/recorded_run.h"
#include "common/results_schema.h"

namespace lb::analysis {
namespace {

using AttrMap = std::map<std::string, schema::AttrValue>;

// HDF5 prints a stack trace for every failed call by default; a foreign file is expected input.
void silence_hdf5_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

bool read_string_attribute(hid_t attr, hid_t file_type, std::string& out) {
  H5Handle mem = h5_type(H5Tcopy(H5T_C_S1));
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
  H5Handle attr = h5_attribute(H5Aopen(location, name, H5P_DEFAULT));
  if (!attr) return 0;
  H5Handle space = h5_space(H5Aget_space(attr.get()));
  if (H5Sget_simple_extent_npoints(space.get()) != 1) return 0;
  H5Handle type = h5_type(H5Aget_type(attr.get()));
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
  return std::nullopt;
}

// Buffers reused from run to run: fresh multi-megabyte allocations per run cost more in page
// faults than the reading itself.
struct Scratch {
  std::vector<unsigned char> rows;
  std::vector<double> rank_times;
};

void read_steps(hid_t group, RunRecord& run, Scratch& scratch) {
  if (H5Lexists(group, schema::kStepsTable, H5P_DEFAULT) <= 0) {
    run.warnings.push_back("no 'steps' dataset");
    return;
  }
  H5Handle ds = h5_dataset(H5Dopen2(group, schema::kStepsTable, H5P_DEFAULT));
  enum { kEpoch, kSamples, kWarmup, kTotal, kDataWait, kCommExposed, kForward, kBackward, kOptimizer };
#define F(name) LB_SCHEMA_FIELD(StepRecord, name)
  CompoundColumns table(ds.get(), {F(epoch), F(samples), F(warmup), F(total_s), F(data_wait_s), F(comm_exposed_s),
                                   F(forward_s), F(backward_s), F(optimizer_s)});
#undef F
  if (!table.is_compound()) {
    run.warnings.push_back("'steps' is not a compound table");
    return;
  }
  const std::string missing = table.missing({true, true, true, true, false, false, false, false, false});
  if (!missing.empty()) {
    run.warnings.push_back("'steps' lacks fields: " + missing);
    return;
  }
  if (!table.read(scratch.rows)) {
    run.warnings.push_back("'steps' could not be read");
    return;
  }
  const size_t n = table.rows();
  StepColumns& c = run.steps;
  c.epoch.resize(n);
  c.samples.resize(n);
  c.warmup.resize(n);
  c.total_s.resize(n);
  c.data_wait_s.assign(n, 0.0);
  c.comm_exposed_s.assign(n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    c.epoch[i] = static_cast<int32_t>(table.value(kEpoch, i));
    c.samples[i] = static_cast<int32_t>(table.value(kSamples, i));
    c.warmup[i] = table.value(kWarmup, i) != 0 ? 1 : 0;
    c.total_s[i] = table.value(kTotal, i);
  }
  if (table.has(kDataWait)) {
    for (size_t i = 0; i < n; ++i) c.data_wait_s[i] = table.value(kDataWait, i);
  }
  if (table.has(kCommExposed)) {
    for (size_t i = 0; i < n; ++i) c.comm_exposed_s[i] = table.value(kCommExposed, i);
  }
  // Compute time (forward + backward + optimizer) for the bound attribution; all three or none.
  if (table.has(kForward) && table.has(kBackward) && table.has(kOptimizer)) {
    c.compute_s.resize(n);
    for (size_t i = 0; i < n; ++i) {
      c.compute_s[i] = table.value(kForward, i) + table.value(kBackward, i) + table.value(kOptimizer, i);
    }
  }
}

// The allreduce sweep of a multi-rank run (optional: one-rank runs and older files have none).
void read_allreduce_sweep(hid_t group, RunRecord& run, Scratch& scratch) {
  if (H5Lexists(group, schema::kAllreduceSweepTable, H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, schema::kAllreduceSweepTable, H5P_DEFAULT));
  enum { kBytes, kSeconds, kRepeats, kRanks };
#define F(name) LB_SCHEMA_FIELD(AllreduceSweepRecord, name)
  CompoundColumns table(ds.get(), {F(bytes), F(seconds), F(repeats), F(ranks)});
#undef F
  if (!table.is_compound()) {
    run.warnings.push_back("'allreduce_sweep' is not a compound table; no scaling model from it");
    return;
  }
  const std::string missing = table.missing({true, true, false, true});
  if (!missing.empty()) {
    run.warnings.push_back("'allreduce_sweep' lacks fields: " + missing + "; no scaling model from it");
    return;
  }
  if (!table.read(scratch.rows)) {
    run.warnings.push_back("'allreduce_sweep' could not be read; no scaling model from it");
    return;
  }
  for (size_t i = 0; i < table.rows(); ++i) {
    AllreduceSample a;
    const double bytes = table.value(kBytes, i), seconds = table.value(kSeconds, i), ranks = table.value(kRanks, i);
    if (!(bytes > 0) || !(seconds > 0) || !std::isfinite(seconds) || !(ranks >= 2)) continue;
    a.bytes = static_cast<int64_t>(bytes);
    a.seconds = seconds;
    a.repeats = table.has(kRepeats) ? static_cast<int32_t>(table.value(kRepeats, i)) : 0;
    a.ranks = static_cast<int32_t>(ranks);
    run.allreduce_sweep.push_back(a);
  }
}

void read_epochs(hid_t group, RunRecord& run, Scratch& scratch) {
  if (H5Lexists(group, schema::kEpochsTable, H5P_DEFAULT) <= 0) {
    run.warnings.push_back("no 'epochs' dataset");
    return;
  }
  H5Handle ds = h5_dataset(H5Dopen2(group, schema::kEpochsTable, H5P_DEFAULT));
  enum { kEpoch, kTrain, kVal, kTotal, kTrainSamples, kValSamples, kTrainLoss, kTrainAcc, kValLoss,
         kTop1, kTop5, kImagesPerS, kEndWall, kEnergy };
#define F(name) LB_SCHEMA_FIELD(EpochRecord, name)
  CompoundColumns table(ds.get(), {F(epoch), F(train_time_s), F(val_time_s), F(epoch_time_s), F(train_samples),
                                   F(val_samples), F(train_loss), F(train_acc), F(val_loss), F(val_top1), F(val_top5),
                                   F(images_per_s), F(end_wall_s), F(energy_j)});
#undef F
  if (!table.is_compound()) {
    run.warnings.push_back("'epochs' is not a compound table");
    return;
  }
  const std::string missing =
      table.missing({true, true, true, true, true, true, false, false, false, false, false, false, false, false});
  if (!missing.empty()) {
    run.warnings.push_back("'epochs' lacks fields: " + missing);
    return;
  }
  if (!table.read(scratch.rows)) {
    run.warnings.push_back("'epochs' could not be read");
    return;
  }
  for (size_t i = 0; i < table.rows(); ++i) {
    EpochRecord e;
    e.epoch = static_cast<int32_t>(table.value(kEpoch, i));
    e.train_time_s = table.value(kTrain, i);
    e.val_time_s = table.value(kVal, i);
    e.epoch_time_s = table.value(kTotal, i);
    e.train_samples = static_cast<int64_t>(table.value(kTrainSamples, i));
    e.val_samples = static_cast<int64_t>(table.value(kValSamples, i));
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
}

// The validation passes; optional (files written before the harness recorded them have none).
void read_evaluations(hid_t group, RunRecord& run, Scratch& scratch) {
  if (H5Lexists(group, schema::kEvaluationsTable, H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, schema::kEvaluationsTable, H5P_DEFAULT));
  enum { kStep, kEpoch, kValSamples, kTop1, kValTime, kEndWall };
#define F(name) LB_SCHEMA_FIELD(EvaluationRecord, name)
  CompoundColumns table(ds.get(), {F(step), F(epoch), F(val_samples), F(val_top1), F(val_time_s), F(end_wall_s)});
#undef F
  if (!table.is_compound()) {
    run.warnings.push_back("'evaluations' is not a compound table");
    return;
  }
  const std::string missing = table.missing({true, true, true, false, true, true});
  if (!missing.empty()) {
    run.warnings.push_back("'evaluations' lacks fields: " + missing + "; accuracy taken from 'epochs'");
    return;
  }
  if (!table.read(scratch.rows)) {
    run.warnings.push_back("'evaluations' could not be read; accuracy taken from 'epochs'");
    return;
  }
  run.evaluations.reserve(table.rows());
  for (size_t i = 0; i < table.rows(); ++i) {
    EvaluationRecord e;
    e.step = static_cast<int64_t>(table.value(kStep, i));
    e.epoch = static_cast<int32_t>(table.value(kEpoch, i));
    e.val_samples = static_cast<int64_t>(table.value(kValSamples, i));
    e.val_top1 = table.value(kTop1, i);
    e.val_time_s = table.value(kValTime, i);
    e.end_wall_s = table.value(kEndWall, i);
    run.evaluations.push_back(e);
  }
}

// The energy counters (schema 2; optional). Rows stay as recorded: which of them make the run's
// energy is decided by the analysis (analysis/energy.h), never by adding everything up.
void read_energy(hid_t group, RunRecord& run, Scratch& scratch) {
  if (H5Lexists(group, schema::kEnergyTable, H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, schema::kEnergyTable, H5P_DEFAULT));
  enum { kEpoch, kCounter, kJoules, kSeconds, kIntegrated };
#define F(name) LB_SCHEMA_FIELD(EnergyRecord, name)
  CompoundColumns table(ds.get(), {F(epoch), F(counter), F(joules), F(seconds), F(integrated)});
#undef F
  if (!table.is_compound()) {
    run.warnings.push_back("'energy' is not a compound table; energy not read from it");
    return;
  }
  const std::string missing = table.missing({true, true, true, false, false});
  if (!missing.empty()) {
    run.warnings.push_back("'energy' lacks fields: " + missing + "; energy not read from it");
    return;
  }
  if (!table.read(scratch.rows)) {
    run.warnings.push_back("'energy' could not be read");
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
  if (H5Lexists(group, schema::kRankStepTimeTable, H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, schema::kRankStepTimeTable, H5P_DEFAULT));
  H5Handle space = h5_space(H5Dget_space(ds.get()));
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
  run.steps.slowest_rank_s.resize(dims[0]);
  run.steps.mean_rank_s.resize(dims[0]);
  for (hsize_t i = 0; i < dims[0]; ++i) {
    const double* row = values.data() + i * dims[1];
    double worst = row[0], sum = 0;
    for (hsize_t r = 0; r < dims[1]; ++r) {
      worst = std::max(worst, row[r]);
      sum += row[r];
    }
    run.steps.slowest_rank_s[i] = worst;
    run.steps.mean_rank_s[i] = sum / static_cast<double>(dims[1]);
  }
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
  silence_hdf5_errors();
  FileReadResult result;
  if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
    std::fclose(f);
  } else {
    result.error = path + ": cannot open the file for reading";
    return result;
  }
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    result.error = path + ": not an HDF5 file (expected a lumibench results file)";
    return result;
  }
  H5Handle file = h5_file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  if (!file) {
    result.error = path + ": HDF5 could not open the file (damaged or locked?)";
    return result;
  }
  const AttrMap root = read_attributes(file.get());
  const auto version = root_int(root, "schema_version");
  if (!version || H5Lexists(file.get(), "runs", H5P_DEFAULT) <= 0) {
    result.error = path + ": not a lumibench results file (expected a root attribute "
                          "'schema_version' and a group '/runs')";
    return result;
  }
  if (*version > kSupportedSchemaVersion) {
    result.error = path + ": schema_version " + std::to_string(*version) +
                   " is newer than this analyze understands (" +
                   std::to_string(kSupportedSchemaVersion) + "); update lumibench to read it";
    return result;
  }
  H5Handle runs = h5_group(H5Gopen2(file.get(), "runs", H5P_DEFAULT));
  if (!runs) {
    result.error = path + ": '/runs' is not a group";
    return result;
  }
  Scratch scratch;
  for (const auto& name : member_names(runs.get())) {
    H5Handle group = h5_group(H5Gopen2(runs.get(), name.c_str(), H5P_DEFAULT));
    if (!group) {
      result.messages.push_back(path + ": /runs/" + name + " is not a group; skipped");
      continue;
    }
    RunRecord run;
    run.run_id = name;
    run.source_path = path;
    run.source_label = "measured";
    run.origin = Origin::Measured;
    fill_from_attributes(schema::attributes_from_values(read_attributes(group.get())), run);
    read_steps(group.get(), run, scratch);
    read_epochs(group.get(), run, scratch);
    read_evaluations(group.get(), run, scratch);
    read_rank_times(group.get(), run, scratch);
    read_allreduce_sweep(group.get(), run, scratch);
    read_energy(group.get(), run, scratch);
    result.runs.push_back(std::move(run));
  }
  result.ok = true;
  return result;
}

}  // namespace lb::analysis
