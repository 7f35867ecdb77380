#include "analysis/cli.h"

#include <cxxopts.hpp>

#include <cmath>

#include "common/errors.h"

namespace lb::analysis {
namespace {

cxxopts::Options make_options() {
  cxxopts::Options o("analyze", "Turns lumibench results files into the cluster-vs-laptop comparison.");
  o.positional_help("results.h5 [more.h5 | directory ...]");
  o.add_options()
      ("inputs", "results files, or directories searched for *.h5/*.hdf5", cxxopts::value<std::vector<std::string>>())
      ("wandb-csv", "a W&B run-table CSV export (repeatable)", cxxopts::value<std::vector<std::string>>())
      ("reference", "a reference table, e.g. analysis/reference/lumi_ai_guide.csv (repeatable)",
       cxxopts::value<std::vector<std::string>>())
      ("out", "output directory (default: ./lumibench-report)", cxxopts::value<std::string>())
      ("baseline", "run id, configuration id (C3) or label to compare against "
                   "(default: the slowest laptop configuration)", cxxopts::value<std::string>())
      ("epochs", "epochs of the normalized job (default: the baseline configuration's)",
       cxxopts::value<std::string>())
      ("target-accuracy", "validation top-1 accuracy in percent (e.g. 80): the quality bar, and time to reach it "
                          "(default: no target; the bar is the best accuracy of the task less --quality-margin)",
       cxxopts::value<std::string>())
      ("quality-margin", "without --target-accuracy, the bar is the task's best accuracy less this many points",
       cxxopts::value<std::string>()->default_value("5"))
      ("cluster-name", "name of the cluster in labels and titles", cxxopts::value<std::string>()->default_value("LUMI"))
      ("laptop-power", "modelled power of a laptop (CPU) configuration without energy counters, W, the whole "
                       "machine at the wall", cxxopts::value<std::string>()->default_value("40"))
      ("gpu-power", "modelled power per GPU (one MI250X GCD) without energy counters, W, its share of the node "
                    "included", cxxopts::value<std::string>()->default_value("280"))
      ("cluster-grid-intensity", "carbon intensity of the cluster's electricity, g CO2e/kWh",
       cxxopts::value<std::string>()->default_value("24"))
      ("laptop-grid-intensity", "carbon intensity of the laptop's electricity, g CO2e/kWh",
       cxxopts::value<std::string>()->default_value("214"))
      ("billing-unit", "name of the cluster's billing unit", cxxopts::value<std::string>()->default_value("GPU-hours"))
      ("billing-per-gpu-hour", "billing units per hour of one GPU (GCD); LUMI: 0.5",
       cxxopts::value<std::string>()->default_value("0.5"))
      ("billing-per-node-hour", "billing units per node-hour for sites that bill whole nodes (a job pays the larger "
                                "of the two rules); 0 = not used", cxxopts::value<std::string>()->default_value("0"))
      ("include-incomplete", "let failed, crashed, interrupted and running runs into times and speedups")
      ("no-charts", "write the data files only")
      ("no-static-images", "skip PNG/PDF charts (HTML only)")
      ("quiet", "do not print the summary on the terminal")
      ("fold-journals", "fold the journals of runs whose writers are gone (a harness built without HDF5, a killed "
                        "job) into this results file, under its lock, and exit (repeatable; the Slurm scripts' last step)",
       cxxopts::value<std::vector<std::string>>())
      ("watch", "follow this results file's runs while a job writes it and serve a live page of them "
                "(loss, accuracy, throughput per rank, data wait, energy, status) until Ctrl-C",
       cxxopts::value<std::string>())
      ("port", "with --watch: the port to serve on; 0 = any free port (printed)",
       cxxopts::value<std::string>()->default_value(std::to_string(watch::kDefaultPort)))
      ("bind", "with --watch: the address to serve on (default: this machine only)",
       cxxopts::value<std::string>()->default_value(watch::kDefaultBind))
      ("version", "print the version and exit")
      ("h,help", "print this help and exit");
  o.parse_positional({"inputs"});
  return o;
}

int parse_epochs(const std::string& text) {
  size_t used = 0;
  long value = 0;
  try {
    value = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != text.size() || text.empty() || value < 1 || value > 1000000) {
    throw UsageError("--epochs '" + text + "': expected a whole number of epochs >= 1");
  }
  return static_cast<int>(value);
}

// A decimal number from 0 (more than 0 when open_lo) to hi; with `percent`, a trailing '%' too.
double parse_number(const std::string& option, const std::string& text, bool open_lo, double hi, bool percent,
                    const std::string& expected) {
  std::string t = text;
  if (percent && !t.empty() && t.back() == '%') t.pop_back();
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(t, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  const bool in_range = std::isfinite(value) && (open_lo ? value > 0 : value >= 0) && value <= hi;
  if (t.empty() || used != t.size() || !in_range) {
    throw UsageError(option + " '" + text + "': expected " + expected);
  }
  return value;
}

// A TCP port: a whole number from 0 (any free port) to 65535.
int parse_port(const std::string& text) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos ||
      std::stol(text) > 65535)
    throw UsageError("--port '" + text + "': expected a port number from 0 to 65535 (0: any free port)");
  return int(std::stol(text));
}

}  // namespace

std::string usage_text() {
  return make_options().help() +
         "\nLive page of a running job: analyze --watch results.h5 [--port 8765] [--bind 127.0.0.1]\n"
         "\nExit codes: 0 done; 1 nothing analysable or an output could not be written; 2 usage error.\n"
         "Formulas and output files: docs/methodology.md and docs/analyze.md.\n";
}

CliOptions parse_command_line(int argc, const char* const argv[]) {
  cxxopts::Options options = make_options();
  CliOptions cli;
  try {
    const auto r = options.parse(argc, argv);
    cli.help = r.count("help") > 0;
    cli.version = r.count("version") > 0;
    if (r.count("inputs")) cli.inputs.results = r["inputs"].as<std::vector<std::string>>();
    if (r.count("wandb-csv")) cli.inputs.wandb_csv = r["wandb-csv"].as<std::vector<std::string>>();
    if (r.count("reference")) cli.inputs.reference = r["reference"].as<std::vector<std::string>>();
    if (r.count("out")) cli.out = r["out"].as<std::string>();
    if (r.count("baseline")) cli.comparison.baseline = r["baseline"].as<std::string>();
    if (r.count("epochs")) cli.comparison.epochs = parse_epochs(r["epochs"].as<std::string>());
    if (r.count("target-accuracy")) {
      cli.comparison.target_accuracy_pct =
          parse_number("--target-accuracy", r["target-accuracy"].as<std::string>(), true, 100, true,
                       "a validation accuracy in percent, more than 0 and at most 100");
    }
    cli.comparison.quality_margin_pts = parse_number("--quality-margin", r["quality-margin"].as<std::string>(), false,
                                                     100, true, "percentage points from 0 to 100");
    cli.comparison.cluster_name = r["cluster-name"].as<std::string>();
    EnergyOptions& e = cli.comparison.energy;
    for (const EnergyFigure& f : kEnergyFigures) {
      e.*f.value = parse_number("--" + std::string(f.name), r[f.name].as<std::string>(), f.positive, 1e7, false,
                                f.expected);
    }
    e.billing_unit = r["billing-unit"].as<std::string>();
    cli.comparison.include_incomplete = r.count("include-incomplete") > 0;
    cli.charts = r.count("no-charts") == 0;
    cli.static_images = r.count("no-static-images") == 0;
    cli.quiet = r.count("quiet") > 0;
    if (r.count("fold-journals")) cli.fold_journals = r["fold-journals"].as<std::vector<std::string>>();
    if (r.count("watch")) {
      watch::WatchOptions w;
      w.results = r["watch"].as<std::string>();
      w.port = parse_port(r["port"].as<std::string>());
      w.bind = r["bind"].as<std::string>();
      cli.watch = w;
    } else {
      for (const char* opt : {"port", "bind"})
        if (r.count(opt)) throw UsageError(std::string("--") + opt + ": only with --watch FILE");
    }
  } catch (const cxxopts::exceptions::exception& e) {
    throw UsageError(std::string(e.what()) + " (see analyze --help)");
  }
  if (cli.out && cli.out->empty()) throw UsageError("--out: expected a directory, got an empty string");
  if (cli.comparison.cluster_name.empty()) throw UsageError("--cluster-name: expected a non-empty name");
  if (cli.comparison.energy.billing_unit.find_first_not_of(" \t") == std::string::npos) {
    throw UsageError("--billing-unit: expected a non-empty name");
  }
  const bool any_input = !cli.inputs.results.empty() || !cli.inputs.wandb_csv.empty() || !cli.inputs.reference.empty();
  if (cli.watch) {
    if (cli.watch->results.empty()) throw UsageError("--watch: expected a results file, got an empty string");
    if (cli.watch->bind.empty()) throw UsageError("--bind: expected an address (127.0.0.1, ::1, 0.0.0.0), got an empty string");
    if (any_input || !cli.fold_journals.empty())
      throw UsageError("--watch: watches one results file and analyses nothing; run the other inputs, --fold-journals "
                       "included, in another analyze");
  }
  for (const auto& f : cli.fold_journals)
    if (f.empty()) throw UsageError("--fold-journals: expected a results file, got an empty string");
  if (!cli.help && !cli.version && !cli.watch && cli.fold_journals.empty() && !any_input) {
    throw UsageError("no input: expected at least one results file or directory, --wandb-csv FILE or --reference FILE");
  }
  return cli;
}

}  // namespace lb::analysis
