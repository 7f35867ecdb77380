// lumi_vs_laptop_progress_race.html: every configuration trains the same job from t = 0; the
// clock runs on a log scale so the fastest cluster run finishes after about 3 s of 10.
#include <algorithm>
#include <cmath>
#include <vector>

#include "charts/escape.h"
#include "common/format.h"
#include "charts/html_charts.h"
#include "charts/html_common.h"
#include "charts/progress_race.h"
#include "charts/style.h"

namespace lb::charts {
namespace {

using nlohmann::json;

// The drawn line of a runner keeps a vertex at every tenth clock reading: progress is linear in
// t, so on the log axis the curve is smooth and 30 vertices draw it, at a tenth of the bytes.
constexpr int kVertexEvery = 10;
constexpr int kDigits = 5;  // significant digits kept in the JSON

// Lines of a runner's legend entry: its name and its status, each wrapped at 38 characters (the
// longest status: "✓ done in 1.25 min (imported, extrapolated) · not in the headline", two lines).
constexpr std::size_t kLegendChars = 38;
std::size_t legend_entry_lines(const Bar& b) {
  return wrap_words(b.label, kLegendChars).size() + (b.kind != Provenance::Measured || b.standing == Standing::Excluded ? 2 : 1);
}

json line_trace(const ChartData& data, const RacePlan& plan, std::size_t runner, int frame,
                const std::string& color) {
  const Bar& b = data.bars[runner];
  const double now = std::min(plan.frame_time_s[frame], b.time_s);
  json x = json::array(), y = json::array();
  for (int f = 0; f < frame && plan.frame_time_s[f] < now; f += kVertexEvery) {
    x.push_back(round_significant(plan.frame_time_s[f], kDigits));
    y.push_back(round_significant(race_progress(b, plan.frame_time_s[f]), kDigits));
  }
  x.push_back(round_significant(now, kDigits));
  y.push_back(round_significant(race_progress(b, now), kDigits));
  // The legend is the scoreboard: under each name, how far its run is or when it finished.
  std::string status = frame >= plan.finish_frame[runner] ? "\u2713 done in " + format_duration(b.time_s)
                                                          : format_progress(race_progress(b, now));
  if (b.kind != Provenance::Measured) status += " (" + std::string(to_string(b.kind)) + ")";
  // A runner the headline rules out says so in its legend entry (and is drawn pale).
  if (b.standing == Standing::Excluded) status += " \u00b7 not in the headline";
  return {{"type", "scatter"}, {"mode", "lines"}, {"name", legend_lines(b.label, kLegendChars) + "<br>" + legend_lines(status, kLegendChars)},
          {"legendgroup", "r" + std::to_string(runner)}, {"x", x}, {"y", y},
          {"line", {{"color", color}, {"width", 3}, {"dash", style::plotly_dash(b.kind)}}},
          {"hoverinfo", "skip"}};
}

// The runner's head: a dot while it runs, a star once it has finished.
json head_trace(const ChartData& data, const RacePlan& plan, std::size_t runner, int frame,
                const std::string& color) {
  const Bar& b = data.bars[runner];
  const double now = std::min(plan.frame_time_s[frame], b.time_s);
  const double p = race_progress(b, now);
  const bool done = frame >= plan.finish_frame[runner];
  return {{"type", "scatter"}, {"mode", "markers"}, {"showlegend", false},
          {"legendgroup", "r" + std::to_string(runner)},
          {"x", {round_significant(now, kDigits)}}, {"y", {round_significant(p, kDigits)}},
          {"marker", {{"size", done ? 14 : 11}, {"color", color}, {"symbol", done ? "star" : "circle"}}},
          {"hovertext", {bar_hover(b, false) + "<br>progress: " + format_progress(p)}},
          {"hoverinfo", "text"}};
}

// The plot area: 80 px of left margin, 330 px of legend on the right.
constexpr int kLeft = 80, kRight = 330;
constexpr double kPlotWidth = style::kWidth - kLeft - kRight;

// The phase line over the plot (shortened to the plot's width: the legend names every run) and
// the clock over the legend, `y` their paper height.
json frame_annotations(const ChartData& data, const RacePlan& plan, int frame, double y) {
  const double t = plan.frame_time_s[frame];
  const auto phase_chars = static_cast<std::size_t>((kPlotWidth - 8) / style::kHtmlCharPx);
  return json::array({
      paper_annotation(plotly_text(shorten(race_phase(data.bars, data.cluster_name, t), phase_chars)), 0, y, "left",
                       "bottom"),
      paper_annotation("<b>clock: " + plotly_text(format_duration(t)) + "</b>", 1.02, y, "left", "bottom"),
  });
}

}  // namespace

HtmlChart progress_race_html(const ChartData& data) {
  const RacePlan plan = plan_race(data.bars);
  std::vector<std::string> colors;
  int cluster_n = 0, laptop_n = 0, unknown_n = 0;
  for (const Bar& b : data.bars) {
    const int nth = b.placement_unknown ? unknown_n++ : b.is_cluster ? cluster_n++ : laptop_n++;
    const std::string color = style::series_color(b.is_cluster, nth, b.placement_unknown);
    colors.push_back(b.standing == Standing::Excluded ? style::muted_color(color) : color);
  }

  const auto traces_at = [&](int frame) {
    json traces = json::array();
    for (std::size_t r = 0; r < data.bars.size(); ++r) traces.push_back(line_trace(data, plan, r, frame, colors[r]));
    for (std::size_t r = 0; r < data.bars.size(); ++r) traces.push_back(head_trace(data, plan, r, frame, colors[r]));
    return traces;
  };

  // As tall as the legend (the scoreboard) needs: every runner in view, none scrolled away.
  std::vector<std::size_t> entry_lines;
  for (const Bar& b : data.bars) entry_lines.push_back(legend_entry_lines(b));
  const double legend_height = legend_px(entry_lines, 14.5, 6);
  const int height = std::max(style::kHeight, static_cast<int>(std::ceil(kTopMarginAnimated + kBottomMargin + legend_height + 10)));
  const double plot_height = height - kTopMarginAnimated - kBottomMargin;
  const LogRange range{plan.frame_time_s.front(), plan.frame_time_s.back() * 1.15};
  json layout = base_layout("Training progress race: " + data.cluster_name + " vs laptop",
                            data.job_description, kTopMarginAnimated, kLeft, kRight, height);
  layout["xaxis"] = log_time_axis(range, "elapsed training time (log scale)");
  layout["yaxis"] = {{"title", {{"text", "progress of the job"}}}, {"range", {0, 105}},
                     {"autorange", false}, {"tickvals", {0, 25, 50, 75, 100}},
                     {"ticktext", {"0%", "25%", "50%", "75%", "100%"}}, {"gridcolor", style::kGrid},
                     {"zeroline", false}};
  layout["legend"]["font"]["size"] = 11;
  layout["legend"]["tracegroupgap"] = 4;  // each runner is a legend group (line and head)
  layout["updatemenus"] = animation_controls(1000.0 / kRaceFps, controls_paper_y(plot_height));
  const double caption_y = caption_paper_y(plot_height);

  json frames = json::array();
  for (int f = 0; f < kRaceFrames; ++f) {
    frames.push_back({{"name", std::to_string(f)}, {"data", traces_at(f)},
                      {"layout", {{"annotations", frame_annotations(data, plan, f, caption_y)}}}});
  }
  // Before Play the page shows the finish line: every run complete, the time each needed.
  layout["annotations"] = frame_annotations(data, plan, kRaceFrames - 1, caption_y);

  HtmlChart chart;
  chart.page_title = data.cluster_name + " vs laptop: training progress race";
  chart.figure = {{"data", traces_at(kRaceFrames - 1)}, {"layout", layout}, {"frames", frames}};
  chart.notes = common_notes(data,
      "How to read: all configurations start the same job at once; each line is the share of the "
      "job done against elapsed time (log scale, " + std::to_string(kRaceFrames) + " frames at " +
      format_significant(kRaceFps, 3) + " fps). The clock starts at " +
      format_duration(plan.frame_time_s.front()) + " because a log axis has no zero. Dashed lines "
      "are extrapolated, dotted ones imported, long-dashed ones imported and extrapolated (rescaled). Pale "
      "lines are runs the headline rules out (their legend entry says so; the reason is in the tooltip); grey "
      "ones ran where the data do not say.");
  return chart;
}

}  // namespace lb::charts
