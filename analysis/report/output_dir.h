// Where analyze writes. Its outputs are generated files: they must never land in the source
// tree's charts/ folder, which holds the chart writers' sources.
#pragma once

#include <optional>
#include <string>

namespace lb::analysis {

// The default output directory, relative to the current directory.
inline constexpr const char* kDefaultOutputDir = "lumibench-report";

// True when `dir` is the source tree's charts/ folder or lies inside it. Recognized by its
// marker file chart_data.h (works for any checkout), and by the folder this binary was built
// from when that is known.
bool is_source_charts_dir(const std::string& dir);

// --out as given, or the default. Throws UsageError naming the option when the directory is
// the source tree's charts/ folder or inside it.
std::string resolve_output_dir(const std::optional<std::string>& requested);

}  // namespace lb::analysis
