#include "harness/data/split.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <cmath>

#include "common/errors.h"

namespace lb {
namespace {

std::vector<std::int64_t> randperm(std::int64_t n, std::uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto perm = torch::randperm(n, gen, torch::TensorOptions().dtype(torch::kLong));
  const auto* p = perm.data_ptr<std::int64_t>();
  return std::vector<std::int64_t>(p, p + n);
}

void subset_require(bool ok, const std::string& message) {
  if (!ok) throw UsageError(message);
}

}  // namespace

std::int64_t subset_train_samples(const std::string& subset, std::int64_t full_train) {
  if (subset.empty()) return full_train;
  std::int64_t n = 0;
  try {
    size_t used = 0;
    if (subset.back() == '%') {
      const double pct = std::stod(subset.substr(0, subset.size() - 1), &used);
      subset_require(used == subset.size() - 1 && pct > 0 && pct <= 100, "");
      n = std::clamp<std::int64_t>(std::llround(double(full_train) * pct / 100.0), 1, full_train);
    } else {
      const long long v = std::stoll(subset, &used);
      subset_require(used == subset.size() && v > 0, "");
      n = v;
    }
  } catch (const std::exception&) {
    throw UsageError("--subset '" + subset + "': expected a percentage of the training split (e.g. 1%) or a "
                     "positive sample count (e.g. 800)");
  }
  subset_require(n <= full_train, "--subset " + subset + ": " + std::to_string(n) + " samples is more than the training "
                           "split's " + std::to_string(full_train));
  return n;
}

Split make_split(std::int64_t n, double val_fraction, std::uint64_t seed, const std::string& subset) {
  Split s;
  s.full_train = std::int64_t(std::floor((1.0 - val_fraction) * double(n) + 1e-9));
  s.full_val = n - s.full_train;
  const auto perm = randperm(n, seed);
  const std::int64_t train = subset_train_samples(subset, s.full_train);
  std::int64_t val = s.full_val;
  if (!subset.empty()) val = std::max<std::int64_t>(1, std::llround(double(s.full_val) * train / s.full_train));
  val = std::min(val, s.full_val);
  s.train.assign(perm.begin(), perm.begin() + train);
  s.val.assign(perm.begin() + s.full_train, perm.begin() + s.full_train + val);
  return s;
}

std::vector<std::int64_t> shard_positions(std::int64_t n, std::uint64_t seed, int epoch, int rank, int world_size) {
  auto order = randperm(n, seed + std::uint64_t(epoch));
  const std::int64_t total = (n + world_size - 1) / world_size * world_size;
  for (std::int64_t i = n; i < total; ++i) order.push_back(order[(i - n) % n]);
  std::vector<std::int64_t> shard;
  for (std::int64_t i = rank; i < total; i += world_size) shard.push_back(order[i]);
  return shard;
}

std::vector<std::int64_t> validation_positions(std::int64_t n, int rank, int world_size) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = rank; i < n; i += world_size) out.push_back(i);
  return out;
}

std::vector<std::vector<std::int64_t>> make_batches(const std::vector<std::int64_t>& positions,
                                                    const std::vector<std::int64_t>& dataset_indices, int batch) {
  std::vector<std::vector<std::int64_t>> out;
  for (size_t i = 0; i < positions.size(); i += size_t(batch)) {
    std::vector<std::int64_t> b;
    for (size_t j = i; j < std::min(positions.size(), i + size_t(batch)); ++j) b.push_back(dataset_indices[positions[j]]);
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace lb
