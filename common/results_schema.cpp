#include "common/results_schema.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstddef>
#include <sstream>

namespace lb::schema {

void RunAttributes::merge(const RunAttributes& other) {
#define LB_MERGE_ATTR(name, type, group, doc) \
  if (other.name) name = other.name;
  LB_RUN_ATTRIBUTES(LB_MERGE_ATTR)
#undef LB_MERGE_ATTR
}

namespace {
void convert(const AttrValue& v, std::optional<std::string>& out) {
  if (const auto* s = std::get_if<std::string>(&v)) out = *s;
}
void convert(const AttrValue& v, std::optional<double>& out) {
  if (const auto* d = std::get_if<double>(&v)) out = *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) out = double(*i);
}
void convert(const AttrValue& v, std::optional<std::int64_t>& out) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) out = *i;
  // A float where an int belongs: rounded when it is a whole number in range, else unset.
  if (const auto* d = std::get_if<double>(&v); d && std::isfinite(*d) && std::abs(*d) < 9.2e18) out = std::int64_t(std::llround(*d));
}
}  // namespace

RunAttributes attributes_from_values(const std::map<std::string, AttrValue>& values) {
  RunAttributes a;
#define LB_FROM_VALUE(name, type, group, doc)                                  \
  if (auto it = values.find(#name); it != values.end()) convert(it->second, a.name);
  LB_RUN_ATTRIBUTES(LB_FROM_VALUE)
#undef LB_FROM_VALUE
  return a;
}

const std::vector<AttributeInfo>& run_attributes() {
  static const std::vector<AttributeInfo> list = {
#define LB_ATTR_INFO(name, type, group, doc) {#name, AttrType::type, #group, doc},
      LB_RUN_ATTRIBUTES(LB_ATTR_INFO)
#undef LB_ATTR_INFO
  };
  return list;
}

#define LB_FIELD_INFO(name, type, doc) \
  {#name, FieldType::type, doc, offsetof(Row, name), sizeof(static_cast<Row*>(nullptr)->name)},

const TableInfo& steps_table() {
  using Row = StepRecord;
  static const TableInfo t{kStepsTable, sizeof(Row), {LB_STEP_FIELDS(LB_FIELD_INFO)}};
  return t;
}
const TableInfo& epochs_table() {
  using Row = EpochRecord;
  static const TableInfo t{kEpochsTable, sizeof(Row), {LB_EPOCH_FIELDS(LB_FIELD_INFO)}};
  return t;
}
const TableInfo& evaluations_table() {
  using Row = EvaluationRecord;
  static const TableInfo t{kEvaluationsTable, sizeof(Row), {LB_EVALUATION_FIELDS(LB_FIELD_INFO)}};
  return t;
}
const TableInfo& allreduce_sweep_table() {
  using Row = AllreduceSweepRecord;
  static const TableInfo t{kAllreduceSweepTable, sizeof(Row), {LB_ALLREDUCE_SWEEP_FIELDS(LB_FIELD_INFO)}};
  return t;
}
const TableInfo& energy_table() {
  using Row = EnergyRecord;
  static const TableInfo t{kEnergyTable, sizeof(Row), {LB_ENERGY_FIELDS(LB_FIELD_INFO)}};
  return t;
}
#undef LB_FIELD_INFO

std::vector<const TableInfo*> compound_tables() {
  return {&steps_table(), &epochs_table(), &evaluations_table(), &allreduce_sweep_table(), &energy_table()};
}

const char* to_string(AttrType t) {
  switch (t) {
    case AttrType::Text: return "string";
    case AttrType::Int: return "int";
    case AttrType::Real: return "float";
  }
  return "?";
}

const char* to_string(FieldType t) {
  switch (t) {
    case FieldType::I64: return "int64";
    case FieldType::I32: return "int32";
    case FieldType::U8: return "uint8";
    case FieldType::F32: return "float32";
    case FieldType::F64: return "float64";
    case FieldType::S48: return "string48";
  }
  return "?";
}

namespace {

const char* group_title(const std::string& group) {
  if (group == "Status") return "Status and outcome";
  if (group == "Settings") return "Settings (every option, as used)";
  if (group == "Data") return "Data";
  if (group == "Parallelism") return "Parallelism";
  if (group == "Provenance") return "Provenance";
  if (group == "Performance") return "Utilisation";
  if (group == "Memory") return "Memory";
  if (group == "Energy") return "Energy";
  return "Other";
}

}  // namespace

std::string markdown_tables() {
  std::ostringstream md;
  std::string group;
  for (const auto& a : run_attributes()) {
    if (group != a.group) {
      group = a.group;
      md << "\n#### " << group_title(group) << "\n\n| attr | type | meaning |\n|---|---|---|\n";
    }
    md << "| `" << a.name << "` | " << to_string(a.type) << " | " << a.doc << " |\n";
  }
  for (const TableInfo* t : compound_tables()) {
    md << "\n#### Table `" << t->name << "`\n\n| field | type | meaning |\n|---|---|---|\n";
    for (const auto& f : t->fields) md << "| `" << f.name << "` | " << to_string(f.type) << " | " << f.doc << " |\n";
  }
  return md.str();
}

std::string json_description() {
  nlohmann::ordered_json j;
  j["version"] = kVersion;
  auto& attrs = j["attributes"] = nlohmann::ordered_json::array();
  for (const auto& a : run_attributes())
    attrs.push_back({{"name", a.name}, {"type", to_string(a.type)}, {"group", a.group}});
  auto& tables = j["tables"] = nlohmann::ordered_json::object();
  for (const TableInfo* t : compound_tables()) {
    auto& fields = tables[t->name] = nlohmann::ordered_json::array();
    for (const auto& f : t->fields) fields.push_back({{"name", f.name}, {"type", to_string(f.type)}});
  }
  tables[kRankStepTimeTable] = {{{"name", "(2-D float64 [steps, world_size])"}, {"type", "float64"}}};
  return j.dump(1);
}

}  // namespace lb::schema
