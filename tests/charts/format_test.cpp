// Unit tests of the small pieces every chart relies on: number formats, escaping, time ticks,
// file names, the race clock.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "charts/chart_files.h"
#include "charts/escape.h"
#include "common/format.h"
#include "charts/progress_race.h"
#include "charts/time_axis.h"

namespace lb::charts {
namespace {

TEST(Format, DurationsInTheUnitAReaderThinksIn) {
  EXPECT_EQ(format_duration(0.85), "850 ms");
  EXPECT_EQ(format_duration(12.34), "12.3 s");
  EXPECT_EQ(format_duration(540), "9 min");
  EXPECT_EQ(format_duration(3400), "56.7 min");
  EXPECT_EQ(format_duration(3600 * 36), "36 h");
  EXPECT_EQ(format_duration(1.3e6), "15 d");
  EXPECT_EQ(format_duration(2.6e5), "3.01 d");
}

TEST(Format, SpeedupsAndPercentages) {
  EXPECT_EQ(format_speedup(2407.4), "2,407\u00d7");
  EXPECT_EQ(format_speedup(1234567), "1,234,567\u00d7");
  EXPECT_EQ(format_speedup(12.34), "12.3\u00d7");
  EXPECT_EQ(format_speedup(0.456), "0.456\u00d7");
  EXPECT_EQ(speedup_label(5, false), "5\u00d7 faster");
  EXPECT_EQ(speedup_label(0.5, false), "0.5\u00d7 (slower)");
  EXPECT_EQ(speedup_label(1, true), "baseline");
  EXPECT_EQ(format_percent(0.787), "79%");
  EXPECT_EQ(format_percent(0.052), "5.2%");
  EXPECT_EQ(format_progress(99.7), "99%") << "unfinished must not read 100%";
  EXPECT_EQ(format_progress(0.004213), "0.0042%");
}

TEST(Format, FlopRatesInTheirOwnPrefix) {
  EXPECT_EQ(format_flops(2.503e14), "250 TFLOP/s");
  EXPECT_EQ(format_flops(8.12e11), "812 GFLOP/s") << "a CPU's rate is not written as 0.812 TFLOP/s";
  EXPECT_EQ(format_flops(999), "999 FLOP/s");
  EXPECT_EQ(format_flops(3.2e18), "3200 PFLOP/s");
}

TEST(Escape, HtmlAndPlotlyText) {
  EXPECT_EQ(html_escape("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
  EXPECT_EQ(html_escape("a&b \"c\" 'd'"), "a&amp;b &#34;c&#34; &#39;d&#39;");
  EXPECT_EQ(html_escape(std::string("a\x01z")), "a z");
  EXPECT_EQ(plotly_text("line 1\nline <2>"), "line 1<br>line &lt;2&gt;");
}

TEST(Escape, ScriptJsonCannotCloseTheScriptElement) {
  const nlohmann::json v = {{"name", "</script><!-- \u2028 \u2029 & <b>"}, {"bad", std::string("\xff\xfe")}};
  const std::string s = script_json(v);
  EXPECT_EQ(s.find('<'), std::string::npos);
  EXPECT_EQ(s.find('>'), std::string::npos);
  EXPECT_EQ(s.find('&'), std::string::npos);
  EXPECT_NE(s.find("\\u2028"), std::string::npos);
  EXPECT_NE(s.find("\\u2029"), std::string::npos);
  const nlohmann::json back = nlohmann::json::parse(s);
  EXPECT_EQ(back["name"], "</script><!-- \u2028 \u2029 & <b>");
  EXPECT_EQ(back["bad"], "\ufffd\ufffd") << "invalid UTF-8 is replaced, not passed on";
}

TEST(Escape, InlineScriptCannotEndItsElement) {
  EXPECT_EQ(inline_script("var s = '</script>'; var r = /<\\/SCRIPT>/;"), "var s = '<\\/script>'; var r = /<\\/SCRIPT>/;");
  EXPECT_EQ(inline_script("a </ScRiPt b"), "a <\\/ScRiPt b");
  EXPECT_EQ(inline_script("x < y && </scrip"), "x < y && </scrip");
}

TEST(Escape, GnuplotStrings) {
  EXPECT_EQ(gnuplot_string("it's"), "'it''s'");
  EXPECT_EQ(gnuplot_string("a\nb"), "'a b'");
  EXPECT_EQ(gnuplot_data_field("say \"hi\"\n"), "\"say 'hi' \"");
}

TEST(TimeAxis, TicksAReaderCanSayAloud) {
  const auto ticks = time_ticks({100, 3e6});
  std::string labels;
  for (const auto& t : ticks) labels += t.second + ";";
  EXPECT_EQ(labels, "10 min;1 h;1 d;10 d;");
  std::vector<AxisLabel> none;
  EXPECT_DOUBLE_EQ(log_axis_end_for_labels(1, 100, none, 500, 8), 100);
  // One 20-character label (160 px + 12 px gap) starting at 100 on an axis from 1, 500 px wide:
  // log10(hi) = 2 + 172 / (500 / log10(hi)), so log10(hi) = 2 / (1 - 172/500).
  const double hi = log_axis_end_for_labels(1, 100, {{100, 20}}, 500, 8);
  EXPECT_NEAR(std::log10(hi), 2 / (1 - 172.0 / 500), 1e-6);
  const auto fine = time_ticks({15, 700});  // only "1 min" and "10 min" inside: the finer ladder
  std::string fine_labels;
  for (const auto& t : fine) fine_labels += t.second + ";";
  EXPECT_EQ(fine_labels, "20 s;1 min;2 min;5 min;10 min;");
}

TEST(FileNames, ClusterNameBecomesThePrefix) {
  EXPECT_EQ(cluster_slug("LUMI"), "lumi");
  EXPECT_EQ(cluster_slug("Alps (GH200)"), "alps_gh200");
  EXPECT_EQ(cluster_slug("<>"), "cluster");
  EXPECT_EQ(file_stem("LUMI", Chart::Comparison), "lumi_vs_laptop_comparison");
  EXPECT_EQ(file_stem("LUMI", Chart::AnimatedComparison), "lumi_vs_laptop_animated");
  EXPECT_EQ(file_stem("LUMI", Chart::ProgressRace), "lumi_vs_laptop_progress_race");
  EXPECT_EQ(file_stem("LUMI", Chart::AccuracyVsTime), "lumi_vs_laptop_accuracy_vs_time");
  EXPECT_EQ(file_stem("LUMI", Chart::ScalingAnalysis), "lumi_scaling_analysis");
  EXPECT_EQ(file_stem("LUMI", Chart::ScalingEfficiency), "lumi_scaling_efficiency_animated");
}

TEST(Format, LegendLinesAndShortening) {
  EXPECT_EQ(wrap_words("LUMI 8 nodes (64 GPUs) (projected)", 30),
            (std::vector<std::string>{"LUMI 8 nodes (64 GPUs)", "(projected)"}));
  EXPECT_EQ(wrap_words("abcdefghij", 4), (std::vector<std::string>{"abcd", "efgh", "ij"}));
  EXPECT_EQ(shorten("\u00d7\u00d7\u00d7\u00d7", 3), "\u00d7\u00d7\u2026") << "counts characters, not bytes";
  EXPECT_EQ(display_chars("2,407\u00d7"), 6u);
}

TEST(RacePlan, WithoutClusterBarsTheFastestBarSetsThePace) {
  Bar a, b;
  a.time_s = 100;
  b.time_s = 1e4;
  const RacePlan plan = plan_race({b, a});
  EXPECT_EQ(plan.pacer, 1);
  EXPECT_EQ(plan.finish_frame[1], 90);
  EXPECT_EQ(plan.finish_frame[0], kRaceFrames - 1);
}

TEST(RacePlan, OneRunnerStillGetsAWholeRace) {
  Bar a;
  a.time_s = 60;
  const RacePlan plan = plan_race({a});
  EXPECT_NEAR(plan.frame_time_s.front(), 0.06, 1e-9);
  EXPECT_DOUBLE_EQ(plan.frame_time_s.back(), 60);
  EXPECT_EQ(plan.finish_frame[0], kRaceFrames - 1);
}

}  // namespace
}  // namespace lb::charts
