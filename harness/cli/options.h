// The harness's command line, parsed and validated into Settings (every option: harness --help).
#pragma once

#include "harness/train/settings.h"

namespace lb {

// Parses argv. Returns false after printing --help or --version (exit 0); throws UsageError with
// a one-line message naming the option and what was expected for anything malformed.
bool parse_settings(int argc, char** argv, Settings& out);

}  // namespace lb
