// The W&B CSV importer (analysis/table_import.cpp over analysis/csv_reader.cpp) on any bytes, as
// an export and as a reference table. Refusals are results; a crash, a leak, undefined behaviour or
// an exception out of the importer is a finding.
#include <cstdint>
#include <string>

#include "analysis/input/csv_reader.h"
#include "analysis/compare/comparison.h"
#include "analysis/input/table_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  lb::analysis::parse_csv(text);
  for (auto kind : {lb::analysis::TableKind::WandbExport, lb::analysis::TableKind::Reference}) {
    auto r = lb::analysis::import_run_table_text(text, "fuzz.csv", kind);
    for (const auto& run : r.runs) (void)lb::analysis::analyse_run(run);
  }
  return 0;
}
