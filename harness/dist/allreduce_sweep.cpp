#include "harness/dist/allreduce_sweep.h"

#include <torch/torch.h>

#include <algorithm>

#include "harness/dist/collectives.h"
#include "harness/util/clock.h"

namespace lb {

std::vector<schema::AllreduceSweepRecord> measure_allreduce_sweep(Collectives& collectives, int world_size,
                                                                  const torch::Device& device, std::int64_t max_bytes,
                                                                  int repeats) {
  std::vector<schema::AllreduceSweepRecord> rows;
  for (std::int64_t bytes = 4096; bytes <= max_bytes; bytes *= 4) {
    auto t = torch::zeros({bytes / 4}, torch::TensorOptions().device(device).dtype(torch::kFloat));
    std::vector<double> times;
    for (int i = 0; i <= repeats; ++i) {
      const double t0 = now_s();
      collectives.allreduce_sum(t)->wait();
      if (device.is_cuda()) torch::cuda::synchronize(device.index());  // setup, not a step
      if (i > 0) times.push_back(now_s() - t0);  // the first one warms the connection up
    }
    std::sort(times.begin(), times.end());
    schema::AllreduceSweepRecord r;
    r.bytes = bytes;
    r.seconds = times[times.size() / 2];
    r.repeats = repeats;
    r.ranks = world_size;
    rows.push_back(r);
  }
  return rows;
}

}  // namespace lb
