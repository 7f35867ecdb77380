// The run journal reader (common/run_journal.cpp: read_journal) on any bytes. It documents
// std::runtime_error for a file that is not a journal; anything else escaping is a finding.
#include <cstdint>
#include <stdexcept>
#include <string>

#include "common/run_journal.h"
#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = lb::fuzz::scratch_path(".jsonl");
  lb::fuzz::write_file(path, data, size);
  try {
    (void)lb::read_journal(path);
  } catch (const std::runtime_error&) {
  }
  return 0;
}
