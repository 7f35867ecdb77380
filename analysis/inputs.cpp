#include "analysis/inputs.h"

#include <algorithm>
#include <filesystem>

#include "analysis/results_reader.h"
#include "analysis/table_import.h"

namespace fs = std::filesystem;

namespace lb::analysis {
namespace {

void add_results_file(const std::string& path, LoadedInputs& out) {
  FileReadResult r = read_results_file(path);
  InputReport report{path, "results", r.ok, r.runs.size(), r.error};
  out.reports.push_back(report);
  for (auto& m : r.messages) out.messages.push_back(std::move(m));
  for (auto& run : r.runs) out.runs.push_back(analyse_run(std::move(run)));
}

void add_table(const std::string& path, TableKind kind, LoadedInputs& out) {
  TableImportResult r = import_run_table(path, kind);
  out.reports.push_back({path, kind == TableKind::Reference ? "reference" : "wandb-csv", r.ok, r.runs.size(), r.error});
  for (auto& m : r.messages) out.messages.push_back(std::move(m));
  for (auto& run : r.runs) out.runs.push_back(analyse_run(std::move(run)));
}

}  // namespace

std::vector<std::string> results_files_in(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string ext = it->path().extension().string();
    if (ext == ".h5" || ext == ".hdf5") files.push_back(it->path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

LoadedInputs load_inputs(const InputSpec& spec) {
  LoadedInputs out;
  for (const auto& path : spec.results) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      const auto files = results_files_in(path);
      if (files.empty()) {
        out.reports.push_back({path, "results", false, 0, path + ": directory holds no .h5 or .hdf5 file"});
      }
      for (const auto& f : files) add_results_file(f, out);
    } else {
      add_results_file(path, out);
    }
  }
  for (const auto& path : spec.wandb_csv) add_table(path, TableKind::WandbExport, out);
  for (const auto& path : spec.reference) add_table(path, TableKind::Reference, out);
  return out;
}

}  // namespace lb::analysis
