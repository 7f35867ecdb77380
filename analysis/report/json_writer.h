// summary.json's builder: the streaming calls report_json.cpp makes (objects, arrays, fields), on
// top of nlohmann/json, which does the escaping and the formatting.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lb::analysis {

class JsonWriter {
 public:
  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(const std::string& name);
  JsonWriter& value(const std::string& text);
  JsonWriter& value(const char* text) { return value(std::string(text)); }
  JsonWriter& value(double number);  // NaN and infinities become null
  JsonWriter& value(int64_t number);
  JsonWriter& value(int number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(size_t number) { return value(static_cast<int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();
  template <class T>
  JsonWriter& value(const std::optional<T>& v) {
    return v ? value(*v) : null();
  }
  JsonWriter& value(const std::vector<std::string>& list);
  template <class T>
  JsonWriter& field(const std::string& name, const T& v) {
    key(name);
    return value(v);
  }

  // The document, indented by two spaces, with a final newline.
  std::string str() const;

 private:
  nlohmann::ordered_json& place(nlohmann::ordered_json v);  // into the open container (or as the root)
  nlohmann::ordered_json root_;
  std::vector<nlohmann::ordered_json*> open_;  // the innermost last; a container is only ever its parent's last member
  std::optional<std::string> key_;
};

}  // namespace lb::analysis
