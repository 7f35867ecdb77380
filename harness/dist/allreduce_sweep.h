// Allreduce time by message size, measured through the gradients' own process group at the start
// of a multi-rank run: the input of analyze's alpha-beta scaling model (docs/methodology.md).
#pragma once

#include <torch/types.h>

#include <vector>

#include "common/results_schema.h"

namespace lb {

class Collectives;

// Sizes from 4 KiB up to max_bytes (x4 each time); `repeats` timed allreduces of each after one
// warm-up, median recorded. Collective: every rank calls it with the same arguments.
std::vector<schema::AllreduceSweepRecord> measure_allreduce_sweep(Collectives& collectives, int world_size,
                                                                  const torch::Device& device, std::int64_t max_bytes,
                                                                  int repeats);

}  // namespace lb
