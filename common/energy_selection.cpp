#include "common/energy_selection.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

namespace lb {
namespace {

std::string lower_trimmed(const std::string& text) {
  const auto b = text.find_first_not_of(" \t\r\n"), e = text.find_last_not_of(" \t\r\n");
  std::string t = b == std::string::npos ? std::string() : text.substr(b, e - b + 1);
  for (char& c : t) c = char(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

std::string domain_class(const std::string& domain) {
  std::string c = domain;
  while (!c.empty() && std::isdigit(static_cast<unsigned char>(c.back()))) c.pop_back();
  while (!c.empty() && (c.back() == '-' || c.back() == '_')) c.pop_back();
  return c.empty() ? domain : c;
}

struct Group {
  std::string source, cls;
  double joules = 0, seconds = 0;
  bool available = true;
  bool integrated = false;
  bool has_total = false;  // a row for the class itself ("rapl:package"), which wins over its parts
};

std::string key_of(const std::string& source, const std::string& cls) { return source + ":" + cls; }

// The rows of one window grouped by source and domain class; a class is readable only when every
// row of it is.
std::map<std::string, Group> group_rows(const std::vector<EnergyCounterRow>& rows, int32_t epoch) {
  std::map<std::string, Group> groups;
  for (const auto& r : rows) {
    if (r.epoch != epoch) continue;
    const size_t colon = r.counter.find(':');
    std::string source = lower_trimmed((colon == std::string::npos ? r.counter : r.counter.substr(0, colon)));
    const std::string domain = lower_trimmed((colon == std::string::npos ? std::string() : r.counter.substr(colon + 1)));
    if (source == "amd_smi") source = "rocm_smi";  // the same meter through the other library
    const std::string cls = domain_class(domain);
    Group& g = groups[key_of(source, cls)];
    g.source = source;
    g.cls = cls;
    const bool total = domain == cls;
    if (total && !g.has_total) {  // the class's own row replaces the sum of its parts
      g.has_total = true;
      g.joules = 0;
      g.seconds = 0;
      g.available = true;
      g.integrated = false;
    } else if (!total && g.has_total) {
      continue;
    }
    if (!(std::isfinite(r.joules) && r.joules >= 0)) {
      g.available = false;
    } else {
      g.joules += r.joules;
    }
    if (std::isfinite(r.seconds)) g.seconds = std::max(g.seconds, r.seconds);
    g.integrated = g.integrated || r.integrated;
  }
  return groups;
}

std::string describe(const std::string& part) {
  if (part == "cray_pm:node") return "the whole node: CPU, memory, accelerators, network";
  if (part == "rapl:psys") return "the platform (SoC, memory; not display or power supply)";
  if (part == "rapl:package") return "CPU package";
  if (part == "rapl:dram" || part == "cray_pm:memory") return "DRAM";
  if (part == "cray_pm:cpu") return "CPU";
  if (part == "cray_pm:accel") return "accelerators";
  if (part.size() > 4 && part.compare(part.size() - 4, 4, ":gpu") == 0) return "GPUs";
  return part;
}

}  // namespace

CounterSelection select_counters(const std::vector<EnergyCounterRow>& rows, int32_t epoch,
                                 const std::vector<std::string>* only) {
  CounterSelection s;
  const auto groups = group_rows(rows, epoch);
  if (groups.empty()) return s;
  for (const auto& [key, g] : groups) {
    if (!g.available) s.unreadable.push_back(key);
  }
  auto readable = [&](const std::string& key) -> const Group* {
    auto it = groups.find(key);
    return it != groups.end() && it->second.available ? &it->second : nullptr;
  };
  std::vector<std::string> chosen;
  if (only) {
    for (const auto& p : *only) {
      if (!readable(p)) return s;  // the same counters in every window, or no figure
    }
    chosen = *only;
  } else if (readable("cray_pm:node")) {
    chosen = {"cray_pm:node"};
  } else {
    // The host: the widest readable domain, never a domain together with one it contains.
    if (readable("rapl:psys")) {
      chosen.push_back("rapl:psys");
    } else if (readable("rapl:package")) {
      chosen.push_back("rapl:package");
      if (readable("rapl:dram")) chosen.push_back("rapl:dram");
    } else if (readable("cray_pm:cpu")) {
      chosen.push_back("cray_pm:cpu");
      if (readable("cray_pm:memory")) chosen.push_back("cray_pm:memory");
    }
    // The accelerators: one measurement of them (the GPU libraries and cray_pm accel see the same modules).
    for (const char* accel : {"rocm_smi:gpu", "nvml:gpu", "cray_pm:accel"}) {
      if (readable(accel)) {
        chosen.push_back(accel);
        break;
      }
    }
  }
  if (chosen.empty()) return s;
  s.available = true;
  std::vector<std::string> words;
  for (const auto& p : chosen) {
    const Group& g = groups.at(p);
    s.joules += g.joules;
    s.seconds = std::max(s.seconds, g.seconds);
    s.integrated = s.integrated || g.integrated;
    s.parts.push_back(p);
    words.push_back(p + " (" + describe(p) + ")");
    if (p == "cray_pm:node") s.covers_host = s.covers_accelerators = true;
    if (p == "rapl:psys" || p == "rapl:package" || p == "cray_pm:cpu") s.covers_host = true;
    if (p == "cray_pm:accel" || p == "rocm_smi:gpu" || p == "nvml:gpu") s.covers_accelerators = true;
  }
  s.coverage = join(words, " + ");
  for (const auto& [key, g] : groups) {
    if (!g.available || std::find(chosen.begin(), chosen.end(), key) != chosen.end()) continue;
    auto chose = [&](const char* part) { return std::find(chosen.begin(), chosen.end(), part) != chosen.end(); };
    std::string why;
    if (chose("cray_pm:node")) {
      why = "inside cray_pm:node";
    } else if (g.cls == "core" || g.cls == "uncore") {
      why = "part of the package";
    } else if (chose("rapl:psys") && g.source == "rapl" && (g.cls == "package" || g.cls == "dram")) {
      why = "inside rapl:psys";
    } else if (g.cls == "gpu" || g.cls == "accel") {
      why = "the same accelerators, measured once";
    } else if (g.source == "cray_pm" && (g.cls == "cpu" || g.cls == "memory")) {
      why = "the same host, measured by rapl";
    } else if (g.source == "rapl" && g.cls == "dram" && !chose("rapl:package")) {
      why = "memory without its package is not the host";
    } else {
      why = "not part of the rule";
    }
    s.left_out.push_back(key + ": " + why);
  }
  return s;
}

}  // namespace lb
