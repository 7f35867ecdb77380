#include "dist/grad_sync.h"

#include <cstdlib>

#include "util/clock.h"

namespace lb {
namespace {

// GPU-aware MPI is the default where the environment says it is enabled (Cray MPICH on LUMI:
// MPICH_GPU_SUPPORT_ENABLED=1; Open MPI built with CUDA/ROCm support is not detected here).
bool gpu_aware_mpi_enabled() {
  const char* v = std::getenv("MPICH_GPU_SUPPORT_ENABLED");
  return v && std::string(v) == "1";
}

void device_synchronize(const torch::Device& device) {
  if (device.is_cuda()) torch::cuda::synchronize(device.index());
}

}  // namespace

GradientSynchronizer::GradientSynchronizer(Communicator& comm, std::vector<torch::Tensor> params, double bucket_bytes,
                                           const std::string& comm_path)
    : comm_(comm), params_(std::move(params)) {
  const bool on_gpu = !params_.empty() && params_.front().device().is_cuda();
  if (comm_.world_size() == 1) {
    path_ = "none";
  } else if (!on_gpu) {
    path_ = "host";
  } else {
    const bool gpu_aware = comm_path == "gpu-aware" || (comm_path == "auto" && gpu_aware_mpi_enabled());
    path_ = gpu_aware ? "gpu-aware" : "host-staged";
    staged_ = !gpu_aware;
  }
  if (comm_.world_size() == 1) return;

  bucket_of_.assign(params_.size(), -1);
  slot_of_.assign(params_.size(), -1);
  Bucket current;
  double bytes = 0;
  auto close = [&] {
    if (current.params.empty()) return;
    long numel = 0;
    for (int p : current.params) {
      current.offsets.push_back(numel);
      numel += params_[p].numel();
    }
    current.flat = torch::zeros({numel}, params_[current.params.front()].options());
    if (staged_) current.host = torch::zeros({numel}, torch::TensorOptions().dtype(current.flat.dtype()).pinned_memory(true));
    for (size_t i = 0; i < current.params.size(); ++i) {
      bucket_of_[current.params[i]] = int(buckets_.size());
      slot_of_[current.params[i]] = int(i);
    }
    buckets_.push_back(std::move(current));
    current = Bucket();
    bytes = 0;
  };
  for (int p = int(params_.size()) - 1; p >= 0; --p) {
    if (!params_[p].requires_grad()) continue;
    current.params.push_back(p);
    bytes += double(params_[p].numel()) * double(params_[p].element_size());
    if (bytes >= bucket_bytes) close();
  }
  close();

  for (size_t p = 0; p < params_.size(); ++p) {
    if (bucket_of_[p] < 0) continue;
    params_[p].register_hook([this, p](torch::Tensor grad) {
      on_grad(int(p), grad);
      return grad;
    });
  }
}

void GradientSynchronizer::begin_step() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& b : buckets_) {
    b.pending = int(b.params.size());
    b.launched = false;
  }
  arrived_.assign(params_.size(), 0);
}

void GradientSynchronizer::on_grad(int param, const torch::Tensor& grad) {
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = buckets_[bucket_of_[param]];
  const int slot = slot_of_[param];
  arrived_[param] = 1;
  b.flat.narrow(0, b.offsets[slot], grad.numel()).copy_(grad.reshape({-1}));
  if (--b.pending == 0) launch(b);
  comm_.poke(requests_);  // Open MPI progresses non-blocking collectives only inside MPI calls
}

void GradientSynchronizer::launch(Bucket& b) {
  device_synchronize(b.flat.device());  // the copies above are asynchronous on a GPU stream
  torch::Tensor& buffer = staged_ ? b.host : b.flat;
  if (staged_) buffer.copy_(b.flat);
  requests_.emplace_back();
  MPI_Iallreduce(MPI_IN_PLACE, buffer.data_ptr(), int(buffer.numel()), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD,
                 &requests_.back());
  b.launched = true;
}

double GradientSynchronizer::finish() {
  if (comm_.world_size() == 1) return 0.0;
  const double t0 = now_s();
  {
    std::lock_guard<std::mutex> lock(mu_);
    // A parameter that took no part in this step's graph never fires its hook: send zeros for it.
    for (auto& b : buckets_) {
      if (b.launched) continue;
      for (size_t i = 0; i < b.params.size(); ++i)
        if (!arrived_[b.params[i]]) b.flat.narrow(0, b.offsets[i], params_[b.params[i]].numel()).zero_();
      launch(b);
    }
  }
  comm_.wait_all(requests_);
  const double scale = 1.0 / comm_.world_size();
  torch::NoGradGuard no_grad;
  for (auto& b : buckets_) {
    if (staged_) b.flat.copy_(b.host);
    b.flat.mul_(scale);
    for (size_t i = 0; i < b.params.size(); ++i) {
      auto& p = params_[b.params[i]];
      auto avg = b.flat.narrow(0, b.offsets[i], p.numel()).view(p.sizes());
      if (p.grad().defined()) p.mutable_grad().copy_(avg);
      else p.mutable_grad() = avg.clone();
    }
  }
  device_synchronize(params_.front().device());
  return now_s() - t0;
}

void broadcast_parameters(Communicator& comm, const std::vector<torch::Tensor>& params) {
  if (comm.world_size() == 1) return;
  torch::NoGradGuard no_grad;
  for (auto p : params) {
    auto host = p.detach().to(torch::kCPU).contiguous();
    comm.broadcast(host.data_ptr(), long(host.numel() * host.element_size()));
    p.copy_(host);
  }
}

}  // namespace lb
