// Reading small sysfs/procfs files. The reader is a plain function so tests can inject failures
// that a root user cannot produce with chmod (EACCES on energy_uj, EIO mid-run).
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace lb::energy {

struct TextRead {
  bool ok = false;
  std::string text;
  std::string error;  // "<path>: <strerror>", e.g. "/sys/class/powercap/intel-rapl:0/energy_uj: Permission denied"
};

using ReadText = std::function<TextRead(const std::string& path)>;

// open()/read() of the whole file; a directory fails with "Is a directory".
TextRead read_text_file(const std::string& path);

struct DirectoryListing {
  bool ok = false;
  std::vector<std::string> names;  // sorted, without "." and ".."
  std::string error;
};

DirectoryListing list_directory(const std::string& path);

}  // namespace lb::energy
