// Reading back what the chart writers wrote, the way a test looks at it: the figure JSON inside
// an HTML chart, the rows of a gnuplot data file, the pixels of a PNG.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lb::charts::testing {

// The directory chart_demo wrote into (environment LB_CHARTS_DEMO_DIR, set by ctest).
std::string demo_dir();

std::string read_text(const std::string& path);

// The figure ({data, layout, frames}) of an HTML chart, parsed from its JSON data block.
nlohmann::json html_figure(const std::string& path);

// One row of a gnuplot data file: whitespace-separated fields, "quoted" fields kept whole
// (without their quotes).
using Row = std::vector<std::string>;

// The rows of each data block (blocks are separated by two blank lines; # comments skipped).
std::vector<std::vector<Row>> gnuplot_blocks(const std::string& path);

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;  // width * height * 3
};

Image read_png(const std::string& path);

}  // namespace lb::charts::testing
