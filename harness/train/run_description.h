// The attributes that describe a run before its first step: every setting as used, the model, the
// data and its split, the world, the libraries and the machine (docs/hdf5-schema.md).
#pragma once

#include <string>

#include "harness/train/settings.h"
#include "common/results_schema.h"
#include "harness/data/dataset.h"
#include "harness/data/split.h"
#include "harness/model/vit_config.h"

namespace lb {

class Communicator;

struct RunFacts {
  const Settings& settings;
  const VitConfig& config;
  const Dataset& dataset;
  const Split& split;
  const Communicator& comm;
  bool on_gpu = false;  // the rest: set by the trainer
  int device_index = 0;
  std::string optimizer_impl;
  std::string comm_backend;  // "none", "gloo", "nccl"
  std::string comm_library;
  int repeat_index = 0;
  std::string repeat_group;
};

schema::RunAttributes describe_run(const RunFacts& facts);

}  // namespace lb
