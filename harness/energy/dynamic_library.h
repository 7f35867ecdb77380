// dlopen()/dlsym() as values: vendor monitoring libraries (NVML, ROCm SMI, AMD SMI) are loaded
// at run time so that the harness builds and runs on machines without them.
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace lb::energy {

class DynamicLibrary {
 public:
  // Tries each name in order (plain sonames: the dynamic loader searches LD_LIBRARY_PATH, the
  // cache and the default paths). On failure error() names the library, with the loader's message
  // when it was found but could not be loaded (wrong architecture, missing dependency).
  static std::shared_ptr<DynamicLibrary> open(const std::vector<std::string>& names);
  ~DynamicLibrary();
  DynamicLibrary(const DynamicLibrary&) = delete;
  DynamicLibrary& operator=(const DynamicLibrary&) = delete;

  bool loaded() const { return handle_ != nullptr; }
  const std::string& name() const { return name_; }
  const std::string& error() const { return error_; }  // "libnvidia-ml.so.1 not found"

  // nullptr (and *error set) when absent.
  void* symbol(const char* symbol_name, std::string* error) const;

  template <typename Fn>
  Fn function(const char* symbol_name, std::string* error) const {
    return reinterpret_cast<Fn>(symbol(symbol_name, error));
  }

 private:
  DynamicLibrary() = default;
  void* handle_ = nullptr;
  std::string name_, error_;
};

}  // namespace lb::energy
