// Thin RAII over HDF5's C API: handles that close themselves, checked calls, attributes.
// HDF5 (as Debian builds it) is not thread-safe: every call goes under hdf5_mutex().
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace lb::h5 {

std::mutex& hdf5_mutex();

// Silences HDF5's own error-stack printing; our messages name the file and object instead.
void quiet_errors();

class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer close) : id_(id), close_(close) {}
  Handle(Handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
  Handle& operator=(Handle&& o) noexcept {
    reset();
    id_ = std::exchange(o.id_, H5I_INVALID_HID);
    close_ = o.close_;
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = H5I_INVALID_HID;
  }
  hid_t get() const { return id_; }
  operator hid_t() const { return id_; }
  bool valid() const { return id_ >= 0; }
  explicit operator bool() const { return valid(); }

 private:
  hid_t id_ = H5I_INVALID_HID;
  Closer close_ = nullptr;
};

// Each throws std::runtime_error("<what>") when HDF5 returns a negative id.
Handle file(hid_t id, const std::string& what);
Handle group(hid_t id, const std::string& what);
Handle dataset(hid_t id, const std::string& what);
Handle space(hid_t id, const std::string& what);
Handle type(hid_t id, const std::string& what);
Handle attr(hid_t id, const std::string& what);
Handle plist(hid_t id, const std::string& what);
void check(herr_t status, const std::string& what);

// Not checked: an invalid handle when HDF5 returned a negative id, for readers that skip what
// they cannot read (analyze, with foreign or damaged files) instead of failing.
inline Handle adopt_file(hid_t id) { return {id, H5Fclose}; }
inline Handle adopt_group(hid_t id) { return {id, H5Gclose}; }
inline Handle adopt_dataset(hid_t id) { return {id, H5Dclose}; }
inline Handle adopt_attr(hid_t id) { return {id, H5Aclose}; }
inline Handle adopt_type(hid_t id) { return {id, H5Tclose}; }
inline Handle adopt_space(hid_t id) { return {id, H5Sclose}; }

Handle utf8_string_type();

// Attributes: created or overwritten.
void write_attr(hid_t obj, const std::string& name, std::int64_t value);
void write_attr(hid_t obj, const std::string& name, double value);
void write_attr(hid_t obj, const std::string& name, const std::string& value);
inline void write_attr(hid_t obj, const std::string& name, int value) { write_attr(obj, name, std::int64_t(value)); }
inline void write_attr(hid_t obj, const std::string& name, const char* value) {
  write_attr(obj, name, std::string(value));
}

std::optional<std::int64_t> read_int_attr(hid_t obj, const std::string& name);
std::optional<double> read_double_attr(hid_t obj, const std::string& name);
std::optional<std::string> read_string_attr(hid_t obj, const std::string& name);

bool link_exists(hid_t loc, const std::string& path);

}  // namespace lb::h5
