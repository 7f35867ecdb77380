#include "harness/energy/peak_memory.h"

#include <sstream>

namespace lb::energy {

MemoryFigure peak_resident_memory(const std::string& proc_root, const ReadText& read) {
  MemoryFigure m;
  const std::string path = proc_root + "/self/status";
  const auto r = read(path);
  if (!r.ok) {
    m.reason = r.error;
    return m;
  }
  std::istringstream in(r.text);
  for (std::string line; std::getline(in, line);) {
    if (line.compare(0, 6, "VmHWM:") != 0) continue;
    std::istringstream fields(line.substr(6));
    long long kib = -1;
    std::string unit;
    if (fields >> kib >> unit && kib >= 0 && unit == "kB") {
      m.available = true;
      m.bytes = std::int64_t(kib) * 1024;
    } else {
      m.reason = path + ": malformed VmHWM line '" + line + "'";
    }
    return m;
  }
  m.reason = path + ": no VmHWM line";
  return m;
}

}  // namespace lb::energy
