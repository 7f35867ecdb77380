#include "charts/style.h"

#include <cstdio>
#include <string>

#include "common/format.h"

namespace lb::charts::style {

std::string series_color(bool is_cluster, int nth, bool placement_unknown) {
  static const char* const cluster[] = {"#0072B2", "#56B4E9", "#009E73", "#CC79A7", "#332288"};
  static const char* const laptop[] = {"#D55E00", "#E69F00", "#882255", "#999933"};
  static const char* const unknown[] = {"#999999", "#666666", "#BBBBBB"};
  if (nth < 0) nth = 0;
  if (placement_unknown) return unknown[nth % 3];
  return is_cluster ? cluster[nth % 5] : laptop[nth % 4];
}

std::string group_label(const std::string& cluster_name, bool is_cluster, bool placement_unknown) {
  if (placement_unknown) return "unknown placement";
  return is_cluster ? cluster_name : "Laptop";
}

std::string muted_color(const std::string& color) {
  if (color.size() != 7 || color[0] != '#') return color;
  char out[8];
  out[0] = '#';
  for (int i = 0; i < 3; ++i) {
    const int v = std::stoi(color.substr(1 + 2 * i, 2), nullptr, 16);
    const int blended = static_cast<int>(v + (255 - v) * 0.6 + 0.5);
    std::snprintf(out + 1 + 2 * i, 3, "%02X", blended);
  }
  return std::string(out, 7);
}

std::string standing_note(Standing standing, const std::string& mark) {
  switch (standing) {
    case Standing::Excluded: return "not in the headline: " + (mark.empty() ? std::string("see summary.md") : mark);
    case Standing::Headline: return "headline: the largest speedup at the baseline's work and quality";
    case Standing::InHeadline:
    case Standing::Baseline: return "";
  }
  return "";
}

const char* plotly_dash(Provenance p) {
  switch (p) {
    case Provenance::Measured: return "solid";
    case Provenance::Extrapolated: return "dash";
    case Provenance::Imported: return "dot";
    case Provenance::Modelled: return "dashdot";
    case Provenance::ImportedExtrapolated: return "longdash";
  }
  return "solid";
}

int gnuplot_dashtype(Provenance p) {
  switch (p) {
    case Provenance::Measured: return 1;
    case Provenance::Extrapolated: return 2;
    case Provenance::Imported: return 3;
    case Provenance::Modelled: return 4;
    case Provenance::ImportedExtrapolated: return 5;
  }
  return 1;
}

std::string provenance_legend(Provenance p) {
  switch (p) {
    case Provenance::Measured: return "measured";
    case Provenance::Extrapolated: return "extrapolated";
    case Provenance::Imported: return "imported (reference)";
    case Provenance::Modelled: return "modelled";
    case Provenance::ImportedExtrapolated: return "imported, extrapolated";
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
