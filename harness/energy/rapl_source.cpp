#include "harness/energy/rapl_source.h"

#include <cctype>
#include <map>

#include "harness/energy/counter_text.h"

namespace lb::energy {
namespace {

struct ZoneName {
  bool ok = false;
  std::string family;  // "intel-rapl" or "amd-rapl"
  int package = -1;
  int sub = -1;  // -1 for a top-level zone
};

bool digits(const std::string& s) {
  if (s.empty() || s.size() > 6) return false;
  for (const char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// "intel-rapl:0" / "intel-rapl:0:1" / "amd-rapl:1"; anything else (intel-rapl-mmio:0, the
// "intel-rapl" control type itself) is not a zone we read.
ZoneName parse_zone_dir(const std::string& dir) {
  ZoneName z;
  for (const std::string family : {"intel-rapl", "amd-rapl"}) {
    const std::string prefix = family + ":";
    if (dir.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = dir.substr(prefix.size());
    const auto colon = rest.find(':');
    const std::string a = rest.substr(0, colon);
    const std::string b = colon == std::string::npos ? "" : rest.substr(colon + 1);
    if (!digits(a) || (colon != std::string::npos && !digits(b))) return z;
    z.ok = true;
    z.family = family;
    z.package = std::stoi(a);
    z.sub = b.empty() ? -1 : std::stoi(b);
    return z;
  }
  return z;
}

std::string trimmed(const std::string& s) {
  std::size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// "package-3" -> 3; the kernel numbers packages in the name, which may differ from the zone
// index on machines where a package's zone failed to register.
int package_number(const std::string& name, int fallback) {
  const std::string p = "package-";
  if (name.compare(0, p.size(), p) == 0 && digits(name.substr(p.size()))) return std::stoi(name.substr(p.size()));
  return fallback;
}

}  // namespace

RaplSource::RaplSource(RaplOptions options) : options_(std::move(options)) { discover(); }

void RaplSource::discover() {
  const auto listing = list_directory(options_.root);
  if (!listing.ok) {
    source_error_ = listing.error;
    return;
  }
  std::map<std::string, std::vector<std::pair<std::string, ZoneName>>> by_family;
  for (const auto& dir : listing.names) {
    const auto z = parse_zone_dir(dir);
    if (z.ok) by_family[z.family].push_back({dir, z});
  }
  const auto chosen = by_family.count("intel-rapl") ? by_family.find("intel-rapl") : by_family.find("amd-rapl");
  if (chosen == by_family.end()) {
    source_error_ = options_.root + ": no intel-rapl or amd-rapl zones";
    return;
  }
  const auto& found = chosen->second;

  auto zone_name = [&](const std::string& dir, std::string* error) {
    const auto r = options_.read(options_.root + "/" + dir + "/name");
    if (!r.ok) {
      *error = r.error;
      return std::string();
    }
    const std::string name = trimmed(r.text);
    if (name.empty()) *error = options_.root + "/" + dir + "/name: empty";
    return name;
  };

  // Package names first: sub-zones are named after their package.
  std::map<int, int> package_of_zone;
  for (const auto& [dir, z] : found) {
    if (z.sub != -1) continue;
    std::string error;
    const std::string name = zone_name(dir, &error);
    package_of_zone[z.package] = package_number(name, z.package);
  }

  for (const auto& [dir, z] : found) {
    Zone zone;
    zone.dir = dir;
    const std::string name = zone_name(dir, &zone.error);
    if (name.empty()) {
      zone.domain = dir;
    } else if (z.sub == -1) {
      zone.domain = name;
    } else {
      const auto p = package_of_zone.find(z.package);
      zone.domain = name + "-" + std::to_string(p == package_of_zone.end() ? z.package : p->second);
    }
    const auto range = options_.read(options_.root + "/" + dir + "/max_energy_range_uj");
    if (range.ok) {
      const auto v = parse_unsigned(range.text);
      if (v.ok && v.value > 0) zone.wrap_j = (double(v.value) + 1.0) * 1e-6;
    }
    zones_.push_back(zone);
  }
}

std::vector<DomainSample> RaplSource::read(double /*now_s*/) {
  std::vector<DomainSample> out;
  if (!source_error_.empty()) {
    out.push_back(unavailable_sample("", options_.node + "/rapl", Kind::counter, source_error_));
    return out;
  }
  for (const auto& zone : zones_) {
    const std::string unit = options_.node + "/" + zone.dir;
    if (!zone.error.empty()) {
      out.push_back(unavailable_sample(zone.domain, unit, Kind::counter, zone.error));
      continue;
    }
    const std::string path = options_.root + "/" + zone.dir + "/energy_uj";
    const auto r = options_.read(path);
    if (!r.ok) {
      out.push_back(unavailable_sample(zone.domain, unit, Kind::counter, r.error));
      continue;
    }
    const auto v = parse_unsigned(r.text);
    if (!v.ok) {
      out.push_back(unavailable_sample(zone.domain, unit, Kind::counter, path + ": " + v.error));
      continue;
    }
    DomainSample s;
    s.domain = zone.domain;
    s.unit = unit;
    s.kind = Kind::counter;
    s.available = true;
    s.value = double(v.value) * 1e-6;
    s.wrap_j = zone.wrap_j;
    out.push_back(s);
  }
  return out;
}

}  // namespace lb::energy
