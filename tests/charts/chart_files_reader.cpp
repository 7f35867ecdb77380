#include "chart_files_reader.h"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <png.h>

namespace lb::charts::testing {

std::string demo_dir() {
  const char* dir = std::getenv("LB_CHARTS_DEMO_DIR");
  if (!dir || !*dir) {
    throw std::runtime_error("LB_CHARTS_DEMO_DIR is not set: run these tests through ctest, after the "
                             "charts.demo test that writes the demo charts");
  }
  return dir;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json html_figure(const std::string& path) {
  const std::string html = read_text(path);
  const std::string open = "<script type=\"application/json\" id=\"lb-figure\">";
  const auto begin = html.find(open);
  if (begin == std::string::npos) throw std::runtime_error(path + ": no figure data block");
  const auto start = begin + open.size();
  const auto end = html.find("</script>", start);
  if (end == std::string::npos) throw std::runtime_error(path + ": figure data block not closed");
  return nlohmann::json::parse(html.substr(start, end - start));
}

std::vector<std::vector<Row>> gnuplot_blocks(const std::string& path) {
  std::istringstream in(read_text(path));
  std::vector<std::vector<Row>> blocks(1);
  std::string line;
  int blank_run = 0;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) {
      if (++blank_run == 2 && !blocks.back().empty()) blocks.emplace_back();
      continue;
    }
    blank_run = 0;
    if (line[line.find_first_not_of(" \t")] == '#') continue;
    Row row;
    for (std::size_t i = 0; i < line.size();) {
      if (line[i] == ' ' || line[i] == '\t') {
        ++i;
      } else if (line[i] == '"') {
        const auto close = line.find('"', i + 1);
        if (close == std::string::npos) throw std::runtime_error(path + ": unterminated quote in: " + line);
        row.push_back(line.substr(i + 1, close - i - 1));
        i = close + 1;
      } else {
        const auto stop = line.find_first_of(" \t", i);
        row.push_back(line.substr(i, stop == std::string::npos ? std::string::npos : stop - i));
        i = stop == std::string::npos ? line.size() : stop;
      }
    }
    blocks.back().push_back(row);
  }
  if (blocks.back().empty() && blocks.size() > 1) blocks.pop_back();
  return blocks;
}

Image read_png(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) {
    throw std::runtime_error("cannot read PNG " + path + ": " + image.message);
  }
  image.format = PNG_FORMAT_RGB;
  Image out;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
    const std::string why = image.message;
    png_image_free(&image);
    throw std::runtime_error("cannot decode PNG " + path + ": " + why);
  }
  return out;
}

}  // namespace lb::charts::testing
