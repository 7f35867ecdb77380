#include "harness/dist/grad_sync.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/utils/lambda_post_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

#include <chrono>
#include <thread>

#include "harness/dist/communicator.h"

namespace lb {

GradientSynchronizer::GradientSynchronizer(Communicator& comm, Collectives* collectives,
                                           std::vector<torch::Tensor> params, double bucket_bytes)
    : comm_(comm), collectives_(collectives), params_(std::move(params)) {
  if (!collectives_ || comm_.world_size() == 1) return;
  bucket_of_.assign(params_.size(), -1);
  Bucket current;
  double bytes = 0;
  auto close = [&] {
    if (current.params.empty()) return;
    std::int64_t numel = 0;
    for (int p : current.params) numel += params_[size_t(p)].numel();
    const auto& first = params_[size_t(current.params.front())];
    current.flat = torch::zeros({numel}, first.options().requires_grad(false));
    std::int64_t offset = 0;
    for (int p : current.params) {
      auto& param = params_[size_t(p)];
      bucket_of_[size_t(p)] = int(buckets_.size());
      // The gradient is a view of the bucket; autograd accumulates into it in place.
      param.mutable_grad() = current.flat.narrow(0, offset, param.numel()).view(param.sizes());
      offset += param.numel();
    }
    buckets_.push_back(std::move(current));
    current = Bucket();
    bytes = 0;
  };
  for (int p = int(params_.size()) - 1; p >= 0; --p) {
    const auto& param = params_[size_t(p)];
    if (!param.requires_grad()) continue;
    // A bucket holds one dtype on one device (the model's parameters are all alike).
    if (!current.params.empty() && param.options().dtype() != params_[size_t(current.params.front())].options().dtype())
      close();
    current.params.push_back(p);
    bytes += double(param.numel()) * double(param.element_size());
    if (bytes >= bucket_bytes) close();
  }
  close();

  for (size_t p = 0; p < params_.size(); ++p) {
    if (bucket_of_[p] < 0) continue;
    auto acc = torch::autograd::impl::grad_accumulator(params_[p]);
    acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [this, p](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
          on_accumulated(int(p));
          return outputs;
        }));
    accumulators_.push_back(std::move(acc));
  }
}

GradientSynchronizer::~GradientSynchronizer() = default;

void GradientSynchronizer::begin_step() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& b : buckets_) {
    b.flat.zero_();
    b.pending = int(b.params.size());
    b.ready = false;
    b.work.reset();
  }
  next_launch_ = 0;
}

void GradientSynchronizer::on_accumulated(int param) {
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = buckets_[size_t(bucket_of_[size_t(param)])];
  if (--b.pending == 0) {
    b.ready = true;
    launch_ready();
  }
}

void GradientSynchronizer::launch_ready() {
  // Launch order is bucket order on every rank (collectives must match across ranks), so a bucket
  // that completes early waits for its predecessors.
  while (next_launch_ < buckets_.size() && buckets_[next_launch_].ready) {
    Bucket& b = buckets_[next_launch_++];
    b.flat.div_(double(comm_.world_size()));  // average = sum of (g / N), as DDP's default hook
    b.work = collectives_->allreduce_sum(b.flat);
  }
}

void GradientSynchronizer::finish() {
  if (buckets_.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    // Parameters outside this step's graph never fire their hook; their (zero) gradients go too.
    for (auto& b : buckets_) b.ready = true;
    launch_ready();
  }
  const bool on_cpu = buckets_.front().flat.is_cpu();
  for (auto& b : buckets_) {
    if (on_cpu) {
      // Poll, so that rank 0 notices another rank's failure report instead of hanging.
      for (int spins = 0; !b.work->done(); ++spins) {
        if (spins % 64 == 0) comm_.check_failure_reports();
        if (spins > 1000) std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    b.work->wait();
  }
}

void broadcast_parameters(Collectives* collectives, const std::vector<torch::Tensor>& params) {
  if (!collectives) return;
  torch::NoGradGuard no_grad;
  for (auto p : params) {
    auto t = p.detach();
    collectives->broadcast(t, 0);
  }
}

}  // namespace lb
