// The options of analyze --watch, apart from the code that serves them, so that the command line
// (analysis/cli.h) names them without the server's headers.
#pragma once

#include <string>

namespace lb::analysis::watch {

inline constexpr int kDefaultPort = 8765;
inline constexpr const char* kDefaultBind = "127.0.0.1";

struct WatchOptions {
  std::string results;  // the results file (it may not exist yet)
  int port = kDefaultPort;
  std::string bind = kDefaultBind;
};

}  // namespace lb::analysis::watch
