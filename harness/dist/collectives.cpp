#include "harness/dist/collectives.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/DeviceGuard.h>
#include <c10/core/Event.h>
#include <c10/core/impl/VirtualGuardImpl.h>
#include <torch/csrc/distributed/c10d/Store.hpp>
#include <torch/torch.h>

#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "harness/dist/communicator.h"

// Gloo's process group needs Gloo's own headers, which PyTorch's wheels (and so LUMI's containers)
// do not ship; Debian's LibTorch has them (libgloo-dev).
#if defined(USE_C10D_GLOO) && __has_include(<gloo/algorithm.h>)
#define LB_HAVE_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#if defined(USE_C10D_NCCL)
#define LB_HAVE_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace lb {
namespace {

c10::Stream current_stream(const torch::Device& device) {
  return c10::impl::VirtualGuardImpl(device.type()).getStream(device);
}

#if defined(LB_HAVE_GLOO) || defined(LB_HAVE_NCCL)
class PendingWork : public PendingCollective {
 public:
  explicit PendingWork(c10::intrusive_ptr<c10d::Work> work) : work_(std::move(work)) {}
  bool done() override { return work_->isCompleted(); }
  void wait() override { work_->wait(); }

 private:
  c10::intrusive_ptr<c10d::Work> work_;
};

// Any c10d process group class: Gloo and NCCL share this part of their interface.
template <class Group>
class GroupCollectives : public Collectives {
 public:
  GroupCollectives(c10::intrusive_ptr<Group> group, CommBackend backend, std::string library)
      : group_(std::move(group)), backend_(backend), library_(std::move(library)) {}
  CommBackend backend() const override { return backend_; }
  std::string library() const override { return library_; }
  std::unique_ptr<PendingCollective> allreduce_sum(torch::Tensor& tensor) override {
    std::vector<at::Tensor> tensors{tensor};
    return std::make_unique<PendingWork>(group_->allreduce(tensors));
  }
  void broadcast(torch::Tensor& tensor, int root) override {
    std::vector<at::Tensor> tensors{tensor};
    c10d::BroadcastOptions o;
    o.rootRank = root;
    group_->broadcast(tensors, o)->wait();
  }

 private:
  c10::intrusive_ptr<Group> group_;
  CommBackend backend_;
  std::string library_;
};
#endif

// One thread that runs the store backend's exchanges in submission order: every rank submits the
// same exchanges in the same order (buckets in index order), so their keys agree.
class SerialWorker {
 public:
  SerialWorker() : thread_([this] { loop(); }) {}
  ~SerialWorker() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }
  std::future<void> submit(std::function<void()> job) {
    std::packaged_task<void()> task(std::move(job));
    auto f = task.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(task));
    }
    cv_.notify_all();
    return f;
  }

 private:
  void loop() {
    while (true) {
      std::packaged_task<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::packaged_task<void()>> queue_;
  bool stop_ = false;
  std::thread thread_;
};

// The store backend's allreduce in flight: the sum runs on the worker; on a GPU, `ready` orders the
// copy to the host after the gradients' producers, and `copied` orders the consumers after the copy
// back, as NCCL's stream and events do.
class StorePending : public PendingCollective {
 public:
  StorePending(std::future<void> f, std::shared_ptr<c10::Event> copied, torch::Device device)
      : future_(std::move(f)), copied_(std::move(copied)), device_(device) {}
  bool done() override { return future_.wait_for(std::chrono::seconds(0)) == std::future_status::ready; }
  void wait() override {
    future_.get();
    if (copied_) copied_->block(current_stream(device_));
  }

 private:
  std::future<void> future_;
  std::shared_ptr<c10::Event> copied_;
  torch::Device device_;
};

class StoreCollectives : public Collectives {
 public:
  StoreCollectives(c10::intrusive_ptr<c10d::Store> store, int rank, int world, std::chrono::milliseconds timeout)
      : store_(std::move(store)), rank_(rank), world_(world), timeout_(timeout) {}
  CommBackend backend() const override { return CommBackend::store; }
  std::string library() const override { return "c10d store"; }

  std::unique_ptr<PendingCollective> allreduce_sum(torch::Tensor& tensor) override {
    const auto seq = ++sequence_;
    const auto device = tensor.device();
    std::shared_ptr<c10::Event> ready, copied;
    if (!device.is_cpu()) {
      ready = std::make_shared<c10::Event>(device.type());
      ready->record(current_stream(device));
      copied = std::make_shared<c10::Event>(device.type());
    }
    auto f = worker_.submit([this, seq, tensor, ready, copied, device]() mutable {
      c10::DeviceGuard guard(device);
      if (ready) {  // the gradients are complete on the device
        while (!ready->query()) std::this_thread::sleep_for(std::chrono::microseconds(20));
      }
      auto host = tensor.to(torch::kCPU).contiguous();
      auto sum = exchange_sum(seq, host);
      tensor.copy_(sum);
      if (copied) copied->record(current_stream(device));
    });
    return std::make_unique<StorePending>(std::move(f), copied, device);
  }

  void broadcast(torch::Tensor& tensor, int root) override {
    const std::string key = "bc/" + std::to_string(++sequence_);
    if (rank_ == root) {
      auto host = tensor.to(torch::kCPU).contiguous();
      const auto* p = static_cast<const uint8_t*>(host.data_ptr());
      store_->set(key, std::vector<uint8_t>(p, p + host.nbytes()));
    } else {
      wait_for({key});
      const auto bytes = store_->get(key);
      auto host = torch::empty(tensor.sizes(), tensor.options().device(torch::kCPU));
      if (bytes.size() != host.nbytes()) throw std::runtime_error("store broadcast: size mismatch");
      std::memcpy(host.data_ptr(), bytes.data(), bytes.size());
      tensor.copy_(host);
    }
    if (store_->add(key + "/n", 1) == world_) {
      store_->deleteKey(key);
      store_->deleteKey(key + "/n");
    }
  }

 private:
  void wait_for(const std::vector<std::string>& keys) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int spins = 0; !store_->check(keys); ++spins) {
      if (std::chrono::steady_clock::now() - t0 > timeout_)
        throw std::runtime_error("--comm store: waited " + std::to_string(timeout_.count() / 1000) +
                                 " s for another rank's gradients (--comm-timeout)");
      if (spins > 200) std::this_thread::sleep_for(std::chrono::microseconds(100));
    }
  }

  // Every rank reads every rank's values and adds them in rank order: bitwise the same sum on all.
  torch::Tensor exchange_sum(std::int64_t seq, const torch::Tensor& mine) {
    const std::string base = "ar/" + std::to_string(seq) + "/";
    const auto* p = static_cast<const uint8_t*>(mine.data_ptr());
    store_->set(base + std::to_string(rank_), std::vector<uint8_t>(p, p + mine.nbytes()));
    std::vector<std::string> keys;
    for (int r = 0; r < world_; ++r) keys.push_back(base + std::to_string(r));
    wait_for(keys);
    torch::Tensor sum;
    for (int r = 0; r < world_; ++r) {
      torch::Tensor part;
      if (r == rank_) {
        part = mine;
      } else {
        const auto bytes = store_->get(keys[size_t(r)]);
        if (bytes.size() != mine.nbytes()) throw std::runtime_error("--comm store: a rank sent a bucket of another size");
        part = torch::empty_like(mine);
        std::memcpy(part.data_ptr(), bytes.data(), bytes.size());
      }
      sum = r == 0 ? part.clone() : sum.add_(part);
    }
    if (store_->add(base + "n", 1) == world_) {
      for (const auto& k : keys) store_->deleteKey(k);
      store_->deleteKey(base + "n");
    }
    return sum;
  }

  c10::intrusive_ptr<c10d::Store> store_;
  int rank_, world_;
  std::chrono::milliseconds timeout_;
  std::int64_t sequence_ = 0;
  SerialWorker worker_;
};

}  // namespace

const char* to_string(CommBackend backend) {
  switch (backend) {
    case CommBackend::gloo: return "gloo";
    case CommBackend::nccl: return "nccl";
    case CommBackend::store: return "store";
  }
  return "?";
}

bool collectives_available(CommBackend backend) {
  switch (backend) {
    case CommBackend::store: return true;
#if defined(LB_HAVE_GLOO)
    case CommBackend::gloo: return true;
#endif
#if defined(LB_HAVE_NCCL)
    case CommBackend::nccl: return true;
#endif
    default: return false;
  }
}

std::unique_ptr<Collectives> make_collectives(Communicator& comm, CommBackend backend,
                                              std::chrono::milliseconds timeout) {
  if (!collectives_available(backend)) {
    if (backend == CommBackend::gloo)
      throw std::runtime_error("--comm gloo: this LibTorch has no Gloo headers to build its process group with "
                               "(PyTorch's wheels ship none); use --comm nccl on GPUs or --comm store");
    throw std::runtime_error(std::string("--comm ") + to_string(backend) + ": this LibTorch was built without it");
  }
  auto store = comm.make_store(to_string(backend), timeout);
  switch (backend) {
    case CommBackend::store:
      return std::make_unique<StoreCollectives>(store, comm.rank(), comm.world_size(), timeout);
#if defined(LB_HAVE_GLOO)
    case CommBackend::gloo: {
      auto o = c10d::ProcessGroupGloo::Options::create(timeout);
      // GLOO_SOCKET_IFNAME picks the network, as in PyTorch (on LUMI: hsn0, the Slingshot NICs).
      if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) {
        o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      } else {
        o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      o->threads = 2;
      auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, comm.rank(), comm.world_size(), o);
      return std::make_unique<GroupCollectives<c10d::ProcessGroupGloo>>(group, backend, "Gloo");
    }
#endif
#if defined(LB_HAVE_NCCL)
    case CommBackend::nccl: {
      auto o = c10d::ProcessGroupNCCL::Options::create();
      o->timeout = timeout;
      auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, comm.rank(), comm.world_size(), o);
      // ROCm builds of LibTorch run RCCL behind the same c10d class; LibTorch says which at run time.
      const bool rocm = at::detail::getCUDAHooks().hasROCM();
      return std::make_unique<GroupCollectives<c10d::ProcessGroupNCCL>>(
          group, backend, std::string(rocm ? "RCCL " : "NCCL ") + c10d::getNcclVersion());
    }
#endif
    default:
      break;
  }
  throw std::logic_error("unreachable backend");
}

}  // namespace lb
