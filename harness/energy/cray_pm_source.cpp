#include "harness/energy/cray_pm_source.h"

#include <cstdio>
#include <map>
#include <sys/stat.h>

#include "harness/energy/counter_text.h"

namespace lb::energy {
namespace {

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// "energy" -> "node", "cpu_energy" -> "cpu", "accel0_power" -> "accel0".
std::string domain_of(const std::string& file, const std::string& what) {
  if (file == what) return "node";
  return file.substr(0, file.size() - what.size() - 1);
}

bool exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", s);
  return buf;
}

}  // namespace

CrayPmSource::CrayPmSource(CrayPmOptions options) : options_(std::move(options)) {
  if (options_.attempts < 1) options_.attempts = 1;
  const auto listing = list_directory(options_.root);
  if (!listing.ok) {
    source_error_ = listing.error;
    return;
  }
  std::map<std::string, Domain> found;
  for (const auto& f : listing.names) {
    if (f == "energy" || ends_with(f, "_energy")) found[domain_of(f, "energy")] = {domain_of(f, "energy"), f, Kind::counter};
  }
  for (const auto& f : listing.names) {
    if (!(f == "power" || ends_with(f, "_power"))) continue;
    const std::string d = domain_of(f, "power");
    if (!found.count(d)) found[d] = {d, f, Kind::integrated_power};
  }
  if (found.empty()) {
    source_error_ = options_.root + ": no energy or power files";
    return;
  }
  // The node total first, then the parts in name order.
  if (found.count("node")) domains_.push_back(found["node"]);
  for (const auto& [name, d] : found)
    if (name != "node") domains_.push_back(d);
  have_freshness_ = exists(options_.root + "/freshness");
}

std::vector<DomainSample> CrayPmSource::all_unavailable(const std::string& reason) const {
  std::vector<DomainSample> out;
  for (const auto& d : domains_)
    out.push_back(unavailable_sample(d.name, options_.node + "/" + d.file, d.kind, reason));
  return out;
}

std::vector<DomainSample> CrayPmSource::read_values() {
  std::vector<DomainSample> out;
  for (const auto& d : domains_) {
    const std::string path = options_.root + "/" + d.file;
    const std::string unit = options_.node + "/" + d.file;
    const auto r = options_.read(path);
    if (!r.ok) {
      out.push_back(unavailable_sample(d.name, unit, d.kind, r.error));
      continue;
    }
    const auto v = parse_with_unit(r.text, d.kind == Kind::counter ? "J" : "W");
    if (!v.ok) {
      out.push_back(unavailable_sample(d.name, unit, d.kind, path + ": " + v.error));
      continue;
    }
    DomainSample s;
    s.domain = d.name;
    s.unit = unit;
    s.kind = d.kind;
    s.available = true;
    s.value = double(v.value);  // J or W: the files' resolution is 1 J / 1 W
    out.push_back(s);
  }
  return out;
}

std::vector<DomainSample> CrayPmSource::read(double now_s) {
  if (!source_error_.empty()) return {unavailable_sample("", options_.node + "/cray_pm", Kind::counter, source_error_)};
  if (!have_freshness_) return read_values();

  const std::string fresh_path = options_.root + "/freshness";
  auto freshness = [&](std::string* error) -> std::uint64_t {
    const auto r = options_.read(fresh_path);
    if (!r.ok) {
      *error = r.error;
      return 0;
    }
    const auto v = parse_unsigned(r.text);
    if (!v.ok) *error = fresh_path + ": " + v.error;
    return v.value;
  };

  std::string changes;
  for (int attempt = 0; attempt < options_.attempts; ++attempt) {
    std::string error;
    const std::uint64_t before = freshness(&error);
    if (!error.empty()) return all_unavailable(error);
    auto values = read_values();
    const std::uint64_t after = freshness(&error);
    if (!error.empty()) return all_unavailable(error);
    if (before != after) {
      changes += (changes.empty() ? "" : ", ") + std::to_string(before) + "->" + std::to_string(after);
      continue;
    }
    const bool stale = have_history_ && after == last_freshness_;
    if (!have_history_ || after != last_freshness_) {
      last_freshness_ = after;
      last_change_s_ = now_s;
      have_history_ = true;
    }
    if (stale && now_s - last_change_s_ > options_.stale_limit_s)
      return all_unavailable(fresh_path + ": stuck at " + std::to_string(after) + " for " +
                             seconds_text(now_s - last_change_s_) + " s: the counters are not being refreshed");
    for (auto& s : values) s.stale = stale;
    return values;
  }
  return all_unavailable(fresh_path + ": changed during each of " + std::to_string(options_.attempts) +
                         " reads (" + changes + "): no consistent set");
}

}  // namespace lb::energy
