#include "analysis/report/output_dir.h"

#include <filesystem>

#include "common/errors.h"

namespace fs = std::filesystem;

namespace lb::analysis {

bool is_source_charts_dir(const std::string& dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  if (ec) p = fs::absolute(dir);
#ifdef LB_SOURCE_CHARTS_DIR
  const fs::path built_from = fs::weakly_canonical(LB_SOURCE_CHARTS_DIR, ec);
#endif
  for (fs::path a = p; !a.empty(); a = a.parent_path()) {
    if (a.filename() == "charts" && fs::exists(a / "chart_data.h", ec)) return true;
#ifdef LB_SOURCE_CHARTS_DIR
    if (!built_from.empty() && a == built_from) return true;
#endif
    if (a == a.parent_path()) break;
  }
  return false;
}

std::string resolve_output_dir(const std::optional<std::string>& requested) {
  const std::string dir = requested.value_or(kDefaultOutputDir);
  if (is_source_charts_dir(dir)) {
    if (requested) {
      throw UsageError("--out " + dir + ": is the source tree's charts/ folder or inside it; "
                       "choose a directory outside the sources (e.g. results/report)");
    }
    throw UsageError(std::string("no --out given and the default '") + kDefaultOutputDir +
                     "' would lie inside the source tree's charts/ folder (the current directory); "
                     "pass --out DIR outside it");
  }
  return dir;
}

}  // namespace lb::analysis
