// How much of the gradients' allreduce the buckets hide behind backward: the same steps with each
// bucket launched as soon as it is complete (as the harness runs) and with every bucket launched
// after backward (no overlap); the time finish() waits is the exposed communication. Hidden
// fraction = 1 - exposed(overlap) / exposed(no overlap). Run on 2 ranks by bench/overlap.sh (Gloo on
// CPU); prints one JSON line from rank 0.
// Usage: ddp_overlap [--model vit_b_16] [--batch 2] [--steps 3] [--bucket-mb 25] [--backend gloo|store]
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "harness/dist/collectives.h"
#include "harness/dist/communicator.h"
#include "harness/dist/grad_sync.h"
#include "harness/model/vit.h"
#include "harness/util/clock.h"

int main(int argc, char** argv) {
  std::string model_name = "vit_b_16", backend = "gloo";
  int batch = 2, steps = 3;
  double bucket_mb = 25;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--model") model_name = v;
    else if (a == "--batch") batch = std::stoi(v);
    else if (a == "--steps") steps = std::stoi(v);
    else if (a == "--bucket-mb") bucket_mb = std::stod(v);
    else if (a == "--backend") backend = v;
    else {
      std::fprintf(stderr, "ddp_overlap: unknown option %s\n", a.c_str());
      return 2;
    }
  }
  lb::LaunchOptions launch;
  launch.launcher = lb::Launcher::env;
  auto world = lb::make_communicator(launch, &argc, &argv);
  auto& comm = *world;
  torch::set_num_threads(1);
  const auto kind = backend == "store" ? lb::CommBackend::store : lb::CommBackend::gloo;
  auto collectives = lb::make_collectives(comm, kind, std::chrono::seconds(600));
  const auto config = lb::vit_config(model_name, 200);
  torch::manual_seed(1);
  lb::VisionTransformer model(config);
  auto params = model->parameters();
  lb::broadcast_parameters(collectives.get(), params);
  auto images = torch::randn({batch, 3, config.image_size, config.image_size});
  auto labels = torch::randint(0, 200, {batch}, torch::kLong);

  double exposed[2] = {0, 0}, backward[2] = {0, 0};
  for (int mode = 0; mode < 2; ++mode) {  // 0: overlap, 1: none
    lb::BucketPlan plan;
    plan.bucket_bytes = bucket_mb * 1e6;
    plan.first_bucket_bytes = std::min(1e6, plan.bucket_bytes);
    plan.overlap = mode == 0;
    lb::GradientSynchronizer sync(comm, collectives.get(), params, plan);
    for (int s = 0; s <= steps; ++s) {  // step 0 warms up (and rebuilds the buckets)
      sync.begin_step();
      auto loss = torch::nn::functional::cross_entropy(model->forward(images), labels);
      const double t0 = lb::now_s();
      loss.backward();
      const double t1 = lb::now_s();
      sync.finish();
      const double t2 = lb::now_s();
      if (s > 0) backward[mode] += t1 - t0, exposed[mode] += t2 - t1;
    }
  }
  double v[4] = {exposed[0], exposed[1], backward[0], backward[1]};
  comm.allreduce_max(v, 4);  // the slowest rank decides the step
  if (comm.rank() == 0)
    std::printf("{\"model\": \"%s\", \"batch_per_rank\": %d, \"ranks\": %d, \"steps\": %d, \"backend\": \"%s\", "
                "\"bucket_mb\": %g, \"exposed_overlap_s\": %.6f, \"exposed_no_overlap_s\": %.6f, "
                "\"backward_s\": %.6f, \"hidden_fraction\": %.4f}\n",
                model_name.c_str(), batch, comm.world_size(), steps, collectives->library().c_str(), bucket_mb,
                v[0] / steps, v[1] / steps, v[2] / steps, 1.0 - v[0] / v[1]);
  return 0;
}
