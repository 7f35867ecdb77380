#include "harness/energy/amd_gpu_source.h"

#include <algorithm>
#include <map>

#include "harness/energy/gpu_selection.h"

namespace lb::energy {
namespace {

struct DieInfo {
  int energy_rc = -1;
  std::uint64_t counter = 0, timestamp = 0;
  float resolution = 0;
  int power_rc = -1;
  std::uint64_t microwatts = 0;
  bool has_uid = false;
  std::uint64_t uid = 0;
  bool has_pci = false;
  PciAddress pci;

  bool energy_ok() const { return energy_rc == kSmiSuccess; }
  bool power_ok() const { return power_rc == kSmiSuccess; }
  // Whether this die carries a meter reading (a secondary MI200 die reports 0 for both).
  bool reports() const { return energy_ok() ? counter > 0 : power_ok() && microwatts > 0; }
};

bool same_uid(const DieInfo& a, const DieInfo& b) { return a.has_uid && b.has_uid && a.uid != 0 && a.uid == b.uid; }

bool same_meter(const DieInfo& a, const DieInfo& b) {
  const bool same_reading = a.energy_ok() && b.energy_ok() && a.counter != 0 && a.counter == b.counter &&
                            a.timestamp != 0 && a.timestamp == b.timestamp;
  return same_uid(a, b) || same_reading;
}

}  // namespace

std::string AmdGpuSource::message(const std::string& call, int code) const {
  return call + ": " + (api_.error_string ? api_.error_string(code) : "status " + std::to_string(code));
}

AmdGpuSource::AmdGpuSource(LoadedAmdSmi loaded, AmdGpuOptions options) : api_(std::move(loaded.api)), node_(options.node) {
  if (!loaded.ok) {
    source_error_ = loaded.error;
    return;
  }
  const std::string lib = api_.library == "amd_smi" ? "amdsmi" : "rsmi";
  if (const int rc = api_.init(); rc != kSmiSuccess) {
    source_error_ = message(lib + "_init", rc);
    return;
  }
  initialised_ = true;
  unsigned count = 0;
  if (const int rc = api_.device_count(&count); rc != kSmiSuccess) {
    source_error_ = message(lib + " device count", rc);
    return;
  }

  std::vector<DieInfo> dies(count);
  for (unsigned i = 0; i < count; ++i) {
    DieInfo& d = dies[i];
    d.energy_rc = api_.energy_count(i, &d.counter, &d.resolution, &d.timestamp);
    if (api_.power) d.power_rc = api_.power(i, &d.microwatts);
    if (api_.unique_id) d.has_uid = api_.unique_id(i, &d.uid) == kSmiSuccess;
    if (api_.pci_address) d.has_pci = api_.pci_address(i, &d.pci) == kSmiSuccess;
  }
  auto pci_of = [&](unsigned i, PciAddress* a) {
    if (!dies[i].has_pci) return false;
    *a = dies[i].pci;
    return true;
  };

  // Selected die -> the die that reads its module (rules 1 and 2), or an error.
  std::map<unsigned, Module> by_reader;
  for (const auto& choice : choose_gpus(options.devices, count, pci_of)) {
    if (!choice.ok) {
      Module m;
      m.domain = unmatched_domain(choice.selector);
      m.unit = node_ + "/" + api_.library + "/" + m.domain;
      m.error = choice.error;
      modules_.push_back(m);
      continue;
    }
    const unsigned d = choice.index;
    const std::string die = "gpu" + std::to_string(d);
    int reader = -1;
    std::string note;
    if (dies[d].reports()) {
      reader = int(d);
    } else {
      for (unsigned p = 0; p < count && reader < 0; ++p)
        if (p != d && same_uid(dies[p], dies[d]) && dies[p].reports()) {
          reader = int(p);
          note = die + " reports no energy (secondary die): read through gpu" + std::to_string(p) + ", same unique id";
        }
      const unsigned partner = d ^ 1u;
      if (reader < 0 && partner < count && dies[partner].reports()) {
        reader = int(partner);
        note = die + " reports no energy (secondary die): read through its pair partner gpu" + std::to_string(partner);
      }
    }
    if (reader < 0) {
      Module m;
      m.domain = die;
      m.dies = {d};
      m.unit = node_ + "/" + api_.library + "/" + die;
      m.error = !dies[d].energy_ok() && !dies[d].power_ok()
                    ? message(lib + " energy count(" + die + ")", dies[d].energy_rc) +
                          (api_.power ? "; " + message(lib + " power(" + die + ")", dies[d].power_rc) : "")
                    : die + " reports no energy or power (secondary die of a multi-die module?) and no die of its module reports";
      modules_.push_back(m);
      continue;
    }
    // Rule 3: the lowest-numbered die on the same meter stands for it.
    unsigned canonical = unsigned(reader);
    for (unsigned p = 0; p < canonical; ++p)
      if (dies[p].reports() && same_meter(dies[p], dies[canonical])) {
        note += (note.empty() ? "" : "; ") + std::string("gpu") + std::to_string(reader) + " shares its meter with gpu" + std::to_string(p);
        canonical = p;
        break;
      }
    Module& m = by_reader[canonical];
    m.reader = canonical;
    m.dies.push_back(d);
    if (!note.empty()) m.note += (m.note.empty() ? "" : "; ") + note;
  }
  for (auto& [reader, m] : by_reader) {
    std::sort(m.dies.begin(), m.dies.end());
    m.domain = "gpu" + std::to_string(m.dies.front());
    m.unit = node_ + "/module@" + (dies[reader].has_pci ? to_string(dies[reader].pci) : "gpu" + std::to_string(reader));
    m.kind = dies[reader].energy_ok() ? Kind::counter : Kind::integrated_power;
    modules_.push_back(m);
  }
  std::sort(modules_.begin(), modules_.end(), [](const Module& a, const Module& b) { return a.domain < b.domain; });
  if (modules_.empty()) source_error_ = api_.library + " sees no GPU";
}

AmdGpuSource::~AmdGpuSource() {
  if (initialised_) api_.shutdown();
}

std::vector<DomainSample> AmdGpuSource::read(double /*now_s*/) {
  if (!source_error_.empty()) return {unavailable_sample("", node_ + "/" + api_.library, Kind::counter, source_error_)};
  const std::string lib = api_.library == "amd_smi" ? "amdsmi" : "rsmi";
  std::vector<DomainSample> out;
  for (const auto& m : modules_) {
    if (!m.error.empty()) {
      out.push_back(unavailable_sample(m.domain, m.unit, m.kind, m.error));
      continue;
    }
    DomainSample s;
    s.domain = m.domain;
    s.unit = m.unit;
    s.kind = m.kind;
    const std::string die = "gpu" + std::to_string(m.reader);
    if (m.kind == Kind::counter) {
      std::uint64_t counter = 0, ts = 0;
      float resolution = 0;
      const int rc = api_.energy_count(m.reader, &counter, &resolution, &ts);
      s.available = rc == kSmiSuccess;
      s.value = double(counter) * double(resolution) * 1e-6;
      if (!s.available) s.reason = message(lib + " energy count(" + die + ")", rc);
    } else {
      std::uint64_t uw = 0;
      const int rc = api_.power(m.reader, &uw);
      s.available = rc == kSmiSuccess;
      s.value = double(uw) * 1e-6;
      if (!s.available) s.reason = message(lib + " power(" + die + ")", rc);
    }
    out.push_back(s);
  }
  return out;
}

}  // namespace lb::energy
