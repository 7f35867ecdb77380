#include "charts/style.h"

#include "common/format.h"

namespace lb::charts::style {

std::string series_color(bool is_cluster, int nth) {
  static const char* const cluster[] = {"#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#332288"};
  static const char* const laptop[] = {"#D55E00", "#E69F00", "#882255", "#999933"};
  if (nth < 0) nth = 0;
  return is_cluster ? cluster[nth % 5] : laptop[nth % 4];
}

const char* plotly_dash(Provenance p) {
  switch (p) {
    case Provenance::Measured: return "solid";
    case Provenance::Extrapolated: return "dash";
    case Provenance::Imported: return "dot";
    case Provenance::Modelled: return "dashdot";
  }
  return "solid";
}

int gnuplot_dashtype(Provenance p) {
  switch (p) {
    case Provenance::Measured: return 1;
    case Provenance::Extrapolated: return 2;
    case Provenance::Imported: return 3;
    case Provenance::Modelled: return 4;
  }
  return 1;
}

std::string provenance_legend(Provenance p) {
  switch (p) {
    case Provenance::Measured: return "measured";
    case Provenance::Extrapolated: return "extrapolated";
    case Provenance::Imported: return "imported (reference)";
    case Provenance::Modelled: return "modelled";
  }
  return "unknown";
}

std::string curve_legend(const AccuracyCurve& c, std::size_t max_chars) {
  std::string suffix;
  if (c.projected) suffix = " (projected)";
  else if (c.kind != Provenance::Measured) suffix = std::string(" (") + to_string(c.kind) + ")";
  if (max_chars == 0) return c.label + suffix;
  const std::size_t room = max_chars > display_chars(suffix) + 8 ? max_chars - display_chars(suffix) : 8;
  return shorten(c.label, room) + suffix;
}

}  // namespace lb::charts::style
