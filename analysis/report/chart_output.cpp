#include "analysis/report/chart_output.h"

#include <stdexcept>

#include "analysis/report/chart_fill.h"
#include "analysis/input/names.h"

namespace lb::analysis {

#ifdef LB_HAVE_CHARTS
namespace {

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
      for (auto& f : r.failed) outcome.problems.push_back(std::move(f));
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
    // A chart the tool could not draw is a problem of the result: among the summary's warnings.
    for (auto& f : result.failed) outcome.problems.push_back(std::move(f));
  } catch (const std::invalid_argument& e) {
    outcome.problems.push_back(std::string("the chart writers refused the data (") + e.what() +
                               "); writing each chart group on its own");
    write_groups(data, options, outcome);
  }
#else
  outcome.messages.push_back("charts are not built into this analyze (no lb_charts target): no charts written");
#endif
  return outcome;
}

namespace {

// The charts' input limits. Every label, tooltip and warning is repeated in each animation frame
// of the HTML charts: a 10 MB run name once made analyze use 5.6 GB. Longer texts are shortened
// in the charts (the head and the tail kept, so that names that differ at the end stay apart);
// the data files keep them whole.
constexpr size_t kMaxLabel = 200;      // labels: bars, curves, points
constexpr size_t kMaxDetails = 4000;   // tooltips
constexpr size_t kMaxWarning = 1000;   // each warning line
constexpr size_t kMaxWarnings = 200;   // warning lines per bar and per chart set

struct Shortened {
  size_t count = 0, longest = 0;
  std::string example;
};

// Cuts at a UTF-8 character boundary at or before `at`.
size_t boundary(const std::string& s, size_t at) {
  while (at > 0 && at < s.size() && (static_cast<unsigned char>(s[at]) & 0xC0) == 0x80) --at;
  return at;
}

void cap(std::string& text, size_t limit, Shortened& note) {
  if (text.size() <= limit) return;
  ++note.count;
  if (text.size() > note.longest) {
    note.longest = text.size();
    note.example = text.substr(0, boundary(text, 40));
    for (char& c : note.example) {
      if (static_cast<unsigned char>(c) < 0x20) c = ' ';  // the message is one line
    }
  }
  const size_t tail = limit / 5;
  const size_t head = boundary(text, limit - tail - 3);
  const size_t from = boundary(text, text.size() - tail);
  text = text.substr(0, head) + "..." + text.substr(from);
}

void cap(std::vector<std::string>& list, Shortened& note) {
  for (auto& w : list) cap(w, kMaxWarning, note);
  if (list.size() > kMaxWarnings) {
    const size_t dropped = list.size() - kMaxWarnings + 1;
    list.resize(kMaxWarnings - 1);
    list.push_back("... and " + std::to_string(dropped) + " more warnings (see summary.md)");
    ++note.count;
  }
}

void cap_texts(lb::charts::ChartData& d, std::vector<std::string>& problems) {
  Shortened note;
  cap(d.job_description, kMaxDetails, note);
  cap(d.baseline_label, kMaxLabel, note);
  cap(d.model_description, kMaxDetails, note);
  cap(d.warnings, note);
  for (auto& [name, value] : d.efficiency_panel) {
    cap(name, kMaxLabel, note);
    cap(value, kMaxLabel, note);
  }
  for (auto& b : d.bars) {
    cap(b.label, kMaxLabel, note);
    cap(b.mark, kMaxLabel, note);
    cap(b.details, kMaxDetails, note);
    cap(b.warnings, note);
  }
  for (auto& b : d.energy) {
    cap(b.label, kMaxLabel, note);
    cap(b.mark, kMaxLabel, note);
    cap(b.details, kMaxDetails, note);
  }
  for (auto& m : d.memory) {
    cap(m.label, kMaxLabel, note);
    cap(m.details, kMaxDetails, note);
  }
  for (auto& c : d.accuracy) {
    cap(c.label, kMaxLabel, note);
    cap(c.details, kMaxDetails, note);
  }
  for (auto& p : d.scaling) {
    cap(p.label, kMaxLabel, note);
    cap(p.mark, kMaxLabel, note);
  }
  for (auto& b : d.bounds) {
    cap(b.label, kMaxLabel, note);
    cap(b.details, kMaxDetails, note);
  }
  for (auto& p : d.model) cap(p.label, kMaxLabel, note);
  if (note.count > 0) {
    problems.push_back(std::to_string(note.count) + " texts shortened in the charts (labels to " +
                       std::to_string(kMaxLabel) + " characters, tooltips to " + std::to_string(kMaxDetails) +
                       (note.longest > 0 ? "; the longest, '" + note.example + "...', has " +
                                               std::to_string(note.longest) + " characters"
                                         : std::string()) +
                       "); the data files keep them whole");
  }
}

}  // namespace

ChartOutcome write_charts(const Comparison& cmp, const std::string& out_dir, bool static_images) {
  std::vector<std::string> problems;
  lb::charts::ChartData data = to_chart_data(cmp, problems);
  cap_texts(data, problems);
  ChartOutcome outcome = write_chart_data(data, out_dir, static_images);
  outcome.problems.insert(outcome.problems.begin(), problems.begin(), problems.end());
  return outcome;
}

}  // namespace lb::analysis
