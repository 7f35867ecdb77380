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

namespace lb::analysis {
namespace {

using AttrValue = std::variant<int64_t, double, std::string>;
using AttrMap = std::map<std::string, AttrValue>;

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

std::optional<std::string> get_string(const AttrMap& m, const char* name) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  if (auto s = std::get_if<std::string>(&it->second)) return *s;
  return std::nullopt;
}

std::optional<int64_t> get_int(const AttrMap& m, const char* name) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  if (auto i = std::get_if<int64_t>(&it->second)) return *i;
  if (auto d = std::get_if<double>(&it->second)) {
    if (std::isfinite(*d)) return static_cast<int64_t>(std::llround(*d));
  }
  return std::nullopt;
}

std::optional<double> get_double(const AttrMap& m, const char* name) {
  auto it = m.find(name);
  if (it == m.end()) return std::nullopt;
  if (auto d = std::get_if<double>(&it->second)) return *d;
  if (auto i = std::get_if<int64_t>(&it->second)) return static_cast<double>(*i);
  return std::nullopt;
}

std::optional<std::string> nonempty(std::optional<std::string> s) {
  if (s && trim(*s).empty()) return std::nullopt;
  return s;
}

void fill_settings(const AttrMap& a, RunRecord& run) {
  RunSettings& s = run.settings;
  if (auto model = nonempty(get_string(a, "model"))) s.model = normalize_model_name(*model);
  if (auto device = get_string(a, "device")) s.device = normalize_device_kind(*device);
  const auto gpu_model = nonempty(get_string(a, "gpu_model"));
  const auto cpu_model = nonempty(get_string(a, "cpu_model"));
  s.device_model = (s.device && *s.device == "gpu") ? gpu_model : cpu_model;
  s.nodes = get_int(a, "nodes");
  s.ranks = get_int(a, "world_size");
  s.gpus = get_int(a, "device_count");
  if (s.device && *s.device == "cpu") s.gpus = 0;
  s.threads = get_int(a, "threads");
  if (auto precision = nonempty(get_string(a, "precision"))) s.precision = normalize_precision(*precision);
  s.batch_size = get_int(a, "batch_size");
  s.global_batch_size = get_int(a, "global_batch_size");
  if (auto synthetic = get_int(a, "synthetic")) s.synthetic = *synthetic != 0;
  const auto source = get_string(a, "data_source");
  if (source && *source == "synthetic") s.synthetic = true;
  if (s.synthetic.value_or(false)) {
    s.dataset = std::string("synthetic");
  } else if (auto path = nonempty(get_string(a, "data_path"))) {
    s.dataset = file_stem(*path);
  }
  s.full_train_samples = get_int(a, "full_train_samples");
  s.full_val_samples = get_int(a, "full_val_samples");
  s.train_samples = get_int(a, "train_samples");
  s.val_samples = get_int(a, "val_samples");
  s.subset_fraction = get_double(a, "subset_fraction");
  s.epochs = get_int(a, "epochs");
  s.eval_every = get_int(a, "eval_every");
  s.optimizer = nonempty(get_string(a, "optimizer"));
  if (s.optimizer) s.optimizer = to_lower(*s.optimizer);
  s.lr = get_double(a, "lr");
  s.lr_schedule = nonempty(get_string(a, "lr_schedule"));
  if (auto pretrained = get_int(a, "pretrained")) {
    s.pretrained = *pretrained != 0;
  } else if (auto init = get_string(a, "init_weights")) {
    s.pretrained = !trim(*init).empty();
  }

  if (auto status = get_string(a, "status")) run.status = parse_run_status(*status);
  run.error = get_string(a, "error").value_or("");
  run.start_utc = get_string(a, "start_utc").value_or("");
  run.wall_time_s = get_double(a, "wall_time_s");
  run.peak_rss_bytes = get_int(a, "peak_rss_bytes");
  run.peak_rss_bytes_max_rank = get_int(a, "peak_rss_bytes_max_rank");
  run.peak_device_memory_bytes = get_int(a, "peak_device_memory_bytes");
  // Energy (schema 2): a NaN energy_j means "no counter was readable", not zero.
  run.energy.sources = trim(get_string(a, "energy_sources").value_or(""));
  run.energy.unavailable = trim(get_string(a, "energy_unavailable").value_or(""));
  if (auto e = get_double(a, "energy_j")) {
    run.energy.energy_j_recorded = true;
    if (std::isfinite(*e) && *e >= 0) run.energy.energy_j = e;
  }
  run.train_flops_per_image = get_double(a, "train_flops_per_image");
  run.peak_flops_per_device = get_double(a, "peak_flops_per_device");
  run.host = get_string(a, "host").value_or("");
  run.parameters = get_int(a, "parameters");

  // Fields of later harnesses; absent in older files, where they stay unknown.
  if (auto scope = nonempty(get_string(a, "val_scope"))) s.val_scope = to_lower(trim(*scope));
  s.val_images_per_eval = get_int(a, "val_images_per_eval");
  if (auto backend = nonempty(get_string(a, "comm_backend"))) s.comm_backend = to_lower(trim(*backend));
  s.comm_bucket_bytes = get_int(a, "comm_bucket_bytes");
  s.ranks_per_node = get_int(a, "ranks_per_node");
  if (auto gemm = get_double(a, "gemm_flops_per_s"); gemm && std::isfinite(*gemm) && *gemm > 0) {
    run.gemm_flops_per_s = gemm;
  }
  run.repeat.group = trim(get_string(a, "repeat_group").value_or(""));
  run.repeat.index = get_int(a, "repeat_index");
  run.repeat.count = get_int(a, "repeat_count");
  run.adaptive.target_rel_ci = get_double(a, "adaptive_target_rel_ci");
  run.adaptive.stop_reason = trim(get_string(a, "adaptive_stop_reason").value_or(""));
  if (auto achieved = get_double(a, "adaptive_rel_ci"); achieved && std::isfinite(*achieved)) {
    run.adaptive.achieved_rel_ci = achieved;
  }

  // Attributes without which the comparison cannot place the run: say so once, by name.
  static const char* const important[] = {"status", "model", "device", "epochs", "train_samples",
                                          "full_train_samples", "val_samples", "global_batch_size"};
  std::string missing;
  for (const char* name : important) {
    if (!a.count(name)) missing += std::string(missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty()) run.warnings.push_back("missing attributes: " + missing);
}

// Buffers reused from run to run: fresh multi-megabyte allocations per run cost more in page
// faults than the reading itself.
struct Scratch {
  std::vector<unsigned char> rows;
  std::vector<double> rank_times;
};

void read_steps(hid_t group, RunRecord& run, Scratch& scratch) {
  if (H5Lexists(group, "steps", H5P_DEFAULT) <= 0) {
    run.warnings.push_back("no 'steps' dataset");
    return;
  }
  H5Handle ds = h5_dataset(H5Dopen2(group, "steps", H5P_DEFAULT));
  enum { kEpoch, kSamples, kWarmup, kTotal, kDataWait, kCommExposed, kForward, kBackward, kOptimizer };
  CompoundColumns table(ds.get(), {"epoch", "samples", "warmup", "total_s", "data_wait_s", "comm_exposed_s",
                                   "forward_s", "backward_s", "optimizer_s"});
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
  if (H5Lexists(group, "allreduce_sweep", H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, "allreduce_sweep", H5P_DEFAULT));
  enum { kBytes, kSeconds, kRepeats, kRanks };
  CompoundColumns table(ds.get(), {"bytes", "seconds", "repeats", "ranks"});
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
  if (H5Lexists(group, "epochs", H5P_DEFAULT) <= 0) {
    run.warnings.push_back("no 'epochs' dataset");
    return;
  }
  H5Handle ds = h5_dataset(H5Dopen2(group, "epochs", H5P_DEFAULT));
  enum { kEpoch, kTrain, kVal, kTotal, kTrainSamples, kValSamples, kTrainLoss, kTrainAcc, kValLoss,
         kTop1, kTop5, kImagesPerS, kEndWall, kEnergy };
  CompoundColumns table(ds.get(), {"epoch", "train_time_s", "val_time_s", "epoch_time_s", "train_samples",
                                   "val_samples", "train_loss", "train_acc", "val_loss", "val_top1", "val_top5",
                                   "images_per_s", "end_wall_s", "energy_j"});
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
  if (H5Lexists(group, "evaluations", H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, "evaluations", H5P_DEFAULT));
  enum { kStep, kEpoch, kValSamples, kTop1, kValTime, kEndWall };
  CompoundColumns table(ds.get(), {"step", "epoch", "val_samples", "val_top1", "val_time_s", "end_wall_s"});
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
  if (H5Lexists(group, "energy", H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, "energy", H5P_DEFAULT));
  enum { kEpoch, kCounter, kJoules, kSeconds, kIntegrated };
  CompoundColumns table(ds.get(), {"epoch", "counter", "joules", "seconds", "integrated"});
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
  if (H5Lexists(group, "rank_step_time_s", H5P_DEFAULT) <= 0) return;
  H5Handle ds = h5_dataset(H5Dopen2(group, "rank_step_time_s", H5P_DEFAULT));
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
  const auto version = get_int(root, "schema_version");
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
    fill_settings(read_attributes(group.get()), run);
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
