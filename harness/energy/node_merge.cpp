#include "harness/energy/node_merge.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace lb::energy {
namespace {

struct Part {
  std::string node;
  const EnergyFigure* figure;
};

// Reasons of many nodes are often the same sentence: keep the first few distinct ones.
std::string join_reasons(const std::vector<std::string>& reasons) {
  std::vector<std::string> distinct;
  for (const auto& r : reasons)
    if (std::find(distinct.begin(), distinct.end(), r) == distinct.end()) distinct.push_back(r);
  std::string out;
  const std::size_t shown = std::min<std::size_t>(distinct.size(), 3);
  for (std::size_t i = 0; i < shown; ++i) out += (i ? "; " : "") + distinct[i];
  if (distinct.size() > shown) out += "; and " + std::to_string(distinct.size() - shown) + " more";
  return out;
}

}  // namespace

std::string domain_class(const std::string& domain) {
  if (domain.compare(0, 3, "gpu") == 0) return "gpu";
  std::string c = domain;
  while (!c.empty() && (std::isdigit(static_cast<unsigned char>(c.back())) || c.back() == '-' || c.back() == ':')) c.pop_back();
  return c.empty() ? domain : c;
}

std::vector<EnergyTotal> merge_readings(const std::vector<Reading>& readings) {
  // One part per meter: the first available reading of a (source, unit), else the first one.
  std::vector<Part> parts;
  std::map<std::pair<std::string, std::string>, std::size_t> seen;
  std::vector<std::string> source_order;
  for (const auto& r : readings)
    for (const auto& f : r.figures) {
      if (std::find(source_order.begin(), source_order.end(), f.source) == source_order.end()) source_order.push_back(f.source);
      if (f.unit.empty()) {
        parts.push_back({r.node, &f});
        continue;
      }
      const auto key = std::make_pair(f.source, f.unit);
      const auto it = seen.find(key);
      if (it == seen.end()) {
        seen[key] = parts.size();
        parts.push_back({r.node, &f});
      } else if (!parts[it->second].figure->available && f.available) {
        parts[it->second] = {r.node, &f};
      }
    }

  std::vector<EnergyTotal> totals;
  for (const auto& source : source_order) {
    std::set<std::string> nodes_of_source;
    std::vector<std::string> failures;  // whole-source failures
    std::set<std::string> failed_nodes;
    std::vector<std::string> classes;
    for (const auto& p : parts) {
      if (p.figure->source != source) continue;
      nodes_of_source.insert(p.node);
      if (p.figure->domain.empty()) {
        failures.push_back(p.node + ": " + p.figure->reason);
        failed_nodes.insert(p.node);
        continue;
      }
      const std::string c = domain_class(p.figure->domain);
      if (std::find(classes.begin(), classes.end(), c) == classes.end()) classes.push_back(c);
    }
    if (classes.empty()) {
      EnergyTotal t;
      t.source = source;
      t.reason = join_reasons(failures);
      t.nodes = int(nodes_of_source.size());
      totals.push_back(t);
      continue;
    }
    for (const auto& c : classes) {
      EnergyTotal t;
      t.source = source;
      t.domain = c;
      std::vector<std::string> reasons = failures;
      std::set<std::string> nodes_with_class;
      for (const auto& p : parts) {
        const EnergyFigure& f = *p.figure;
        if (f.source != source || f.domain.empty() || domain_class(f.domain) != c) continue;
        nodes_with_class.insert(p.node);
        ++t.parts;
        if (f.kind == Kind::integrated_power) t.kind = Kind::integrated_power;
        if (f.available)
          t.joules += f.joules;
        else
          reasons.push_back(p.node + " " + f.domain + ": " + f.reason);
      }
      for (const auto& n : nodes_of_source)
        if (!nodes_with_class.count(n) && !failed_nodes.count(n)) reasons.push_back(n + ": no " + c + " figure");
      t.nodes = int(nodes_with_class.size());
      t.available = reasons.empty();
      if (!t.available) {
        t.joules = 0;
        t.reason = join_reasons(reasons);
      }
      totals.push_back(t);
    }
  }
  return totals;
}

}  // namespace lb::energy
