#include "analysis/inputs.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "analysis/results_reader.h"
#include "analysis/table_import.h"
#include "common/run_journal.h"

namespace fs = std::filesystem;

namespace lb::analysis {
namespace {

// The same file named twice (itself and a symlink, or itself and its folder) is read once.
bool first_time(const std::string& path, std::map<std::string, std::string>& seen, LoadedInputs& out) {
  std::error_code ec;
  std::string key = fs::canonical(path, ec).string();
  if (ec) key = fs::absolute(path, ec).lexically_normal().string();
  auto [it, inserted] = seen.emplace(key, path);
  if (!inserted) {
    out.messages.push_back(path + ": given more than once" + (it->second == path ? "" : " (also as " + it->second + ")") +
                           "; read once");
  }
  return inserted;
}

// Journals beside a results file (runs still writing, or killed before their journal was folded).
// This analyze reads the results file only; a journal it cannot read is named so that the loss is
// not silent.
void check_journals(const std::string& path, LoadedInputs& out) {
  for (const auto& journal : journals_of(path)) {
    try {
      const JournalReadResult j = read_journal(journal);
      std::string note = journal + ": the run journal of " + j.run.run_id +
                         ", not yet folded into the results file; its records are not part of this analysis";
      if (!j.problems.empty()) {
        note += " (and " + std::to_string(j.problems.size()) + " of its lines are unusable: " + j.problems.front() + ")";
      }
      out.messages.push_back(note);
    } catch (const std::exception& e) {
      out.messages.push_back(std::string(e.what()) + "; the journal is ignored");
    }
  }
}

void add_results_file(const std::string& path, LoadedInputs& out) {
  check_journals(path, out);
  FileReadResult r = read_results_file(path);
  InputReport report{path, "results", r.ok, r.runs.size(), r.error};
  out.reports.push_back(report);
  for (auto& m : r.messages) out.messages.push_back(std::move(m));
  for (auto& run : r.runs) out.runs.push_back(analyse_run(std::move(run)));
}

void add_table(const std::string& path, TableKind kind, LoadedInputs& out) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    out.reports.push_back({path, kind == TableKind::Reference ? "reference" : "wandb-csv", false, 0,
                           path + ": a folder; " + (kind == TableKind::Reference ? "--reference" : "--wandb-csv") +
                               " expects a CSV file"});
    return;
  }
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
  std::map<std::string, std::string> seen_results, seen_wandb, seen_reference;
  for (const auto& path : spec.results) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      const auto files = results_files_in(path);
      if (files.empty()) {
        out.reports.push_back({path, "results", false, 0, path + ": directory holds no .h5 or .hdf5 file"});
      }
      for (const auto& f : files) {
        if (first_time(f, seen_results, out)) add_results_file(f, out);
      }
    } else if (first_time(path, seen_results, out)) {
      add_results_file(path, out);
    }
  }
  for (const auto& path : spec.wandb_csv) {
    if (first_time(path, seen_wandb, out)) add_table(path, TableKind::WandbExport, out);
  }
  for (const auto& path : spec.reference) {
    if (first_time(path, seen_reference, out)) add_table(path, TableKind::Reference, out);
  }
  return out;
}

}  // namespace lb::analysis
