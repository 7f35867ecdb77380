// Error kinds that map to analyze's documented exit codes (docs/analyze.md).
#pragma once

#include <stdexcept>

namespace lb::analysis {

// A command-line mistake: the message names the option and what was expected. Exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace lb::analysis
