#include "harness/train/evaluation.h"

#include "harness/data/split.h"
#include "harness/dist/communicator.h"
#include "harness/util/clock.h"

namespace lb {

EvalResult validate(const EvalSetup& e) {
  const double t0 = now_s();
  const auto& comm = e.comm;
  auto positions = validation_positions(std::int64_t(e.val_indices.size()), comm.rank(), comm.world_size());
  e.loader.start(make_batches(positions, e.val_indices, e.batch_size));
  e.model->eval();
  // loss x n, top-1 hits, top-5 hits, n
  auto sums = torch::zeros({4}, torch::TensorOptions().dtype(torch::kDouble).device(e.device));
  {
    torch::NoGradGuard no_grad;
    while (auto batch = e.loader.next()) {
      auto b = upload(*batch, e.device, e.spec);
      torch::Tensor logits, loss;
      {
        AutocastScope autocast(e.precision, e.device);
        logits = e.model->forward(b.images);
        loss = torch::nn::functional::cross_entropy(logits, b.labels);
      }
      const auto n = double(b.labels.size(0));
      const int k = int(std::min<std::int64_t>(5, logits.size(1)));
      auto hits = std::get<1>(logits.topk(k, 1)).eq(b.labels.unsqueeze(1));
      sums += torch::stack({loss.to(torch::kDouble) * n, hits.narrow(1, 0, 1).sum().to(torch::kDouble),
                            hits.sum().to(torch::kDouble), torch::full({}, n, sums.options())});
    }
  }
  auto host = sums.to(torch::kCPU);
  double v[4];
  for (int i = 0; i < 4; ++i) v[i] = host[i].item<double>();
  e.comm.allreduce_sum(v, 4);
  EvalResult r;
  r.samples = std::int64_t(v[3]);
  if (v[3] > 0) r.loss = v[0] / v[3], r.top1 = v[1] / v[3], r.top5 = v[2] / v[3];
  r.time_s = now_s() - t0;
  return r;
}

}  // namespace lb
