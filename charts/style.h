// One look for every chart, HTML and static alike: size, font, colours, and how each provenance
// is drawn. Colours are the Okabe-Ito set, which stays distinguishable for colour-blind readers
// and on washed-out projectors.
#pragma once

#include <cstddef>
#include <string>

#include "charts/chart_data.h"

namespace lb::charts::style {

inline constexpr int kWidth = 1000;  // px, HTML and PNG alike
inline constexpr int kHeight = 600;
// The PDF page has the PNG's size at 72 points per inch: cairo draws a point of font as a pixel
// of PNG, so both come out with the same layout.
inline constexpr double kPdfWidthIn = kWidth / 72.0;
inline constexpr double kPdfHeightIn = kHeight / 72.0;

// DejaVu Sans is what gnuplot's cairo terminals use (fonts-dejavu-core); browsers without it fall
// back to Verdana, whose metrics are close.
inline constexpr const char* kFont = "DejaVu Sans";
inline constexpr const char* kCssFontStack = "'DejaVu Sans', Verdana, Arial, sans-serif";
inline constexpr int kHtmlFontPx = 15;
inline constexpr int kHtmlTitlePx = 21;
inline constexpr int kGnuplotFontPt = 12;
inline constexpr int kGnuplotTitlePt = 15;
// Average advance of a character, generous, for sizing margins and label room (px):
// DejaVu Sans at 15 px in HTML, at 12 pt in the cairo PNG (a point is a pixel there).
inline constexpr double kHtmlCharPx = 8.6;
inline constexpr double kGnuplotCharPx = 8.0;

inline constexpr const char* kInk = "#222222";
inline constexpr const char* kMuted = "#666666";
inline constexpr const char* kGrid = "#e3e3e3";
inline constexpr const char* kIdeal = "#888888";
inline constexpr const char* kEfficiency = "#009E73";
inline constexpr const char* kCluster = "#0072B2";
inline constexpr const char* kLaptop = "#D55E00";
// Configurations whose device or node and GPU counts are not stated: neither group's colour
// (the grey of the Okabe-Ito palette's eight-colour form).
inline constexpr const char* kUnknownPlacement = "#999999";
// The headline's bar: outlined in ink.
inline constexpr double kHeadlineOutlinePx = 3;
// The scaling model's predictions (modelled), and the parts of a step in the bound chart.
inline constexpr const char* kModelled = "#CC79A7";
inline constexpr const char* kDataWait = "#E69F00";
inline constexpr const char* kCompute = "#0072B2";
inline constexpr const char* kComm = "#009E73";
inline constexpr const char* kOther = "#BBBBBB";
// Peak memory: host (resident set) and device.
inline constexpr const char* kHostMemory = "#56B4E9";
inline constexpr const char* kDeviceMemory = "#009E73";

// Colour of the nth series of a group: blues and greens for the cluster, oranges for laptops,
// greys for configurations of unknown placement.
std::string series_color(bool is_cluster, int nth, bool placement_unknown = false);

// Group colour of a bar (one colour per group in the bar charts).
inline const char* group_color(bool is_cluster, bool placement_unknown = false) {
  return placement_unknown ? kUnknownPlacement : is_cluster ? kCluster : kLaptop;
}

// The group's name in legends: the cluster's name, "Laptop", or "unknown placement".
std::string group_label(const std::string& cluster_name, bool is_cluster, bool placement_unknown);

// A colour blended 60% toward white ("#RRGGBB" in and out): bars and lines the headline rules
// out keep their group's hue but read as set apart.
std::string muted_color(const std::string& color);

// The texts a bar carries beside its speedup: "not in the headline: <mark>" for an excluded bar,
// "headline: largest speedup at the baseline's work and quality" for the headline's; empty for
// the rest.
std::string standing_note(Standing standing, const std::string& mark);

// Plotly dash / gnuplot dashtype per provenance: measured solid, extrapolated dashed,
// imported dotted, modelled dash-dotted.
const char* plotly_dash(Provenance p);
int gnuplot_dashtype(Provenance p);

// Legend wording for a provenance, the same in every chart.
// "measured", "extrapolated", "imported (reference)", "modelled", "imported, extrapolated"
std::string provenance_legend(Provenance p);

// Legend name of an accuracy curve (raw): "LUMI 8 nodes (projected)", "Laptop (imported)".
// With max_chars, a long label is shortened ("…") but the provenance suffix always stays.
std::string curve_legend(const AccuracyCurve& c, std::size_t max_chars = 0);

}  // namespace lb::charts::style
