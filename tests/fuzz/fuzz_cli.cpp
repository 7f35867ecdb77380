// The harness's option parser (harness/cli/options.cpp: parse_settings): the input is split at
// NUL bytes into argv. A bad command line is a UsageError (exit 2); anything else escaping, a
// crash or undefined behaviour is a finding.
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "harness/cli/options.h"
#include "common/errors.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::cout.setstate(std::ios::failbit);  // --help and --version print; keep the fuzzer's output readable
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> words{"harness"};
  std::string word;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      words.push_back(word);
      word.clear();
    } else {
      word += char(data[i]);
    }
  }
  if (!word.empty()) words.push_back(word);
  if (words.size() > 64) return 0;
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  lb::Settings settings;
  try {
    lb::parse_settings(int(words.size()), argv.data(), settings);
  } catch (const lb::UsageError&) {
  }
  return 0;
}
