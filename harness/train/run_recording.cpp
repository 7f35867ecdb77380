#include "harness/train/run_recording.h"

#include "harness/record/provenance.h"
#include "harness/record/recorder.h"
#include "harness/train/evaluation.h"
#include "harness/util/clock.h"

namespace lb {

RunRecording::RunRecording(Recorder* recorder, double run_t0, double flush_interval_s)
    : rec_(recorder), run_t0_(run_t0), policy_(flush_interval_s, now_s()) {}

void RunRecording::plan(std::int64_t planned_steps, std::int64_t steps_per_epoch, double setup_s,
                        const std::vector<schema::AllreduceSweepRecord>& sweep) {
  if (!rec_) return;
  schema::RunAttributes a;
  a.total_steps_planned = planned_steps;
  a.steps_per_epoch = steps_per_epoch;
  a.setup_s = setup_s;
  rec_->set(a);
  for (const auto& row : sweep) rec_->add_allreduce_sweep(row);
  rec_->request_flush();
}

void RunRecording::step(const schema::StepRecord& row, const std::vector<double>& rank_total_s) {
  if (rec_) rec_->add_step(row, rank_total_s);
}

void RunRecording::evaluation(const EvalResult& e, std::int64_t step, int epoch) {
  if (!rec_) return;
  schema::EvaluationRecord row;
  row.step = step;
  row.epoch = epoch;
  row.val_samples = e.samples;
  row.val_loss = e.loss;
  row.val_top1 = e.top1;
  row.val_top5 = e.top5;
  row.val_time_s = e.time_s;
  row.end_wall_s = now_s() - run_t0_;
  rec_->add_evaluation(row);
}

void RunRecording::epoch(const schema::EpochRecord& row) {
  if (rec_) rec_->add_epoch(row);
}

void RunRecording::attributes(const schema::RunAttributes& a) {
  if (rec_) rec_->set(a);
}

void RunRecording::flush(bool now) {
  if (!rec_) return;
  const double t0 = now_s();
  if (!now && !policy_.due(t0)) return;
  schema::RunAttributes a;
  a.wall_time_s = t0 - run_t0_;
  a.peak_rss_bytes = peak_rss_bytes();
  rec_->set(a);
  rec_->request_flush();
  policy_.flushed(now_s());
  flush_time_s_ += now_s() - t0;
}

std::optional<std::string> RunRecording::error() const {
  if (!rec_) return std::nullopt;
  return rec_->error();
}

}  // namespace lb
