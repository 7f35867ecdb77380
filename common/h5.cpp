#include "common/h5.h"

#include <stdexcept>
#include <vector>

namespace lb::h5 {

std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

void quiet_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {
Handle make(hid_t id, Handle::Closer close, const std::string& what) {
  if (id < 0) throw std::runtime_error(what);
  return Handle(id, close);
}
}  // namespace

Handle file(hid_t id, const std::string& what) { return make(id, H5Fclose, what); }
Handle group(hid_t id, const std::string& what) { return make(id, H5Gclose, what); }
Handle dataset(hid_t id, const std::string& what) { return make(id, H5Dclose, what); }
Handle space(hid_t id, const std::string& what) { return make(id, H5Sclose, what); }
Handle type(hid_t id, const std::string& what) { return make(id, H5Tclose, what); }
Handle attr(hid_t id, const std::string& what) { return make(id, H5Aclose, what); }
Handle plist(hid_t id, const std::string& what) { return make(id, H5Pclose, what); }

void check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error(what);
}

Handle utf8_string_type() {
  auto t = type(H5Tcopy(H5T_C_S1), "string type");
  check(H5Tset_size(t, H5T_VARIABLE), "string type");
  check(H5Tset_cset(t, H5T_CSET_UTF8), "string type");
  return t;
}

namespace {
void write_scalar(hid_t obj, const std::string& name, hid_t mem_type, const void* value) {
  if (H5Aexists(obj, name.c_str()) > 0) check(H5Adelete(obj, name.c_str()), "attribute " + name);
  auto sp = space(H5Screate(H5S_SCALAR), "attribute space");
  auto a = attr(H5Acreate2(obj, name.c_str(), mem_type, sp, H5P_DEFAULT, H5P_DEFAULT), "attribute " + name);
  check(H5Awrite(a, mem_type, value), "attribute " + name);
}
}  // namespace

void write_attr(hid_t obj, const std::string& name, std::int64_t value) {
  write_scalar(obj, name, H5T_NATIVE_INT64, &value);
}
void write_attr(hid_t obj, const std::string& name, double value) {
  write_scalar(obj, name, H5T_NATIVE_DOUBLE, &value);
}
void write_attr(hid_t obj, const std::string& name, const std::string& value) {
  auto t = utf8_string_type();
  const char* p = value.c_str();
  write_scalar(obj, name, t, &p);
}

std::optional<std::int64_t> read_int_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  auto a = attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "attribute " + name);
  std::int64_t v = 0;
  if (H5Aread(a, H5T_NATIVE_INT64, &v) < 0) return std::nullopt;
  return v;
}

std::optional<double> read_double_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  auto a = attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "attribute " + name);
  double v = 0;
  if (H5Aread(a, H5T_NATIVE_DOUBLE, &v) < 0) return std::nullopt;
  return v;
}

std::optional<std::string> read_string_attr(hid_t obj, const std::string& name) {
  if (H5Aexists(obj, name.c_str()) <= 0) return std::nullopt;
  auto a = attr(H5Aopen(obj, name.c_str(), H5P_DEFAULT), "attribute " + name);
  auto ft = type(H5Aget_type(a), "attribute type");
  if (H5Tget_class(ft) != H5T_STRING) return std::nullopt;
  if (H5Tis_variable_str(ft) > 0) {
    auto t = utf8_string_type();
    char* p = nullptr;
    if (H5Aread(a, t, &p) < 0) return std::nullopt;
    std::string s = p ? p : "";
    H5free_memory(p);
    return s;
  }
  std::vector<char> buf(H5Tget_size(ft) + 1, '\0');
  if (H5Aread(a, ft, buf.data()) < 0) return std::nullopt;
  return std::string(buf.data());
}

bool link_exists(hid_t loc, const std::string& path) {
  // H5Lexists checks one component at a time; every parent must exist for the next check.
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, pos);
    if (prefix.empty() || prefix == "/") continue;
    if (H5Lexists(loc, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

}  // namespace lb::h5
