// Train/validation split, subsets and per-epoch sampling, with PyTorch's semantics and random
// streams (torch.randperm on a CPU generator), so that a Python run with the same seed visits the
// same samples: random_split for the split, DistributedSampler for each epoch's order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lb {

struct Split {
  std::vector<std::int64_t> train, val;  // dataset indices actually used (after subsetting)
  std::int64_t full_train = 0, full_val = 0;
};

// random_split(range(n), [train, n - train], generator=Generator().manual_seed(seed)) with
// train = floor((1 - val_fraction) * n); then the subset keeps the first `--subset` training
// samples of that (random) order and the same share of validation samples (at least one).
Split make_split(std::int64_t n, double val_fraction, std::uint64_t seed, const std::string& subset);

// DistributedSampler(shuffle=True, drop_last=False).set_epoch(epoch) over positions 0..n-1:
// randperm(n) from seed + epoch, padded by repeating its head to a multiple of world_size,
// then positions rank, rank + world_size, ...
std::vector<std::int64_t> shard_positions(std::int64_t n, std::uint64_t seed, int epoch, int rank, int world_size);

// Validation: no shuffling and no padding (every sample counted once): rank, rank + world, ...
std::vector<std::int64_t> validation_positions(std::int64_t n, int rank, int world_size);

// Resolved --subset: a count of training samples, given the full training split size ("" = all,
// "2%", "800"). Throws UsageError naming --subset when malformed or larger than the split.
std::int64_t subset_train_samples(const std::string& subset, std::int64_t full_train);

// Consecutive batches of `batch` (the last one may be short).
std::vector<std::vector<std::int64_t>> make_batches(const std::vector<std::int64_t>& positions,
                                                    const std::vector<std::int64_t>& dataset_indices, int batch);

}  // namespace lb
