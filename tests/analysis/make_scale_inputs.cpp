// Writes the inputs of analyze's scale benchmark (bench/analyze_scale.sh):
//   make_scale_inputs OUT_DIR FILES STEPS CSV_ROWS
// FILES results files of one run of STEPS steps each (OUT_DIR/results/run-NNNN.h5: laptops at 1
// and 8 threads, half of them on subsets, and LUMI at 1, 2 and 4 nodes, 4 epochs, 5% step-time
// noise) and a W&B export of CSV_ROWS runs (OUT_DIR/wandb.csv) as W&B writes them: no split sizes,
// so every run is a configuration of its own (the costliest case for analyze), 1 to 16 nodes, 6,
// 10 or 15 epochs, a tenth crashed or failed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "support/results_writer.h"
#include "support/run_builder.h"

using namespace lb::testing;
namespace fs = std::filesystem;

namespace {

void write_csv(const std::string& path, long rows) {
  std::ofstream out(path);
  out << "Name,State,Notes,User,Tags,Created,Runtime,epochs,batch_size_per_gpu,effective_batch_size,total_gpus,nodes,"
         "learning_rate,architecture,device_type,val_accuracy\n";
  std::mt19937 rng(1);
  const int nodes_choice[] = {1, 2, 4, 8, 16};
  const int epochs_choice[] = {6, 10, 15};
  const int batch_choice[] = {16, 32, 64};
  const double lr_choice[] = {0.001, 0.002, 0.003};
  std::uniform_real_distribution<double> jitter(0.9, 1.1), accuracy(0.5, 0.99);
  for (long i = 0; i < rows; ++i) {
    const int nodes = nodes_choice[rng() % 5], epochs = epochs_choice[rng() % 3], batch = batch_choice[rng() % 3];
    const double lr = lr_choice[rng() % 3];
    const double runtime = 1000.0 * epochs / 10 / std::pow(nodes, 0.8) * jitter(rng);
    const unsigned state = rng() % 10;
    const char* status = state == 8 ? "crashed" : state == 9 ? "failed" : "finished";
    char line[256];
    std::snprintf(line, sizeof line, "run-%ld,%s,,u,t,2025-03-01T10:00:00,%.1f,%d,%d,%d,%d,%d,%g,ViT-B/16,rocm,%.4f\n", i,
                  status, runtime, epochs, batch, batch * nodes * 8, nodes * 8, nodes, lr, accuracy(rng));
    out << line;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: make_scale_inputs OUT_DIR FILES STEPS CSV_ROWS\n");
    return 2;
  }
  const fs::path out = argv[1];
  const int files = std::atoi(argv[2]), steps = std::atoi(argv[3]);
  const long rows = std::atol(argv[4]);
  if (files < 0 || steps < 8 || rows < 0) {
    std::fprintf(stderr, "make_scale_inputs: expected FILES >= 0, STEPS >= 8, CSV_ROWS >= 0\n");
    return 2;
  }
  fs::create_directories(out / "results");
  for (int i = 0; i < files; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "run-%04d.h5", i);
    write_results_file((out / "results" / name).string(), {build_run(campaign_run_shape(i, steps))});
  }
  write_csv((out / "wandb.csv").string(), rows);
  return 0;
}
