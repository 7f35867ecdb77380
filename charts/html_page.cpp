#include "charts/html_page.h"

#include <algorithm>

#include "charts/escape.h"
#include "charts/plotly_js.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

using nlohmann::json;

json play_args(double frame_ms, bool from_current) {
  return json::array({nullptr,
                      {{"frame", {{"duration", frame_ms}, {"redraw", true}}},
                       {"transition", {{"duration", 0}}},
                       {"fromcurrent", from_current},
                       {"mode", "immediate"}}});
}

// Buttons do not call Plotly themselves (method "skip"): the page's script runs their animate
// arguments and catches the rejection Plotly signals when one animation interrupts another, which
// would otherwise surface as an uncaught error on every Pause.
json button(const std::string& label, json args) {
  return {{"label", label}, {"method", "skip"}, {"args", std::move(args)}};
}

}  // namespace

std::string render_html(const HtmlChart& chart) {
  // The figure's own height: style::kHeight, or more for a chart whose rows need it.
  int height = style::kHeight;
  if (chart.figure.contains("layout") && chart.figure["layout"].contains("height") &&
      chart.figure["layout"]["height"].is_number_integer()) {
    height = chart.figure["layout"]["height"].get<int>();
  }
  std::string notes;
  for (const std::string& n : chart.notes) notes += "  <li>" + html_escape(n) + "</li>\n";
  std::string page;
  page.reserve(plotly_js().size() + 4 * 1024 * 1024);  // Plotly plus the largest figure (the race)
  page += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  // Everything is inline; the policy refuses any fetch, so a viewer can trust the file offline.
  page += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n";
  page += "<title>" + html_escape(chart.page_title) + "</title>\n";
  page += "<style>\n  body { margin: 16px; background: #ffffff; color: " + std::string(style::kInk) +
          "; font-family: " + style::kCssFontStack + "; }\n"
          "  #lb-chart { width: " + std::to_string(style::kWidth) + "px; height: " +
          std::to_string(height) + "px; }\n"
          "  .lb-notes { width: " + std::to_string(style::kWidth - 40) +
          "px; font-size: 13px; color: " + style::kMuted + "; }\n</style>\n</head>\n<body>\n";
  page += "<div id=\"lb-chart\"></div>\n<ul class=\"lb-notes\">\n" + notes + "</ul>\n";
  page += "<script type=\"application/json\" id=\"lb-figure\">" + script_json(chart.figure) +
          "</script>\n";
  // Plotly is made safe for inlining once; it is the same for every page.
  static const std::string plotly = inline_script(plotly_js());
  page += "<script>\n";
  page += plotly;
  page += "\n</script>\n<script>\n"
          "(function () {\n"
          "  var figure = JSON.parse(document.getElementById('lb-figure').textContent);\n"
          "  var config = {displaylogo: false, responsive: false,\n"
          "    modeBarButtonsToRemove: ['select2d', 'lasso2d', 'autoScale2d'],\n"
          "    toImageButtonOptions: {format: 'png', width: " + std::to_string(style::kWidth) +
          ", height: " + std::to_string(height) + ", scale: 2}};\n"
          "  var gd = document.getElementById('lb-chart');\n"
          "  Plotly.newPlot(gd, {data: figure.data, layout: figure.layout,\n"
          "    frames: figure.frames || [], config: config}).then(function () {\n"
          "    gd.on('plotly_buttonclicked', function (event) {\n"
          "      var args = event.button.args;\n"
          "      if (args && args.length === 2) Plotly.animate(gd, args[0], args[1]).catch(function () {});\n"
          "    });\n"
          "  });\n"
          "})();\n</script>\n</body>\n</html>\n";
  return page;
}

json base_layout(const std::string& title, const std::string& subtitle, int top_margin,
                 int left_margin, int right_margin, int height) {
  // 15 px from the top whatever the height (0.975 of the standard 600 px).
  json title_json = {{"text", "<b>" + plotly_text(title) + "</b>"}, {"x", 0.01}, {"xanchor", "left"},
                     {"xref", "paper"}, {"y", 1.0 - 15.0 / height}, {"yanchor", "top"}, {"yref", "container"},
                     {"font", {{"size", style::kHtmlTitlePx}}}};
  if (!subtitle.empty()) {
    title_json["subtitle"] = {{"text", plotly_text(subtitle)},
                              {"font", {{"size", 14}, {"color", style::kMuted}}}};
  }
  return {
      {"width", style::kWidth},
      {"height", height},
      {"autosize", false},
      {"font", {{"family", style::kCssFontStack}, {"size", style::kHtmlFontPx}, {"color", style::kInk}}},
      {"paper_bgcolor", "#ffffff"},
      {"plot_bgcolor", "#ffffff"},
      // Fixed margins (no autoexpand): a legend whose text changes between frames would otherwise
      // widen the margin and make the plot area jump during an animation.
      {"margin", {{"l", left_margin}, {"r", right_margin}, {"t", top_margin}, {"b", kBottomMargin}, {"pad", 4},
                  {"autoexpand", false}}},
      {"title", title_json},
      {"hoverlabel", {{"font", {{"family", style::kCssFontStack}, {"size", 13}}}, {"namelength", -1},
                      {"align", "left"}}},
      {"legend", {{"x", 1.02}, {"xanchor", "left"}, {"y", 1}, {"yanchor", "top"},
                  {"font", {{"size", 13}}}, {"bgcolor", "rgba(255,255,255,0)"}}},
      {"annotations", json::array()},
  };
}

json animation_controls(double frame_ms, double paper_y) {
  // One row of buttons: a single menu lays its buttons out side by side, so they cannot overlap
  // whatever the width of the plot area.
  json buttons = json::array({
      button("\u25b6 Play", play_args(frame_ms, true)),
      button("Pause", json::array({json::array({nullptr}),
                                   {{"frame", {{"duration", 0}, {"redraw", true}}},
                                    {"transition", {{"duration", 0}}},
                                    {"mode", "immediate"}}})),
      button("Replay", play_args(frame_ms, false)),
      button("\u25b6 0.5\u00d7", play_args(frame_ms * 2, true)),
      button("\u25b6 1\u00d7", play_args(frame_ms, true)),
      button("\u25b6 2\u00d7", play_args(frame_ms / 2, true)),
  });
  return json::array({json{{"type", "buttons"}, {"direction", "left"}, {"showactive", false},
                           {"x", 0.0}, {"xanchor", "left"}, {"y", paper_y}, {"yanchor", "bottom"},
                           {"pad", {{"t", 0}, {"r", 0}}}, {"font", {{"size", 13}}},
                           {"bgcolor", "#f2f2f2"}, {"bordercolor", "#bbbbbb"}, {"name", "playback"},
                           {"buttons", std::move(buttons)}}});
}

double legend_px(const std::vector<std::size_t>& lines, double line_px, double gap_px) {
  double px = 0;
  for (std::size_t n : lines) px += static_cast<double>(std::max<std::size_t>(n, 1)) * line_px + gap_px;
  return px;
}

json paper_annotation(const std::string& escaped_text, double x, double y, const char* xanchor,
                      const char* yanchor) {
  return {{"text", escaped_text}, {"xref", "paper"}, {"yref", "paper"}, {"x", x}, {"y", y},
          {"xanchor", xanchor}, {"yanchor", yanchor}, {"showarrow", false}, {"align", "left"}};
}

}  // namespace lb::charts
