#include "analysis/input/table_import.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analysis/input/csv_reader.h"
#include "analysis/input/input_file.h"
#include "analysis/input/names.h"

namespace lb::analysis {
namespace {

// Columns this importer understands (lower case). Everything else is reported as ignored.
const std::set<std::string>& known_columns() {
  static const std::set<std::string> names = {
      // W&B run-table export
      "name", "state", "notes", "user", "tags", "created", "runtime", "epochs",
      "batch_size_per_gpu", "effective_batch_size", "total_gpus", "nodes", "learning_rate",
      "base_learning_rate", "warmup_epochs", "scaling_strategy", "architecture", "device_type",
      "val_accuracy", "acc", "epoch_duration_minutes", "subset_percentage",
      "extrapolated_total_time_hr", "extrapolated_epoch_time_hr", "cpu_model", "pytorch_threads",
      // the accuracy on the run's own subset; the epochs a run that did not finish completed
      "subset_val_acc", "subset_val_accuracy", "completed_epochs", "epoch",
      // extensions used by the reference file (any export may carry them too)
      "source", "dataset", "train_split_samples", "val_split_samples", "pretrained", "optimizer",
      "precision", "gpu_model", "lr_schedule", "pytorch_version",
      // how validation accuracy was computed (optional: unknown when absent)
      "val_scope", "val_images_per_eval"};
  return names;
}

class Row {
 public:
  Row(const std::map<std::string, size_t>& columns, const std::vector<std::string>& cells,
      const std::string& where, std::vector<std::string>& messages)
      : columns_(columns), cells_(cells), where_(where), messages_(messages) {}

  std::optional<std::string> text(const char* column) const {
    auto it = columns_.find(column);
    if (it == columns_.end() || it->second >= cells_.size()) return std::nullopt;
    std::string v = trim(cells_[it->second]);
    if (v.empty()) return std::nullopt;
    return v;
  }

  std::optional<double> number(const char* column) const {
    auto v = text(column);
    if (!v) return std::nullopt;
    const std::string lower = to_lower(*v);
    if (lower == "nan" || lower == "-" || lower == "none" || lower == "null") return std::nullopt;
    char* end = nullptr;
    const double d = std::strtod(v->c_str(), &end);
    if (end == v->c_str() || *end != '\0' || !std::isfinite(d)) return unknown(column, "'" + *v + "' is not a number");
    return d;
  }

  // Names the cell of `column` and why its value is treated as unknown (a message); nullopt.
  std::nullopt_t unknown(const char* column, const std::string& why) const {
    messages_.push_back(where_ + ": column '" + column + "': " + why + "; treated as unknown");
    return std::nullopt;
  }

  // Counts (GPUs, nodes, epochs, samples, batch sizes): whole numbers from 0 to 2^31 - 1. The
  // comparison does int arithmetic on them; a larger value is named and treated as unknown.
  std::optional<int64_t> integer(const char* column) const {
    auto d = number(column);
    if (!d) return std::nullopt;
    if (std::fabs(*d - std::round(*d)) > 1e-9) {
      return unknown(column, "expected a whole number, got " + format_number(*d));
    }
    if (*d < 0 || *d > 2147483647.0) return unknown(column, *text(column) + " is not a count from 0 to 2147483647");
    return static_cast<int64_t>(std::llround(*d));
  }

  // Durations in the column's unit: from 0 up to `max` (about 30 years), else unknown.
  std::optional<double> duration(const char* column, double max) const {
    auto d = number(column);
    if (!d) return std::nullopt;
    if (*d < 0 || *d > max) {
      return unknown(column, *text(column) + " is not a duration from 0 to " + format_number(max));
    }
    return d;
  }

 private:
  const std::map<std::string, size_t>& columns_;
  const std::vector<std::string>& cells_;
  const std::string& where_;
  std::vector<std::string>& messages_;
};

// Parses true/false, yes/no, 1/0 (any case); nullopt for anything else.
std::optional<bool> parse_bool(const std::string& text) {
  const std::string t = to_lower(trim(text));
  if (t == "true" || t == "yes" || t == "1") return true;
  if (t == "false" || t == "no" || t == "0") return false;
  return std::nullopt;
}

// Accuracy columns hold either fractions (0.981) or percent (98.1). A column whose every
// value is <= 1 is read as fractions; a single column never mixes the two. Values no accuracy can
// have (negative, above 100) do not decide it: they are dropped with a warning either way.
bool column_is_fraction(const CsvTable& table, const std::map<std::string, size_t>& columns,
                        const char* column) {
  auto it = columns.find(column);
  if (it == columns.end()) return false;
  bool any = false;
  for (const auto& row : table.rows) {
    if (it->second >= row.size()) continue;
    char* end = nullptr;
    const std::string cell = trim(row[it->second]);
    const double d = std::strtod(cell.c_str(), &end);
    if (cell.empty() || *end != '\0' || !std::isfinite(d) || d < 0 || d > 100) continue;
    any = true;
    if (d > 1.0) return false;
  }
  return any;
}

// Replaces bytes that are not UTF-8 with U+FFFD (the outputs are UTF-8: JSON must be). True when
// something was replaced.
bool make_utf8(std::string& text) {
  std::string out;
  bool changed = false;
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = n > 0 && i + n <= text.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (ok && n > 1) {  // no overlong forms, surrogates or code points above U+10FFFF
      const auto c1 = static_cast<unsigned char>(text[i + 1]);
      ok = !(c < 0xC2) && !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0) && !(c == 0xF0 && c1 < 0x90) &&
           !(c > 0xF4) && !(c == 0xF4 && c1 >= 0x90);
    }
    if (ok) {
      out.append(text, i, n);
      i += n;
    } else {
      out += "\xEF\xBF\xBD";
      changed = true;
      ++i;
    }
  }
  if (changed) text = std::move(out);
  return changed;
}

// Checks and cleans one row's cells before they are read: the cell count against the header, NUL
// bytes (removed), bytes that are not UTF-8 (replaced), and text that a spreadsheet would run as a
// formula (=, +, -, @: benchmark_data.csv writes such cells behind a '). One message per finding.
void check_cells(std::vector<std::string>& cells, const std::vector<std::string>& header, const std::string& where,
                 std::vector<std::string>& messages) {
  if (cells.size() != header.size()) {
    messages.push_back(where + ": " + std::to_string(cells.size()) + " cells, the header has " +
                       std::to_string(header.size()) + (cells.size() < header.size() ? "; the missing ones are unknown"
                                                                                         : "; the extra ones are ignored"));
  }
  std::string nul, utf8, formula;
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string& cell = cells[i];
    const std::string column = i < header.size() ? "'" + trim(header[i]) + "'" : std::to_string(i + 1);
    if (cell.find('\0') != std::string::npos) {
      cell.erase(std::remove(cell.begin(), cell.end(), '\0'), cell.end());
      nul += (nul.empty() ? "" : ", ") + column;
    }
    if (make_utf8(cell)) utf8 += (utf8.empty() ? "" : ", ") + column;
    const std::string t = trim(cell);
    if (!t.empty() && std::string("=+-@").find(t[0]) != std::string::npos) {
      char* end = nullptr;
      std::strtod(t.c_str(), &end);
      if (end != t.c_str() + t.size()) formula += (formula.empty() ? "" : ", ") + column;
    }
  }
  if (!nul.empty()) messages.push_back(where + ": a NUL byte in column " + nul + "; removed");
  if (!utf8.empty()) messages.push_back(where + ": bytes that are not UTF-8 in column " + utf8 + "; replaced by U+FFFD");
  if (!formula.empty()) {
    messages.push_back(where + ": column " + formula + " starts with =, +, - or @ (a spreadsheet formula); " +
                       "written to benchmark_data.csv behind a ' so that it stays text");
  }
}

// `fractions`: the table's accuracy columns that hold fractions (0..1), not percent.
RunRecord import_row(const Row& row, const std::string& path, const std::string& label,
                     int line, const std::set<std::string, std::less<>>& fractions) {
  RunRecord run;
  run.origin = Origin::Imported;
  run.source_path = path;
  run.source_label = label;
  run.run_id = row.text("name").value_or(file_stem(path) + " line " + std::to_string(line));
  run.status = parse_run_status(row.text("state").value_or(""));

  ImportedFigures& f = run.imported;
  f.runtime_s = row.duration("runtime", 1e9);
  run.wall_time_s = f.runtime_s;
  const auto percent = [&](const char* column, double v) { return fractions.count(column) ? v * 100.0 : v; };
  if (auto v = row.number("val_accuracy")) {
    f.val_accuracy_pct = percent("val_accuracy", *v);
  } else if (auto a = row.number("acc")) {
    f.val_accuracy_pct = percent("acc", *a);
    run.warnings.push_back("accuracy taken from column 'acc' (the export does not say it is validation accuracy)");
  }
  if (auto v = row.number("subset_val_acc")) {
    f.subset_val_accuracy_pct = percent("subset_val_acc", *v);
  } else if (auto w = row.number("subset_val_accuracy")) {
    f.subset_val_accuracy_pct = percent("subset_val_accuracy", *w);
  }
  f.completed_epochs = row.integer("completed_epochs");
  // W&B's summary `epoch` is the last epoch logged, 0- or 1-based depending on the script: read
  // as a count of completed epochs, which is at most one short (a time per epoch too long, a
  // speedup too small: never the other way).
  if (!f.completed_epochs) f.completed_epochs = row.integer("epoch");
  if (auto m = row.duration("epoch_duration_minutes", 1e9 / 60)) f.epoch_time_s = *m * 60.0;
  if (auto h = row.duration("extrapolated_total_time_hr", 1e9 / 3600)) f.extrapolated_total_s = *h * 3600.0;
  if (auto h = row.duration("extrapolated_epoch_time_hr", 1e9 / 3600)) f.extrapolated_epoch_s = *h * 3600.0;
  // Not used: read only so that a cell that is not a number is named, as in every numeric column.
  row.number("base_learning_rate");

  RunSettings& s = run.settings;
  if (auto a = row.text("architecture")) s.model = normalize_model_name(*a);
  if (auto d = row.text("device_type")) s.device = normalize_device_kind(*d);
  s.gpus = row.integer("total_gpus");
  if (!s.device && s.gpus) s.device = std::string(*s.gpus > 0 ? "gpu" : "cpu");
  if (s.device && *s.device == "cpu") s.gpus = 0;
  if (s.device && *s.device == "gpu") {
    s.device_model = row.text("gpu_model");
    s.ranks = s.gpus;  // the guide's runs use one rank per GPU
  } else {
    s.device_model = row.text("cpu_model");
    if (s.device) s.ranks = 1;
  }
  s.nodes = row.integer("nodes");
  if (s.device && *s.device == "cpu" && !s.nodes) s.nodes = 1;
  s.threads = row.integer("pytorch_threads");
  if (auto p = row.text("precision")) s.precision = normalize_precision(*p);
  s.batch_size = row.integer("batch_size_per_gpu");
  s.global_batch_size = row.integer("effective_batch_size");
  if (!s.global_batch_size && s.batch_size && s.ranks) s.global_batch_size = *s.batch_size * *s.ranks;
  s.dataset = row.text("dataset");
  if (s.dataset) s.synthetic = to_lower(*s.dataset) == "synthetic";
  s.full_train_samples = row.integer("train_split_samples");
  s.full_val_samples = row.integer("val_split_samples");
  if (auto pct = row.number("subset_percentage")) s.subset_fraction = *pct / 100.0;
  if (s.full_train_samples) {
    const double fraction = s.subset_fraction.value_or(1.0);
    s.train_samples = static_cast<int64_t>(std::llround(fraction * static_cast<double>(*s.full_train_samples)));
    if (!s.subset_fraction) s.subset_fraction = 1.0;
  }
  s.epochs = row.integer("epochs");
  if (auto o = row.text("optimizer")) s.optimizer = to_lower(*o);
  s.lr = row.number("learning_rate");
  s.lr_schedule = row.text("lr_schedule");
  if (auto p = row.text("pretrained")) s.pretrained = parse_bool(*p);
  row.number("warmup_epochs");  // not used: read only to check it, as base_learning_rate
  if (auto scope = row.text("val_scope")) {
    const std::string v = to_lower(*scope);
    if (v == "all_ranks" || v == "rank0_share") {
      s.val_scope = v;
    } else {
      row.unknown("val_scope", "'" + *scope + "' is not all_ranks or rank0_share");
    }
  }
  s.val_images_per_eval = row.integer("val_images_per_eval");
  return run;
}

}  // namespace

TableImportResult import_run_table_text(const std::string& text, const std::string& path, TableKind kind) {
  TableImportResult result;
  CsvParseResult csv = parse_csv(text);
  if (!csv.ok) {
    result.error = path + ": not a readable CSV table (" + csv.error + ")";
    return result;
  }
  std::map<std::string, size_t> columns;
  std::vector<std::string> ignored;
  for (size_t i = 0; i < csv.table.header.size(); ++i) {
    const std::string name = to_lower(trim(csv.table.header[i]));
    if (known_columns().count(name)) {
      auto [it, inserted] = columns.emplace(name, i);  // the first of duplicated columns wins
      if (!inserted) {
        result.messages.push_back(path + ": duplicate column '" + trim(csv.table.header[i]) + "' (columns " +
                                  std::to_string(it->second + 1) + " and " + std::to_string(i + 1) +
                                  "); the first is used");
      }
    } else if (!name.empty()) {
      ignored.push_back(trim(csv.table.header[i]));
    }
  }
  if (!columns.count("name") && !columns.count("runtime")) {
    result.error = path + ": not a W&B run-table export (expected a 'Name' or 'Runtime' column)";
    return result;
  }
  if (!ignored.empty()) result.messages.push_back(path + ": ignored unknown columns: " + join(ignored, ", "));
  std::set<std::string, std::less<>> fractions;
  for (const char* column : {"acc", "val_accuracy", "subset_val_acc", "subset_val_accuracy"}) {
    if (column_is_fraction(csv.table, columns, column)) fractions.insert(column);
  }
  result.runs.reserve(csv.table.rows.size());
  for (size_t r = 0; r < csv.table.rows.size(); ++r) {
    const int line = csv.table.row_lines[r];
    const std::string where = path + " line " + std::to_string(line);
    check_cells(csv.table.rows[r], csv.table.header, where, result.messages);
    Row row(columns, csv.table.rows[r], where, result.messages);
    const std::string label = kind == TableKind::WandbExport
                                  ? "W&B " + file_stem(path)
                                  : row.text("source").value_or("reference " + file_stem(path));
    result.runs.push_back(import_row(row, path, label, line, fractions));
  }
  if (result.runs.empty()) result.messages.push_back(path + ": the table has no runs");
  result.ok = true;
  return result;
}

TableImportResult import_run_table(const std::string& path, TableKind kind) {
  TableImportResult result;
  result.error = input_file_problem(path, kMaxTableBytes,
                                    kind == TableKind::Reference ? "a reference table" : "a W&B export");
  if (!result.error.empty()) return result;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    result.error = path + ": cannot open the file for reading";
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return import_run_table_text(text.str(), path, kind);
}

}  // namespace lb::analysis
