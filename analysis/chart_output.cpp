#include "analysis/chart_output.h"

#include <algorithm>
#include <stdexcept>

#include "analysis/chart_fill.h"

namespace lb::analysis {

#ifdef LB_HAVE_CHARTS
namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// write_all checks all the data before it writes anything: when it refuses, the three chart
// groups are tried one at a time. A group's call reports the other (empty) groups as skipped;
// those notes are dropped.
void write_groups(const lb::charts::ChartData& data, const lb::charts::WriteOptions& options, ChartOutcome& outcome) {
  struct Group {
    const char* name;
    const char* keyword;  // in the writers' "skipped" note of this group
  };
  for (const Group g : {Group{"comparison", "comparison"}, Group{"accuracy", "accuracy"}, Group{"scaling", "scaling charts"},
                        Group{"bound attribution", "bound attribution"}, Group{"scaling model", "scaling model"},
                        Group{"energy and cost", "energy and cost"}, Group{"memory", "memory charts"}}) {
    lb::charts::ChartData part = data;
    const std::string name = g.name;
    if (name != "comparison") part.bars.clear();
    if (name != "accuracy") {
      part.accuracy.clear();
      part.target_accuracy = 0;
    }
    if (name != "scaling") part.scaling.clear();
    if (name != "bound attribution") part.bounds.clear();
    if (name != "scaling model") part.model.clear();
    if (name != "energy and cost") part.energy.clear();
    if (name != "memory") part.memory.clear();
    try {
      lb::charts::WriteResult r = lb::charts::write_all(part, options);
      outcome.written.insert(outcome.written.end(), r.written.begin(), r.written.end());
      for (const auto& m : r.messages) {
        if (m.find("skipped") == std::string::npos || m.find(g.keyword) != std::string::npos) {
          add_unique(outcome.messages, m);
        }
      }
    } catch (const std::invalid_argument& e) {
      outcome.problems.push_back(name + " charts not written: " + e.what());
    }
  }
}

}  // namespace
#endif

bool charts_built() {
#ifdef LB_HAVE_CHARTS
  return true;
#else
  return false;
#endif
}

ChartOutcome write_chart_data(const lb::charts::ChartData& data, const std::string& out_dir, bool static_images) {
  ChartOutcome outcome;
#ifdef LB_HAVE_CHARTS
  lb::charts::WriteOptions options;
  options.out_dir = out_dir;
  options.static_images = static_images;
  try {
    lb::charts::WriteResult result = lb::charts::write_all(data, options);
    outcome.written = std::move(result.written);
    outcome.messages = std::move(result.messages);
  } catch (const std::invalid_argument& e) {
    outcome.problems.push_back(std::string("the chart writers refused the data (") + e.what() +
                               "); writing each chart group on its own");
    write_groups(data, options, outcome);
  }
#else
  (void)data;
  (void)out_dir;
  (void)static_images;
  outcome.messages.push_back("charts are not built into this analyze (no lb_charts target): no charts written");
#endif
  return outcome;
}

ChartOutcome write_charts(const Comparison& cmp, const std::string& out_dir, bool static_images) {
  std::vector<std::string> problems;
  const lb::charts::ChartData data = to_chart_data(cmp, problems);
  ChartOutcome outcome = write_chart_data(data, out_dir, static_images);
  outcome.problems.insert(outcome.problems.begin(), problems.begin(), problems.end());
  return outcome;
}

}  // namespace lb::analysis
