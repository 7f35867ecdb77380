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
                                           std::vector<torch::Tensor> params, BucketPlan plan)
    : comm_(comm), collectives_(collectives), params_(std::move(params)), plan_(plan) {
  if (!collectives_ || comm_.world_size() == 1) return;
  std::vector<int> order;
  for (int p = int(params_.size()) - 1; p >= 0; --p)
    if (params_[size_t(p)].requires_grad()) order.push_back(p);
  build(order);
  for (size_t p = 0; p < params_.size(); ++p) {
    if (bucket_of_[p] < 0) continue;
    auto acc = torch::autograd::impl::grad_accumulator(params_[p]);
    acc->add_post_hook(std::make_unique<torch::autograd::utils::LambdaPostHook>(
        [this, p](const torch::autograd::variable_list& outputs, const torch::autograd::variable_list&) {
          on_accumulated(int(p));
          return outputs;
        }));
    // A std::shared_ptr to the Node in LibTorch 1.13 and 2.6, a c10::intrusive_ptr in 2.14: either
    // is kept in a type-erased holder.
    accumulators_.push_back(std::make_shared<decltype(acc)>(std::move(acc)));
  }
}

GradientSynchronizer::~GradientSynchronizer() = default;

void GradientSynchronizer::build(const std::vector<int>& order) {
  buckets_.clear();
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
  for (int p : order) {
    const auto& param = params_[size_t(p)];
    // A bucket holds one dtype on one device (the model's parameters are all alike).
    if (!current.params.empty() && param.options().dtype() != params_[size_t(current.params.front())].options().dtype())
      close();
    current.params.push_back(p);
    bytes += double(param.numel()) * double(param.element_size());
    if (bytes >= (buckets_.empty() ? plan_.first_bucket_bytes : plan_.bucket_bytes)) close();
  }
  close();
}

void GradientSynchronizer::begin_step() {
  std::lock_guard<std::mutex> lock(mu_);
  if (buckets_.empty()) return;
  ++steps_begun_;
  recording_ = steps_begun_ == 1;
  if (steps_begun_ == 2 && plan_.rebuild) {
    // Rank 0's observed order on every rank: the buckets (and so the collectives) must match.
    std::vector<std::int32_t> order(observed_.begin(), observed_.end());
    std::int32_t n = std::int32_t(order.size());
    comm_.broadcast(&n, sizeof n, 0);
    order.resize(size_t(n));
    comm_.broadcast(order.data(), long(sizeof(std::int32_t)) * n, 0);
    std::vector<int> rebuilt(order.begin(), order.end());
    // Parameters whose gradient never arrived (outside the graph) go last, in the old order.
    std::vector<char> seen(params_.size(), 0);
    for (int p : rebuilt) seen[size_t(p)] = 1;
    for (const auto& b : buckets_)
      for (int p : b.params)
        if (!seen[size_t(p)]) rebuilt.push_back(p);
    build(rebuilt);
  }
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
  if (recording_) observed_.push_back(param);
  Bucket& b = buckets_[size_t(bucket_of_[size_t(param)])];
  if (--b.pending == 0) {
    b.ready = true;
    if (plan_.overlap) launch_ready();
  }
}

void GradientSynchronizer::launch_ready() {
  // Launch order is bucket order on every rank, so a bucket that completes early waits for its
  // predecessors.
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
    recording_ = false;
    // Parameters outside this step's graph never fire their hook; their (zero) gradients go too.
    for (auto& b : buckets_) b.ready = true;
    launch_ready();
  }
  // NCCL's wait only orders the compute stream after the allreduce; polling its completion would
  // make the host wait for the device. The others complete on the host: poll, so that rank 0
  // notices another rank's failure report instead of hanging.
  const bool host_completes = collectives_->backend() != CommBackend::nccl;
  for (auto& b : buckets_) {
    if (host_completes) {
      for (int spins = 0; !b.work->done(); ++spins) {
        if (spins % 64 == 0) comm_.check_failure_reports();
        if (spins > 1000) std::this_thread::sleep_for(std::chrono::microseconds(50));
      }
    }
    b.work->wait();
  }
}

std::vector<std::vector<int>> GradientSynchronizer::buckets() const {
  std::vector<std::vector<int>> out;
  for (const auto& b : buckets_) out.push_back(b.params);
  return out;
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
