// A self-contained HTML page around one Plotly figure, and the layout pieces all HTML charts
// share: size, font, title, and the animation controls above the plot area.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lb::charts {

struct HtmlChart {
  std::string page_title;          // raw; escaped when written
  nlohmann::json figure;           // {"data": [...], "layout": {...}, "frames": [...]}, strings escaped
  std::vector<std::string> notes;  // raw lines shown under the chart (how to read it, warnings)
};

// The whole page: Plotly inline, the figure as a JSON data block, a Content-Security-Policy that
// allows no request at all, so the file opens offline and cannot reach the network.
std::string render_html(const HtmlChart& chart);

// Layout shared by every HTML chart: 1000x600, the common font, a title with the job description
// as subtitle (both raw), margins that keep controls and annotations outside the plot area.
nlohmann::json base_layout(const std::string& title, const std::string& subtitle, int top_margin,
                           int left_margin, int right_margin);

// Controls in the top margin (paper y >= 1.15): Play, Pause, Replay, and playing at 0.5x/1x/2x
// of `frame_ms` per frame. redraw is on because frames also change layout annotations.
nlohmann::json animation_controls(double frame_ms);

// The paper y of the controls; nothing else may sit at or above it except the title.
inline constexpr double kControlsPaperY = 1.15;

// Top margins (px): room for title and subtitle, and in animated charts for the controls and a
// caption line between them and the plot area.
inline constexpr int kTopMarginAnimated = 170;
inline constexpr int kTopMarginStill = 100;
inline constexpr int kBottomMargin = 70;  // tick labels and the axis title

// A text annotation placed in paper coordinates (outside the plot area by the caller's choice).
nlohmann::json paper_annotation(const std::string& escaped_text, double x, double y,
                                const char* xanchor, const char* yanchor);

}  // namespace lb::charts
