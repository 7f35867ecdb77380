#include "analysis/report/json_writer.h"

#include <cmath>
#include <stdexcept>

namespace lb::analysis {

nlohmann::ordered_json& JsonWriter::place(nlohmann::ordered_json v) {
  if (open_.empty()) {
    root_ = std::move(v);
    return root_;
  }
  nlohmann::ordered_json& parent = *open_.back();
  if (parent.is_array()) {
    parent.push_back(std::move(v));
    return parent.back();
  }
  if (!key_) throw std::logic_error("JsonWriter: a value inside an object needs a key");
  nlohmann::ordered_json& slot = parent[*key_];
  key_.reset();
  slot = std::move(v);
  return slot;
}

JsonWriter& JsonWriter::begin_object() {
  open_.push_back(&place(nlohmann::ordered_json::object()));
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  open_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  open_.push_back(&place(nlohmann::ordered_json::array()));
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  open_.pop_back();
  return *this;
}

JsonWriter& JsonWriter::key(const std::string& name) {
  key_ = name;
  return *this;
}

JsonWriter& JsonWriter::value(const std::string& text) {
  place(text);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  place(std::isfinite(number) ? nlohmann::ordered_json(number) : nlohmann::ordered_json(nullptr));
  return *this;
}

JsonWriter& JsonWriter::value(int64_t number) {
  place(number);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  place(flag);
  return *this;
}

JsonWriter& JsonWriter::null() {
  place(nullptr);
  return *this;
}

JsonWriter& JsonWriter::value(const std::vector<std::string>& list) {
  place(list);
  return *this;
}

std::string JsonWriter::str() const {
  // Invalid UTF-8 in a run name or a note becomes U+FFFD instead of failing the report.
  return root_.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace lb::analysis
