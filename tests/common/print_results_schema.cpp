// print_results_schema markdown|json: the schema of common/results_schema.h as the field tables
// of docs/hdf5-schema.md, or as JSON for the Python fixture writer's check.
#include <iostream>
#include <string>

#include "common/results_schema.h"

int main(int argc, char** argv) {
  const std::string what = argc > 1 ? argv[1] : "";
  if (what == "markdown") {
    std::cout << lb::schema::markdown_tables();
  } else if (what == "json") {
    std::cout << lb::schema::json_description() << "\n";
  } else {
    std::cerr << "usage: print_results_schema markdown|json\n";
    return 2;
  }
  return 0;
}
