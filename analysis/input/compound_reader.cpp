#include "analysis/input/compound_reader.h"

#include <cstdint>
#include <cstring>
#include <limits>

#include "common/h5.h"

namespace lb::analysis {
namespace {

template <class T>
double load(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<double>(v);
}

}  // namespace

CompoundColumns::CompoundColumns(hid_t dataset, const std::vector<std::string>& fields) : dataset_(dataset) {
  file_type_ = H5Dget_type(dataset);
  compound_ = file_type_ >= 0 && H5Tget_class(file_type_) == H5T_COMPOUND;
  const H5T_order_t native_order = H5Tget_order(H5T_NATIVE_INT);
  for (const auto& name : fields) {
    Field f;
    f.name = name;
    if (compound_) {
      const int index = H5Tget_member_index(file_type_, name.c_str());
      if (index >= 0) {
        f.present = true;
        f.offset = H5Tget_member_offset(file_type_, static_cast<unsigned>(index));
        h5::Handle member = h5::adopt_type(H5Tget_member_type(file_type_, static_cast<unsigned>(index)));
        f.type_class = H5Tget_class(member.get());
        f.size = H5Tget_size(member.get());
        f.is_signed = f.type_class != H5T_INTEGER || H5Tget_sign(member.get()) != H5T_SGN_NONE;
        const bool native = f.size == 1 || H5Tget_order(member.get()) == native_order;
        const bool known_int = f.type_class == H5T_INTEGER && (f.size == 1 || f.size == 2 || f.size == 4 || f.size == 8);
        // IEEE floats of 4 and 8 bytes in native order are the C types; anything else converts.
        const bool known_float = f.type_class == H5T_FLOAT && (f.size == 4 || f.size == 8) &&
                                 H5Tget_precision(member.get()) == 8 * f.size;
        f.direct = native && (known_int || known_float);
        f.variable_string = f.type_class == H5T_STRING && H5Tis_variable_str(member.get()) > 0;
      }
    }
    fields_.push_back(std::move(f));
  }
  if (compound_) {
    row_size_ = H5Tget_size(file_type_);
    // Any variable-length member, requested or not, is allocated by the read and must be freed.
    const int members = H5Tget_nmembers(file_type_);
    for (int m = 0; m < members; ++m) {
      h5::Handle member = h5::adopt_type(H5Tget_member_type(file_type_, static_cast<unsigned>(m)));
      if (H5Tget_class(member.get()) == H5T_VLEN || H5Tis_variable_str(member.get()) > 0) has_variable_ = true;
    }
  }
}

CompoundColumns::~CompoundColumns() {
  if (file_type_ >= 0) H5Tclose(file_type_);
}

std::string CompoundColumns::missing(const std::vector<bool>& required) const {
  std::string list;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (required[i] && !fields_[i].present) list += (list.empty() ? "" : ", ") + fields_[i].name;
  }
  return list;
}

bool CompoundColumns::read(std::vector<unsigned char>& scratch) {
  if (!compound_) return false;
  h5::Handle space = h5::adopt_space(H5Dget_space(dataset_));
  hsize_t dims[1] = {0};
  if (H5Sget_simple_extent_ndims(space.get()) != 1) return false;
  H5Sget_simple_extent_dims(space.get(), dims, nullptr);
  rows_ = dims[0];
  if (rows_ == 0) return true;
  if (scratch.size() < rows_ * row_size_) scratch.resize(rows_ * row_size_);
  // The file's own type as memory type: a plain copy, no conversion buffers.
  if (H5Dread(dataset_, file_type_, H5S_ALL, H5S_ALL, H5P_DEFAULT, scratch.data()) < 0) return false;
  data_ = scratch.data();
  // Variable-length strings were allocated by HDF5 in the read: copy them out and free them.
  for (auto& f : fields_) {
    if (!f.present || !f.variable_string) continue;
    f.texts.resize(rows_);
    for (size_t i = 0; i < rows_; ++i) {
      char* text = nullptr;
      std::memcpy(&text, data_ + i * row_size_ + f.offset, sizeof text);
      f.texts[i] = text ? text : "";
    }
  }
  if (has_variable_) H5Dvlen_reclaim(file_type_, space.get(), H5P_DEFAULT, scratch.data());
  for (auto& f : fields_) {
    if (!f.present || f.direct || f.type_class == H5T_STRING) continue;
    h5::Handle mem = h5::adopt_type(H5Tcreate(H5T_COMPOUND, sizeof(double)));
    H5Tinsert(mem.get(), f.name.c_str(), 0, H5T_NATIVE_DOUBLE);
    f.converted.resize(rows_);
    if (H5Dread(dataset_, mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, f.converted.data()) < 0) return false;
  }
  return true;
}

double CompoundColumns::value(size_t field, size_t i) const {
  const Field& f = fields_[field];
  if (!f.present) return std::numeric_limits<double>::quiet_NaN();
  if (!f.direct) return f.converted[i];
  const unsigned char* p = data_ + i * row_size_ + f.offset;
  if (f.type_class == H5T_FLOAT) return f.size == 8 ? load<double>(p) : load<float>(p);
  switch (f.size) {
    case 1: return f.is_signed ? load<int8_t>(p) : load<uint8_t>(p);
    case 2: return f.is_signed ? load<int16_t>(p) : load<uint16_t>(p);
    case 4: return f.is_signed ? load<int32_t>(p) : load<uint32_t>(p);
    default: return f.is_signed ? load<int64_t>(p) : load<uint64_t>(p);
  }
}

std::string CompoundColumns::text(size_t field, size_t i) const {
  const Field& f = fields_[field];
  if (!f.present || f.type_class != H5T_STRING || i >= rows_) return "";
  if (f.variable_string) return f.texts[i];
  const char* p = reinterpret_cast<const char*>(data_ + i * row_size_ + f.offset);
  size_t n = 0;
  while (n < f.size && p[n] != '\0') ++n;
  while (n > 0 && p[n - 1] == ' ') --n;  // H5T_STR_SPACEPAD
  return std::string(p, n);
}

}  // namespace lb::analysis
