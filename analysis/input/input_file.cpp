#include "analysis/input/input_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "common/format.h"

namespace lb::analysis {

const char* file_kind(unsigned mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a folder";
  return "not a regular file";
}

std::string input_file_problem(const std::string& path, std::uint64_t max_bytes, const std::string& what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return path + ": cannot open the file for reading: " + std::strerror(errno);
  if (!S_ISREG(st.st_mode)) {
    const std::string kind = file_kind(st.st_mode);
    return path + ": " + kind + (kind == "not a regular file" ? "" : ", not a regular file") + "; " + what +
           " must be a file";
  }
  if (std::uint64_t(st.st_size) > max_bytes) {
    return path + ": " + format_bytes(double(st.st_size)) + ", more than the " + format_bytes(double(max_bytes)) +
           " limit for " + what + "; not read";
  }
  return {};
}

}  // namespace lb::analysis
