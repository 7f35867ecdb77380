// summary.json's writer: the streaming calls report_json.cpp makes (objects, arrays, fields),
// written straight into the text as they come, laid out as nlohmann/json's dump(2) lays out a
// document (nlohmann/json still escapes every string and formats every number). No document tree
// is kept: a comparison of 100,000 runs writes hundreds of MB of JSON, and a tree of it would take
// several times that in memory.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace lb::analysis {

class JsonWriter {
 public:
  // The text goes to `sink` as it grows; finish() writes the rest.
  explicit JsonWriter(std::ostream& sink) : sink_(sink) {}
  JsonWriter& begin_object() { return begin(false); }
  JsonWriter& end_object() { return end(false); }
  JsonWriter& begin_array() { return begin(true); }
  JsonWriter& end_array() { return end(true); }
  JsonWriter& key(const std::string& name);
  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(double number);  // NaN and infinities become null
  JsonWriter& value(int64_t number) { return scalar(std::to_string(number)); }
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(size_t number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(bool flag) { return scalar(flag ? "true" : "false"); }
  JsonWriter& null() { return scalar("null"); }
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  template <class T>
  JsonWriter& value(const std::vector<T>& list) {
    begin_array();
    for (const auto& v : list) value(v);
    return end_array();
  }
  template <class T>
  JsonWriter& field(const std::string& name, const T& v) {
    key(name);
    return value(v);
  }

  // Writes what is left and the final newline. Throws std::logic_error while a container is still
  // open.
  void finish();

 private:
  JsonWriter& begin(bool array);
  JsonWriter& end(bool array);
  void before_value();                 // the separator, indentation and pending key of the next value
  JsonWriter& scalar(const std::string& encoded);
  struct Open {
    bool array;
    std::size_t members = 0;
  };
  std::string out_;
  std::vector<Open> open_;  // the innermost last
  std::string key_;  // the pending key, when has_key_
  bool has_key_ = false;
  bool root_written_ = false;
  std::ostream& sink_;
};

}  // namespace lb::analysis
