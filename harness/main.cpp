#include <torch/torch.h>
#include <cxxopts.hpp>
#include <iostream>
#include "version.h"
int main(int argc, char** argv) {
  cxxopts::Options o("harness", "ViT training benchmark");
  o.add_options()("help", "help")("version", "version");
  auto r = o.parse(argc, argv);
  if (r.count("version")) { std::cout << "harness " << LB_VERSION << " (" << LB_GIT_COMMIT << ")\n"; return 0; }
  std::cout << o.help();
}
