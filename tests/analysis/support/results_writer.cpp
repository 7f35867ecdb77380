#include "support/results_writer.h"

#include <hdf5.h>

#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "common/results_file.h"

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
}

ResultsFileWriter::~ResultsFileWriter() {
  H5Gclose(runs_);
  H5Fclose(file_);
}

void ResultsFileWriter::add(const FixtureRun& run) {
  hid_t g = H5Gcreate2(runs_, run.run_id.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  check(g, "create run group " + run.run_id);
  for (const auto& [name, value] : run.attrs) write_attr(g, name, value);
  namespace schema = lb::schema;
  static_assert(sizeof(EpochRow) == sizeof(schema::EpochRecord), "rows are written with the schema's layout");
  write_table(g, schema::kStepsTable, lb::compound_type(schema::steps_table()), run.steps.data(), run.steps.size());
  write_table(g, schema::kEpochsTable, lb::compound_type(schema::epochs_table()), run.epochs.data(), run.epochs.size());
  if (run.write_evaluations) {
    write_table(g, schema::kEvaluationsTable, lb::compound_type(schema::evaluations_table()), run.evaluations.data(),
                run.evaluations.size());
  }
  write_rank_times(g, run.rank_step_time_s);
  if (!run.allreduce_sweep.empty()) {
    write_table(g, schema::kAllreduceSweepTable, lb::compound_type(schema::allreduce_sweep_table()),
                run.allreduce_sweep.data(), run.allreduce_sweep.size());
  }
  if (!run.energy.empty()) {
    write_table(g, schema::kEnergyTable, lb::compound_type(schema::energy_table()), run.energy.data(), run.energy.size());
  }
  H5Gclose(g);
}

EnergyRow energy_row(int32_t epoch, const std::string& counter, double joules, double seconds, bool integrated) {
  EnergyRow r;
  r.epoch = epoch;
  r.counter.assign(counter);
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
