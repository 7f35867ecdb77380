// Rows of the `steps` and `epochs` tables (docs/hdf5-schema.md). Plain structs: the HDF5
// compound types are built from their layout.
#pragma once

#include <cstdint>

namespace lb {

struct StepRecord {
  std::int64_t step = 0;
  std::int32_t epoch = 0;
  std::int32_t step_in_epoch = 0;
  std::int32_t samples = 0;
  std::uint8_t warmup = 0;
  double data_wait_s = 0;
  double forward_s = 0;
  double backward_s = 0;
  double optimizer_s = 0;
  double comm_exposed_s = 0;
  double total_s = 0;
  float loss = 0;
  double lr = 0;
};

struct EpochRecord {
  std::int32_t epoch = 0;
  double train_time_s = 0;
  double val_time_s = 0;
  double epoch_time_s = 0;
  std::int64_t train_samples = 0;
  std::int64_t val_samples = 0;
  double train_loss = 0;
  double train_acc = 0;
  double val_loss = 0;
  double val_top1 = 0;
  double val_top5 = 0;
  double images_per_s = 0;
  double end_wall_s = 0;
};

// A validation pass: at every epoch end, and every --eval-every steps.
struct EvalRecord {
  std::int64_t step = 0;  // training steps done before it
  std::int32_t epoch = 0;
  std::int64_t val_samples = 0;
  double val_loss = 0;
  double val_top1 = 0;
  double val_top5 = 0;
  double val_time_s = 0;
  double end_wall_s = 0;
};

constexpr int kSchemaVersion = 1;

}  // namespace lb
