#include "harness/energy/text_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace lb::energy {
namespace {

// std::generic_category().message is thread-safe, unlike strerror (the meter reads from its thread).
std::string errno_message(const std::string& path, int err) {
  return path + ": " + std::generic_category().message(err);
}

}  // namespace

TextRead read_text_file(const std::string& path) {
  TextRead r;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.error = errno_message(path, errno);
    return r;
  }
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      r.text.append(buf, std::size_t(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) r.error = errno_message(path, errno);
    break;
  }
  ::close(fd);
  r.ok = r.error.empty();
  return r;
}

DirectoryListing list_directory(const std::string& path) {
  DirectoryListing l;
  DIR* dir = ::opendir(path.c_str());
  if (!dir) {
    l.error = errno_message(path, errno);
    return l;
  }
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") l.names.push_back(name);
  }
  ::closedir(dir);
  std::sort(l.names.begin(), l.names.end());
  l.ok = true;
  return l;
}

}  // namespace lb::energy
