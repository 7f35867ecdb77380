// The whole analyze program as a function, so tests can run it in-process.
#pragma once

#include <ostream>

namespace lb::analysis {

// Exit codes (docs/analyze.md): 0 done; 1 nothing analysable or an output could not be
// written; 2 usage error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitNothingAnalysable = 1;
inline constexpr int kExitUsage = 2;

// out receives the summary (unless --quiet), err every message, one line each.
int run_analyze(int argc, const char* const argv[], std::ostream& out, std::ostream& err);

}  // namespace lb::analysis
