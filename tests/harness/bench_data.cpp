// Data-path throughput: the fused preprocessing and the loader, in images per second. Under ctest
// it runs with a tiny minimum time as a smoke test; run it by hand for figures:
//   build/cpu/tests/harness/bench_data --benchmark_min_time=2
#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <numeric>

#include "harness/data/dataset.h"
#include "harness/data/loader.h"
#include "harness/data/split.h"
#include "kernels/preprocess.h"

namespace {

// One batch of 32 guide images (3x64x64) to the 3x224x224 model input.
void BM_PreprocessGuideBatch(benchmark::State& state) {
  const int n = 32;
  const auto spec = lb::guide_preprocess_spec(64, 64, 224);
  auto src = torch::rand({n, 3, 64, 64});
  auto dst = torch::empty({n, 3, 224, 224});
  for (auto _ : state) {
    lb::preprocess_cpu(src.data_ptr<float>(), dst.data_ptr<float>(), n, spec);
    benchmark::DoNotOptimize(dst.data_ptr<float>());
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * n * 3 * (64 * 64 + 224 * 224) * sizeof(float));
}
BENCHMARK(BM_PreprocessGuideBatch)->Unit(benchmark::kMillisecond);

// Synthetic images generated, preprocessed and delivered in order by the background loader.
void BM_LoaderSynthetic(benchmark::State& state) {
  const int workers = int(state.range(0));
  auto d = lb::make_synthetic_dataset(4096, 200, 1);
  std::vector<std::int64_t> positions(512);
  std::iota(positions.begin(), positions.end(), 0);
  std::vector<std::int64_t> indices(4096);
  std::iota(indices.begin(), indices.end(), 0);
  const auto batches = lb::make_batches(positions, indices, 32);
  lb::BatchLoader loader(*d, lb::guide_preprocess_spec(64, 64, 224), {workers, 4});
  std::int64_t images = 0;
  for (auto _ : state) {
    loader.start(batches);
    while (auto b = loader.next()) images += b->images.size(0);
  }
  state.SetItemsProcessed(images);
}
BENCHMARK(BM_LoaderSynthetic)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
