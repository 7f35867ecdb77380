#include "analysis/report/json_writer.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <stdexcept>

namespace lb::analysis {
namespace {

// One scalar as nlohmann/json writes it; invalid UTF-8 in a run name or a note becomes U+FFFD
// instead of failing the report.
std::string encode(const nlohmann::json& v) { return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

// Appends a string as nlohmann/json writes it. Printable ASCII without quote or backslash (most
// keys and values) needs no escaping and is copied as it is, without nlohmann/json's allocations.
void append_encoded(std::string& out, const std::string& text) {
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
      out += encode(nlohmann::json(text));
      return;
    }
  }
  out += '"';
  out += text;
  out += '"';
}

}  // namespace

void JsonWriter::before_value() {
  // Hand the text to the sink in pieces of about a megabyte.
  if (out_.size() > (std::size_t(1) << 20)) {
    sink_.write(out_.data(), static_cast<std::streamsize>(out_.size()));
    out_.clear();
  }
  if (open_.empty()) {
    if (root_written_) throw std::logic_error("JsonWriter: a second document root");
    root_written_ = true;
    return;
  }
  Open& parent = open_.back();
  if (!parent.array && !has_key_) throw std::logic_error("JsonWriter: a value inside an object needs a key");
  out_ += parent.members == 0 ? "\n" : ",\n";
  ++parent.members;
  out_.append(2 * open_.size(), ' ');
  if (!parent.array) {
    append_encoded(out_, key_);
    out_ += ": ";
    has_key_ = false;
  }
}

JsonWriter& JsonWriter::scalar(const std::string& encoded) {
  before_value();
  out_ += encoded;
  return *this;
}

JsonWriter& JsonWriter::begin(bool array) {
  before_value();
  out_ += array ? '[' : '{';
  open_.push_back({array, 0});
  return *this;
}

JsonWriter& JsonWriter::end(bool array) {
  if (open_.empty() || open_.back().array != array) {
    throw std::logic_error(array ? "JsonWriter: end_array without an open array"
                                 : "JsonWriter: end_object without an open object");
  }
  const std::size_t members = open_.back().members;
  open_.pop_back();
  if (members > 0) {
    out_ += '\n';
    out_.append(2 * open_.size(), ' ');
  }
  out_ += array ? ']' : '}';
  return *this;
}

JsonWriter& JsonWriter::key(const std::string& name) {
  key_ = name;  // reuses the buffer: one allocation per writer, not per field
  has_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(const std::string& text) {
  before_value();
  append_encoded(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(double number) {
  return scalar(std::isfinite(number) ? encode(nlohmann::json(number)) : std::string("null"));
}

void JsonWriter::finish() {
  if (!open_.empty()) throw std::logic_error("JsonWriter: the document has an open container");
  out_ += "\n";
  sink_.write(out_.data(), static_cast<std::streamsize>(out_.size()));
  out_.clear();
}

}  // namespace lb::analysis
