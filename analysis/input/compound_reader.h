// Reads chosen fields of a one-dimensional compound dataset (the `steps` and `epochs` tables).
// The table is read in its own file layout, which HDF5 copies without converting; the fields
// are then decoded by offset. Fields in an unusual layout (another byte order) go through
// HDF5's conversion instead. Internal to the results reader.
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

namespace lb::analysis {

class CompoundColumns {
 public:
  // Opens `dataset` and locates `fields`; missing() lists the ones the table lacks.
  CompoundColumns(hid_t dataset, const std::vector<std::string>& fields);
  ~CompoundColumns();
  CompoundColumns(const CompoundColumns&) = delete;
  CompoundColumns& operator=(const CompoundColumns&) = delete;

  bool is_compound() const { return compound_; }
  bool has(size_t field) const { return fields_[field].present; }
  std::string missing(const std::vector<bool>& required) const;

  // Reads every row; scratch is reused between calls to avoid fresh allocations.
  bool read(std::vector<unsigned char>& scratch);
  size_t rows() const { return rows_; }
  // Row i of field f (after read()); NaN for a field the table lacks.
  double value(size_t f, size_t i) const;
  // Row i of a string field (fixed-length, NUL- or space-padded, or variable-length); empty for a
  // field the table lacks or that is not a string.
  std::string text(size_t f, size_t i) const;

 private:
  struct Field {
    std::string name;
    bool present = false;
    bool direct = false;  // decodable from the raw row bytes
    size_t offset = 0;
    size_t size = 0;
    H5T_class_t type_class = H5T_NO_CLASS;
    bool is_signed = true;
    std::vector<double> converted;  // when !direct
    bool variable_string = false;   // a variable-length string: copied out at read()
    std::vector<std::string> texts;  // the variable-length strings
  };
  hid_t dataset_;
  hid_t file_type_ = -1;
  bool compound_ = false;
  bool has_variable_ = false;  // a variable-length member: the raw read allocates, freed after it
  size_t row_size_ = 0;
  size_t rows_ = 0;
  const unsigned char* data_ = nullptr;
  std::vector<Field> fields_;
};

}  // namespace lb::analysis
