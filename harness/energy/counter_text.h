// Parsers for the text that counter files hold. They accept exactly what the kernel and the
// Cray firmware write and refuse anything else, so a malformed file becomes "unavailable" with
// the offending text rather than a wrong number.
#pragma once

#include <cstdint>
#include <string>

namespace lb::energy {

struct ParsedValue {
  bool ok = false;
  std::uint64_t value = 0;
  std::string error;  // "malformed content 'abc J' (expected '<integer> J')"
};

// "123456\n" (powercap energy_uj, max_energy_range_uj, Cray freshness).
ParsedValue parse_unsigned(const std::string& text);

// "123456 J", "123 W", optionally followed by the Cray timestamp "1634060932190436 us".
// unit: "J" or "W"; a different unit is an error (a power file where energy was expected).
ParsedValue parse_with_unit(const std::string& text, const std::string& unit);

}  // namespace lb::energy
