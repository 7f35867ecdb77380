// A validation pass: the validation split sharded over the ranks without padding (every image
// exactly once), loss and top-1/top-5 hits summed on the device and reduced exactly (global sums
// over the global count), one host read at the end.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "harness/train/train_step.h"

namespace lb {

class Communicator;

struct EvalResult {
  double loss = NAN, top1 = NAN, top5 = NAN, time_s = 0;
  std::int64_t samples = 0;
};

struct EvalSetup {
  VisionTransformer& model;
  BatchLoader& loader;  // its own loader: a mid-epoch pass leaves the training loader's batches alone
  const std::vector<std::int64_t>& val_indices;  // the validation split's dataset indices
  Communicator& comm;
  torch::Device device;
  Precision precision;
  PreprocessSpec spec;
  int batch_size;
};

// Collective: every rank calls it.
EvalResult validate(const EvalSetup& e);

}  // namespace lb
