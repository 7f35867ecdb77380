#include "analysis/inputs.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>

#include "analysis/input/recorded_run.h"
#include "analysis/input/results_reader.h"
#include "analysis/input/table_import.h"
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

// Runs still in journals beside a results file (being written, or of a process that died): read
// as they are, unless the file already holds the run (folded while we looked).
void add_journals(const std::string& results_path, const std::vector<std::string>& folded, LoadedInputs& out) {
  for (const auto& journal : journals_of(results_path)) {
    try {
      auto read = read_journal(journal);
      if (std::find(folded.begin(), folded.end(), read.run.run_id) != folded.end()) continue;
      // A journal whose writer is gone is a run that died, not one that is running: it is reported
      // as the next harness (or analyze --fold-journals) will record it.
      const WriterState writer = journal_writer_state(journal, read, static_cast<double>(std::time(nullptr)));
      auto& status = read.run.attrs.status;
      if (writer.gone && (!status || *status == "running")) {
        status = "crashed";
        read.run.attrs.error = "its writer is gone (" + writer.reason + "): the run ended without recording an "
                               "outcome, with " + std::to_string(read.run.steps.size()) +
                               " steps flushed; not yet folded into " + results_path +
                               " (analyze --fold-journals " + results_path + " does)";
      }
      RunRecord run = run_record_from_journal(read.run, journal);
      for (const auto& p : read.problems) run.warnings.push_back(journal + ": " + p);
      out.reports.push_back({journal, "journal", true, 1, ""});
      out.runs.push_back(analyse_run(std::move(run)));
    } catch (const std::exception& e) {
      out.reports.push_back({journal, "journal", false, 0, std::string(e.what()) + "; the journal is ignored"});
    }
  }
}

void add_results_file(const std::string& path, LoadedInputs& out) {
  std::error_code ec;
  std::vector<std::string> ids;
  if (fs::exists(path, ec) || journals_of(path).empty()) {
    FileReadResult r = read_results_file(path);
    out.reports.push_back({path, "results", r.ok, r.runs.size(), r.error});
    for (auto& m : r.messages) out.messages.push_back(std::move(m));
    for (auto& run : r.runs) {
      ids.push_back(run.run_id);
      out.runs.push_back(analyse_run(std::move(run)));
    }
  }
  add_journals(path, ids, out);
}

void add_table(const std::string& path, TableKind kind, LoadedInputs& out) {
  std::error_code ec;
  const std::string option = kind == TableKind::Reference ? "reference" : "wandb-csv";
  if (fs::is_directory(path, ec)) {
    out.reports.push_back({path, option, false, 0, path + ": a folder; --" + option + " expects a CSV file"});
    return;
  }
  TableImportResult r = import_run_table(path, kind);
  out.reports.push_back({path, option, r.ok, r.runs.size(), r.error});
  for (auto& m : r.messages) out.messages.push_back(std::move(m));
  out.runs.reserve(out.runs.size() + r.runs.size());
  for (auto& run : r.runs) out.runs.push_back(analyse_run(std::move(run)));
}

// Results files under a directory, recursively, in name order.
std::vector<std::string> results_files_in(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(directory, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string ext = it->path().extension().string();
    if (ext == ".h5" || ext == ".hdf5") {
      files.push_back(it->path().string());
    } else if (ext == ".jsonl" && it->path().parent_path().extension() == ".journals") {
      // A journal whose results file does not exist yet (the run's first): read it through that name.
      const std::string results = it->path().parent_path().string();
      const std::string stem = results.substr(0, results.size() - std::string(".journals").size());
      if (!fs::exists(stem, ec)) files.push_back(stem);
    }
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

}  // namespace

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
