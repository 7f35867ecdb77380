// chart_demo OUT_DIR [--no-static] [--gnuplot PATH]
// Writes every chart from the demo fixture (tests/charts/demo_fixture.cpp) into OUT_DIR: the
// input of the chart tests and the source of the pictures in docs/charts.md.
// Exit codes: 0 written, 1 a chart could not be written, 2 usage error.
#include <exception>
#include <iostream>
#include <string>

#include "charts/chart_data.h"
#include "demo_fixture.h"

int main(int argc, char** argv) {
  lb::charts::WriteOptions opts;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-static") {
      opts.static_images = false;
    } else if (arg == "--gnuplot" && i + 1 < argc) {
      opts.gnuplot_executable = argv[++i];
    } else if (!arg.empty() && arg[0] != '-' && opts.out_dir.empty()) {
      opts.out_dir = arg;
    } else {
      std::cerr << "chart_demo: unexpected argument '" << arg
                << "' (usage: chart_demo OUT_DIR [--no-static] [--gnuplot PATH])\n";
      return 2;
    }
  }
  if (opts.out_dir.empty()) {
    std::cerr << "chart_demo: missing OUT_DIR (usage: chart_demo OUT_DIR [--no-static] [--gnuplot PATH])\n";
    return 2;
  }
  try {
    const lb::charts::WriteResult result = lb::charts::write_all(lb::charts::demo::fixture(), opts);
    for (const std::string& f : result.written) std::cout << "wrote " << f << "\n";
    for (const std::string& m : result.messages) std::cout << "note: " << m << "\n";
  } catch (const std::exception& e) {
    std::cerr << "chart_demo: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
