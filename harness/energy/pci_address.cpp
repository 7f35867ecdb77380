#include "harness/energy/pci_address.h"

#include <cctype>
#include <cstdio>
#include <vector>

namespace lb::energy {
namespace {

bool hex(const std::string& s, std::size_t max_digits, std::uint32_t* out) {
  if (s.empty() || s.size() > max_digits) return false;
  std::uint32_t v = 0;
  for (const char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
    v = v * 16 + std::uint32_t(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10);
  }
  *out = v;
  return true;
}

}  // namespace

bool parse_pci_address(const std::string& text, PciAddress* out) {
  std::string rest = text;
  PciAddress a;
  const auto dot = rest.rfind('.');
  if (dot != std::string::npos) {
    if (!hex(rest.substr(dot + 1), 1, &a.function) || a.function > 7) return false;
    rest = rest.substr(0, dot);
  }
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto colon = rest.find(':', start);
    parts.push_back(rest.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() == 3) {
    if (!hex(parts[0], 8, &a.domain)) return false;
    parts.erase(parts.begin());
  }
  if (parts.size() != 2 || !hex(parts[0], 2, &a.bus) || !hex(parts[1], 2, &a.device) || a.device > 31) return false;
  *out = a;
  return true;
}

std::string to_string(const PciAddress& a) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04x:%02x:%02x.%x", a.domain, a.bus, a.device, a.function);
  return buf;
}

PciAddress from_bdf_id(std::uint64_t bdfid) {
  PciAddress a;
  a.domain = std::uint32_t(bdfid >> 32);
  a.bus = std::uint32_t((bdfid >> 8) & 0xff);
  a.device = std::uint32_t((bdfid >> 3) & 0x1f);
  a.function = std::uint32_t(bdfid & 0x7);
  return a;
}

}  // namespace lb::energy
