#include "harness/energy/dynamic_library.h"

#include <dlfcn.h>

namespace lb::energy {

namespace {

std::string base_name(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// "libnvidia-ml.so.1" for one name or for versioned/relocated variants of the first name.
std::string names_text(const std::vector<std::string>& names) {
  if (names.empty()) return "(no library name)";
  const std::string first = base_name(names[0]);
  bool variants = true;
  for (const auto& n : names) variants = variants && base_name(n).compare(0, first.size(), first) == 0;
  if (variants) return names[0];
  std::string all;
  for (const auto& n : names) all += (all.empty() ? "" : " or ") + n;
  return all;
}

}  // namespace

std::shared_ptr<DynamicLibrary> DynamicLibrary::open(const std::vector<std::string>& names) {
  std::shared_ptr<DynamicLibrary> lib(new DynamicLibrary());
  std::string other_errors;  // anything but "not there": wrong architecture, missing dependency
  for (const auto& n : names) {
    // RTLD_LOCAL: the vendor's symbols must not leak into (or clash with) the process.
    void* h = ::dlopen(n.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (h) {
      lib->handle_ = h;
      lib->name_ = n;
      return lib;
    }
    const char* e = ::dlerror();
    const std::string message = e ? e : n + ": cannot be loaded";
    if (message.find("No such file or directory") == std::string::npos)
      other_errors += (other_errors.empty() ? "" : "; ") + message;
  }
  lib->error_ = names_text(names) + " not found";
  if (!other_errors.empty()) lib->error_ += " (" + other_errors + ")";
  return lib;
}

DynamicLibrary::~DynamicLibrary() {
  if (handle_) ::dlclose(handle_);
}

void* DynamicLibrary::symbol(const char* symbol_name, std::string* error) const {
  if (!handle_) {
    if (error) *error = error_;
    return nullptr;
  }
  ::dlerror();
  void* p = ::dlsym(handle_, symbol_name);
  if (!p && error) *error = name_ + ": no symbol " + symbol_name;
  return p;
}

}  // namespace lb::energy
