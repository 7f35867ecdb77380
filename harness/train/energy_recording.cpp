#include "harness/train/energy_recording.h"

#include <cmath>
#include <set>

#include "common/energy_selection.h"
#include "harness/dist/communicator.h"
#include "harness/energy/energy_config.h"
#include "harness/energy/node_merge.h"
#include "harness/energy/reading_codec.h"
#include "harness/record/provenance.h"
#include "harness/record/recorder.h"

namespace lb {

EnergyRecording::EnergyRecording(const Settings& s, Communicator& comm, const torch::Device& device) : comm_(comm) {
  if (!s.energy) return;
  energy::EnergyConfig c;
  c.interval_s = s.energy_interval_s;
  c.node_counters = comm.local_rank() == 0;
  c.rapl_root = s.energy_rapl_root;
  c.cray_pm_root = s.energy_cray_root;
  // GPU counters only for GPU runs, and only this rank's GPU, found by its PCI address.
  c.nvml = c.rocm_smi = device.is_cuda();
  if (device.is_cuda()) {
    const std::string pci = gpu_pci_address(device.index());
    if (!pci.empty()) c.gpu_devices = {pci};
  }
  meter_ = energy::make_energy_meter(c);
  meter_->start();
  epoch_mark_ = meter_->mark();
}

EnergyRecording::~EnergyRecording() {
  if (meter_) meter_->stop();
}

void EnergyRecording::epoch_start() {
  if (meter_) epoch_mark_ = meter_->mark();
}

double EnergyRecording::epoch_end(std::int32_t epoch, Recorder* rec) {
  if (!meter_) return NAN;
  return record(epoch, energy::energy_between(epoch_mark_, meter_->mark()), rec, false);
}

void EnergyRecording::run_end(Recorder* rec) {
  if (!meter_) {
    if (rec) {
      schema::RunAttributes a;
      a.energy_sources = "";
      a.energy_unavailable = "not measured (--energy off)";
      a.energy_j = NAN;
      rec->set(a);
    }
    return;
  }
  record(-1, meter_->since_start(), rec, true);
}

double EnergyRecording::record(std::int32_t epoch, const energy::Reading& reading, Recorder* rec, bool run_level) {
  const auto texts = comm_.gather_text(energy::encode_reading(reading));
  if (comm_.rank() != 0) return NAN;
  std::vector<energy::Reading> readings;
  for (const auto& t : texts) {
    auto d = energy::decode_reading(t);
    if (d.ok) readings.push_back(std::move(d.reading));
  }
  std::vector<EnergyCounterRow> rows;
  std::set<std::string> sources;
  std::string unavailable;
  for (const auto& total : energy::merge_readings(readings)) {
    const std::string counter = total.source + (total.domain.empty() ? "" : ":" + total.domain);
    if (total.available) {
      sources.insert(total.source);
    } else {
      unavailable += (unavailable.empty() ? "" : "; ") + counter + ": " + total.reason;
    }
    if (total.domain.empty()) continue;  // a source unavailable as a whole: named, no row
    EnergyCounterRow r;
    r.epoch = epoch;
    r.counter = counter;
    r.joules = total.available ? total.joules : NAN;
    r.seconds = reading.seconds;
    r.integrated = total.kind == energy::Kind::integrated_power;
    rows.push_back(r);
    if (rec) {
      schema::EnergyRecord row;
      row.epoch = epoch;
      row.counter.assign(counter);
      row.joules = r.joules;
      row.seconds = r.seconds;
      row.integrated = r.integrated ? 1 : 0;
      rec->add_energy(row);
    }
  }
  const auto chosen = select_counters(rows, epoch);
  const double joules = chosen.available ? chosen.joules : NAN;
  if (rec && run_level) {
    schema::RunAttributes a;
    std::string list;
    for (const auto& src : sources) list += (list.empty() ? "" : ",") + src;
    a.energy_sources = list;
    a.energy_unavailable = unavailable;
    a.energy_j = joules;
    rec->set(a);
  }
  return joules;
}

}  // namespace lb
