// Finding and running the gnuplot executable at analyze's run time (not at build time: the
// images are optional, the HTML charts are not).
#pragma once

#include <string>

namespace lb::charts {

// `configured` when it names an executable file; else, when `configured` is empty, the first
// "gnuplot" on PATH. Empty when there is none.
std::string find_gnuplot(const std::string& configured);

struct GnuplotResult {
  bool ok = false;
  std::string error;  // first lines of gnuplot's error output, or why it could not start
};

// Runs `gnuplot <script>` with `dir` as working directory (the script names its files relative
// to it, so a user can re-run it the same way).
GnuplotResult run_gnuplot(const std::string& gnuplot, const std::string& dir, const std::string& script);

// How to get the static images when gnuplot is missing (one line).
std::string gnuplot_missing_message(const std::string& configured);

}  // namespace lb::charts
