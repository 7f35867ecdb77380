// analyze's results-file reader (analysis/results_reader.cpp) on any bytes written to a file. The
// HDF5 library itself is not instrumented: a crash inside it is reported as such (docs/reliability.md).
#include <cstdint>
#include <string>

#include "analysis/input/results_reader.h"
#include "analysis/compare/comparison.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = lb::fuzz::scratch_path(".h5");
  lb::fuzz::write_file(path, data, size);
  auto r = lb::analysis::read_results_file(path);
  for (auto& run : r.runs) (void)lb::analysis::analyse_run(std::move(run));
  return 0;
}
