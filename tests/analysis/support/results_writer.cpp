#include "support/results_writer.h"

#include <hdf5.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>

namespace lb::testing {
namespace {

void check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("results_writer: " + what);
}

void write_attr(hid_t obj, const std::string& name, const AttrValue& value) {
  hid_t space = H5Screate(H5S_SCALAR);
  hid_t type = -1;
  const void* data = nullptr;
  const char* text = nullptr;
  if (auto i = std::get_if<int64_t>(&value)) {
    type = H5Tcopy(H5T_STD_I64LE);
    data = i;
  } else if (auto d = std::get_if<double>(&value)) {
    type = H5Tcopy(H5T_IEEE_F64LE);
    data = d;
  } else {
    // Variable-length UTF-8, as the schema says (and as h5py writes Python str).
    type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    H5Tset_cset(type, H5T_CSET_UTF8);
    text = std::get<std::string>(value).c_str();
    data = &text;
  }
  hid_t attr = H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT);
  check(attr, "create attribute " + name);
  check(H5Awrite(attr, type, data), "write attribute " + name);
  H5Aclose(attr);
  H5Tclose(type);
  H5Sclose(space);
}

// One-dimensional, chunked, extendible table, as the harness writes it.
void write_table(hid_t group, const char* name, hid_t type, const void* rows, size_t count) {
  hsize_t dims[1] = {count};
  hsize_t maxdims[1] = {H5S_UNLIMITED};
  hid_t space = H5Screate_simple(1, dims, maxdims);
  hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  hsize_t chunk[1] = {1024};
  H5Pset_chunk(plist, 1, chunk);
  hid_t ds = H5Dcreate2(group, name, type, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  check(ds, std::string("create dataset ") + name);
  if (count > 0) check(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows), std::string("write ") + name);
  H5Dclose(ds);
  H5Pclose(plist);
  H5Sclose(space);
}

hid_t step_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(StepRow));
  H5Tinsert(t, "step", offsetof(StepRow, step), H5T_NATIVE_INT64);
  H5Tinsert(t, "epoch", offsetof(StepRow, epoch), H5T_NATIVE_INT32);
  H5Tinsert(t, "step_in_epoch", offsetof(StepRow, step_in_epoch), H5T_NATIVE_INT32);
  H5Tinsert(t, "samples", offsetof(StepRow, samples), H5T_NATIVE_INT32);
  H5Tinsert(t, "warmup", offsetof(StepRow, warmup), H5T_NATIVE_UINT8);
  H5Tinsert(t, "data_wait_s", offsetof(StepRow, data_wait_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "forward_s", offsetof(StepRow, forward_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "backward_s", offsetof(StepRow, backward_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "optimizer_s", offsetof(StepRow, optimizer_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "comm_exposed_s", offsetof(StepRow, comm_exposed_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "total_s", offsetof(StepRow, total_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "loss", offsetof(StepRow, loss), H5T_NATIVE_FLOAT);
  H5Tinsert(t, "lr", offsetof(StepRow, lr), H5T_NATIVE_DOUBLE);
  return t;
}

hid_t epoch_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(EpochRow));
  H5Tinsert(t, "epoch", offsetof(EpochRow, epoch), H5T_NATIVE_INT32);
  H5Tinsert(t, "train_time_s", offsetof(EpochRow, train_time_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "val_time_s", offsetof(EpochRow, val_time_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "epoch_time_s", offsetof(EpochRow, epoch_time_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "train_samples", offsetof(EpochRow, train_samples), H5T_NATIVE_INT64);
  H5Tinsert(t, "val_samples", offsetof(EpochRow, val_samples), H5T_NATIVE_INT64);
  H5Tinsert(t, "train_loss", offsetof(EpochRow, train_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "train_acc", offsetof(EpochRow, train_acc), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "val_loss", offsetof(EpochRow, val_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "val_top1", offsetof(EpochRow, val_top1), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "val_top5", offsetof(EpochRow, val_top5), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "images_per_s", offsetof(EpochRow, images_per_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "end_wall_s", offsetof(EpochRow, end_wall_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "energy_j", offsetof(EpochRow, energy_j), H5T_NATIVE_DOUBLE);
  return t;
}

hid_t eval_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(EvalRow));
  H5Tinsert(t, "step", offsetof(EvalRow, step), H5T_NATIVE_INT64);
  H5Tinsert(t, "epoch", offsetof(EvalRow, epoch), H5T_NATIVE_INT32);
  H5Tinsert(t, "val_samples", offsetof(EvalRow, val_samples), H5T_NATIVE_INT64);
  H5Tinsert(t, "val_loss", offsetof(EvalRow, val_loss), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "val_top1", offsetof(EvalRow, val_top1), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "val_top5", offsetof(EvalRow, val_top5), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "val_time_s", offsetof(EvalRow, val_time_s), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "end_wall_s", offsetof(EvalRow, end_wall_s), H5T_NATIVE_DOUBLE);
  return t;
}

hid_t sweep_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(SweepRow));
  H5Tinsert(t, "bytes", offsetof(SweepRow, bytes), H5T_NATIVE_INT64);
  H5Tinsert(t, "seconds", offsetof(SweepRow, seconds), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "repeats", offsetof(SweepRow, repeats), H5T_NATIVE_INT32);
  H5Tinsert(t, "ranks", offsetof(SweepRow, ranks), H5T_NATIVE_INT32);
  return t;
}

hid_t energy_type() {
  hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(EnergyRow));
  hid_t text = H5Tcopy(H5T_C_S1);
  H5Tset_size(text, sizeof(EnergyRow::counter));
  H5Tset_strpad(text, H5T_STR_NULLPAD);
  H5Tinsert(t, "epoch", offsetof(EnergyRow, epoch), H5T_NATIVE_INT32);
  H5Tinsert(t, "counter", offsetof(EnergyRow, counter), text);
  H5Tinsert(t, "joules", offsetof(EnergyRow, joules), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "seconds", offsetof(EnergyRow, seconds), H5T_NATIVE_DOUBLE);
  H5Tinsert(t, "integrated", offsetof(EnergyRow, integrated), H5T_NATIVE_UINT8);
  H5Tclose(text);
  return t;
}

void write_rank_times(hid_t group, const std::vector<std::vector<double>>& rows) {
  const hsize_t world = rows.empty() ? 1 : rows.front().size();
  hsize_t dims[2] = {rows.size(), world};
  hsize_t maxdims[2] = {H5S_UNLIMITED, world};
  std::vector<double> flat;
  flat.reserve(rows.size() * world);
  for (const auto& r : rows) flat.insert(flat.end(), r.begin(), r.end());
  hid_t space = H5Screate_simple(2, dims, maxdims);
  hid_t plist = H5Pcreate(H5P_DATASET_CREATE);
  hsize_t chunk[2] = {1024, world};
  H5Pset_chunk(plist, 2, chunk);
  hid_t ds = H5Dcreate2(group, "rank_step_time_s", H5T_IEEE_F64LE, space, H5P_DEFAULT, plist, H5P_DEFAULT);
  check(ds, "create rank_step_time_s");
  if (!flat.empty()) check(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, flat.data()), "write rank_step_time_s");
  H5Dclose(ds);
  H5Pclose(plist);
  H5Sclose(space);
}

}  // namespace

ResultsFileWriter::ResultsFileWriter(const std::string& path, int64_t schema_version) {
  file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (file_ < 0) throw std::runtime_error("results_writer: cannot create " + path);
  write_attr(file_, "schema_version", schema_version);
  write_attr(file_, "producer", std::string("lumibench harness test-fixture"));
  runs_ = H5Gcreate2(file_, "runs", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  step_type_ = step_type();
  epoch_type_ = epoch_type();
  eval_type_ = eval_type();
  sweep_type_ = sweep_type();
  energy_type_ = energy_type();
}

ResultsFileWriter::~ResultsFileWriter() {
  H5Tclose(step_type_);
  H5Tclose(epoch_type_);
  H5Tclose(eval_type_);
  H5Tclose(sweep_type_);
  H5Tclose(energy_type_);
  H5Gclose(runs_);
  H5Fclose(file_);
}

void ResultsFileWriter::add(const FixtureRun& run) {
  hid_t g = H5Gcreate2(runs_, run.run_id.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  check(g, "create run group " + run.run_id);
  for (const auto& [name, value] : run.attrs) write_attr(g, name, value);
  write_table(g, "steps", step_type_, run.steps.data(), run.steps.size());
  write_table(g, "epochs", epoch_type_, run.epochs.data(), run.epochs.size());
  if (run.write_evaluations) write_table(g, "evaluations", eval_type_, run.evaluations.data(), run.evaluations.size());
  write_rank_times(g, run.rank_step_time_s);
  if (!run.allreduce_sweep.empty()) {
    write_table(g, "allreduce_sweep", sweep_type_, run.allreduce_sweep.data(), run.allreduce_sweep.size());
  }
  if (!run.energy.empty()) write_table(g, "energy", energy_type_, run.energy.data(), run.energy.size());
  H5Gclose(g);
}

EnergyRow energy_row(int32_t epoch, const std::string& counter, double joules, double seconds, bool integrated) {
  EnergyRow r;
  r.epoch = epoch;
  std::strncpy(r.counter, counter.c_str(), sizeof r.counter - 1);
  r.joules = joules;
  r.seconds = seconds;
  r.integrated = integrated ? 1 : 0;
  return r;
}

void write_results_file(const std::string& path, const std::vector<FixtureRun>& runs, int64_t schema_version) {
  ResultsFileWriter writer(path, schema_version);
  for (const auto& run : runs) writer.add(run);
}

}  // namespace lb::testing
