#include <iostream>

#include "analysis/analyze_app.h"

int main(int argc, char** argv) { return lb::analysis::run_analyze(argc, argv, std::cout, std::cerr); }
