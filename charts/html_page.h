// A self-contained HTML page around one Plotly figure, and the layout pieces all HTML charts
// share: size, font, title, and the animation controls above the plot area.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "charts/style.h"

namespace lb::charts {

struct HtmlChart {
  std::string page_title;          // raw; escaped when written
  nlohmann::json figure;           // {"data": [...], "layout": {...}, "frames": [...]}, strings escaped
  std::vector<std::string> notes;  // raw lines shown under the chart (how to read it, warnings)
};

// The whole page: Plotly inline, the figure as a JSON data block, a Content-Security-Policy that
// allows no request at all, so the file opens offline and cannot reach the network.
std::string render_html(const HtmlChart& chart);

// Layout shared by every HTML chart: 1000 wide, `height` high (600, or more for a chart whose
// rows need it), the common font, a title with the job description as subtitle (both raw),
// margins that keep controls and annotations outside the plot area.
nlohmann::json base_layout(const std::string& title, const std::string& subtitle, int top_margin,
                           int left_margin, int right_margin, int height = style::kHeight);

// Controls in the top margin (at paper y, above the plot area): Play, Pause, Replay, and playing
// at 0.5x/1x/2x of `frame_ms` per frame. redraw is on because frames also change layout
// annotations.
nlohmann::json animation_controls(double frame_ms, double paper_y = 1.15);

// The paper y of the controls in a chart of the standard height; nothing else may sit at or above
// it except the title.
inline constexpr double kControlsPaperY = 1.15;
// Paper y for the controls of a plot area `plot_px` high: the same px above it as at the standard
// height (0.15 of a plot area about 300 px high), so a taller chart keeps them under the title.
inline double controls_paper_y(double plot_px) { return 1.0 + 45.0 / plot_px; }

// Top margins (px): room for title and subtitle, and in animated charts for the controls and a
// caption line between them and the plot area.
inline constexpr int kTopMarginAnimated = 170;
inline constexpr int kTopMarginStill = 100;
inline constexpr int kBottomMargin = 70;  // tick labels and the axis title

// The caption line of an animated chart: `px` above a plot area `plot_px` high (6 px: at the
// standard height, paper y 1.02), under the controls (controls_paper_y).
inline double caption_paper_y(double plot_px) { return 1.0 + 6.0 / plot_px; }

// Paper x of a point `px` from the figure's left edge, for a plot area starting `left_px` from it
// and `plot_w_px` wide: captions start at the figure's edge, not the plot's, and so get its width.
inline double figure_paper_x(double px, double left_px, double plot_w_px) { return (px - left_px) / plot_w_px; }

// Estimated height of a legend of entries of `lines` lines each (px), at `line_px` per line and
// `gap_px` between entries: what a chart grows by rather than let its legend scroll out of sight.
double legend_px(const std::vector<std::size_t>& lines, double line_px, double gap_px);

// A text annotation placed in paper coordinates (outside the plot area by the caller's choice).
nlohmann::json paper_annotation(const std::string& escaped_text, double x, double y,
                                const char* xanchor, const char* yanchor);

}  // namespace lb::charts
