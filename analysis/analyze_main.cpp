#include <iostream>
#include <new>

#include "analysis/analyze_app.h"
#include "analysis/input/names.h"

int main(int argc, char** argv) {
  // The last line of defence: whatever escaped the readers' checks ends in one line and exit 1
  // (nothing analysable / an output failure), never in std::terminate's abort (134).
  try {
    return lb::analysis::run_analyze(argc, argv, std::cout, std::cerr);
  } catch (const std::bad_alloc&) {
    std::cerr << "analyze: error: out of memory (an input larger than this machine can hold?)" << std::endl;
  } catch (const std::exception& e) {
    std::cerr << "analyze: error: " << lb::analysis::strip_control_characters(e.what()) << std::endl;
  }
  return 1;
}
