#include "analysis/analyze_app.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "analysis/input/names.h"
#include "analysis/report/chart_output.h"
#include "analysis/cli.h"
#include "common/errors.h"
#include "analysis/report/output_dir.h"
#include "analysis/report/reports.h"
#include "common/results_file.h"
#ifdef LB_HAVE_CHARTS
#include "analysis/watch/watch_app.h"
#endif

#ifndef LB_VERSION
#define LB_VERSION "unknown"
#endif
#ifndef LB_GIT_COMMIT
#define LB_GIT_COMMIT "unknown"
#endif

namespace fs = std::filesystem;

namespace lb::analysis {
namespace {

const std::string kVersion = std::string(LB_VERSION) + " (" + LB_GIT_COMMIT + ")";

// Comparisons of more runs than this are not freed before exit (run_analyze, at its end).
constexpr size_t kLeaveToTheSystem = 10000;

// Every message is one line on the terminal, whatever a run name or a path in it holds.
std::string line(const std::string& text) { return strip_control_characters(text); }

// Streams a report into `path`: the large ones are never held whole in memory.
template <class Write>
void write_file(const fs::path& path, Write&& write) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  write(f);
  f.close();
  if (!f) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

// Folds what each results file's dead writers left in its journals; a journal still written to is
// left alone. 0 when every orphaned journal was folded, 1 when one could not be.
int fold_journals(const std::vector<std::string>& files, std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  for (const auto& file : files) {
    const auto notes = recover_orphaned_journals(file);
    if (notes.empty()) out << "analyze: " << line(file) << ": no journal to fold\n";
    for (const auto& note : notes) {
      const bool failed = note.find(": not recovered: ") != std::string::npos;
      (failed ? err : out) << "analyze: " << line(note) << "\n";
      if (failed) code = kExitNothingAnalysable;
    }
  }
  return code;
}

}  // namespace

int run_analyze(int argc, const char* const argv[], std::ostream& out, std::ostream& err) {
  CliOptions cli;
  std::string out_dir;
  try {
    cli = parse_command_line(argc, argv);
    if (cli.help || cli.version) {
      out << (cli.help ? usage_text() : "analyze (lumibench) " + kVersion + "\n");
      return kExitOk;
    }
    if (!cli.fold_journals.empty()) return fold_journals(cli.fold_journals, out, err);
    if (cli.watch) {
#ifdef LB_HAVE_CHARTS
      return watch::run_watch(*cli.watch, out, err);
#else
      throw UsageError("--watch: this analyze was built without the chart writers (Plotly), which the live page needs");
#endif
    }
    out_dir = resolve_output_dir(cli.out);
  } catch (const UsageError& e) {
    err << "analyze: " << line(e.what()) << "\n";
    return kExitUsage;
  }

  LoadedInputs inputs = load_inputs(cli.inputs);
  for (const auto& r : inputs.reports) {
    if (!r.ok) err << "analyze: skipped " << line(r.message) << "\n";
  }
  for (const auto& m : inputs.messages) err << "analyze: note: " << line(m) << "\n";
  if (inputs.runs.empty()) {
    err << "analyze: nothing to analyse: no input held a readable run\n";
    return kExitNothingAnalysable;
  }

  Comparison cmp;
  try {
    cmp = build_comparison(std::move(inputs.runs), cli.comparison);
  } catch (const UsageError& e) {
    err << "analyze: " << line(e.what()) << "\n";
    return kExitUsage;
  }

  // Problems met while reading belong to "every warning" as much as the comparison's own.
  for (const auto& r : inputs.reports) {
    if (!r.ok) cmp.warnings.push_back("input skipped: " + r.message);
  }
  for (const auto& m : inputs.messages) cmp.warnings.push_back("input: " + m);

  // Charts first, so that what they could not draw is among the summary's warnings. A chart that
  // cannot be drawn never stops the data files or the other charts (a partial result, exit 0);
  // a chart file that cannot be written is an output failure (exit 1, after the data files).
  size_t charts_written = 0;
  bool chart_write_failed = false;
  try {
    fs::create_directories(out_dir);
  } catch (const std::exception& e) {
    err << "analyze: cannot create the output directory " << line(out_dir) << ": " << line(e.what()) << "\n";
    return kExitNothingAnalysable;
  }
  if (cli.charts) {
    try {
      const ChartOutcome charts = write_charts(cmp, out_dir, cli.static_images);
      for (const auto& m : charts.messages) err << "analyze: charts: " << line(m) << "\n";
      for (const auto& p : charts.problems) {
        err << "analyze: charts: " << line(p) << "\n";
        cmp.warnings.push_back("charts: " + p);
      }
      charts_written = charts.written.size();
    } catch (const std::exception& e) {
      err << "analyze: charts: " << line(e.what()) << "\n";
      cmp.warnings.push_back(std::string("charts: ") + e.what());
      chart_write_failed = true;
    }
  }

  const std::string summary = summary_markdown(cmp, inputs.reports);
  try {
    write_file(fs::path(out_dir) / "benchmark_data.csv", [&](std::ostream& f) { write_benchmark_csv(cmp, f); });
    write_file(fs::path(out_dir) / "summary.json",
               [&](std::ostream& f) { write_summary_json(cmp, inputs.reports, kVersion, f); });
    write_file(fs::path(out_dir) / "summary.md", [&](std::ostream& f) { f << summary; });
  } catch (const std::exception& e) {
    err << "analyze: " << line(e.what()) << "\n";
    return kExitNothingAnalysable;
  }
  if (!cli.quiet) out << summary;
  err << "analyze: " << counted(cmp.runs.size(), "run") << " in " << counted(cmp.configs.size(), "configuration")
      << "; wrote " << line(out_dir) << "/{benchmark_data.csv,summary.json,summary.md}";
  if (charts_written > 0) err << " and " << charts_written << " chart files";
  err << "\n";
  // A comparison of many runs is left to the operating system, which reclaims it at exit at once:
  // freeing its millions of small allocations one by one took 8 of 46 s for 100,000 runs.
  if (cmp.runs.size() > kLeaveToTheSystem) new Comparison(std::move(cmp));
  return chart_write_failed ? kExitNothingAnalysable : kExitOk;
}

}  // namespace lb::analysis
