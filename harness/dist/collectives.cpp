#include "harness/dist/collectives.h"

#include <stdexcept>

#include "harness/dist/communicator.h"

#if defined(LB_WITH_MPI)
#include <netdb.h>
#include <unistd.h>

#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>
#include <torch/version.h>

#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <cstring>

namespace lb {
namespace {

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
  GroupCollectives(c10::intrusive_ptr<Group> group, const char* backend, std::string library)
      : group_(std::move(group)), backend_(backend), library_(std::move(library)) {}
  const char* backend() const override { return backend_; }
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
  const char* backend_;
  std::string library_;
};

// Rank 0 serves the store on a free port; every rank learns its address over MPI.
// MASTER_ADDR, as in PyTorch, overrides the host name clients connect to.
bool resolves(const char* host) {
  addrinfo* info = nullptr;
  const bool ok = getaddrinfo(host, nullptr, nullptr, &info) == 0;
  if (info) freeaddrinfo(info);
  return ok;
}

c10::intrusive_ptr<c10d::Store> make_store(Communicator& comm, std::chrono::milliseconds timeout) {
  char host[256] = {};
  if (const char* addr = std::getenv("MASTER_ADDR")) {
    std::strncpy(host, addr, sizeof host - 1);
  } else if (comm.rank() == 0) {
    gethostname(host, sizeof host - 1);
    if (!resolves(host)) {
      // A host name without an address (containers, minimal roots): loopback serves one node.
      if (comm.nodes() > 1)
        throw std::runtime_error(std::string("the host name '") + host + "' does not resolve; set MASTER_ADDR to an "
                                 "address of rank 0's node that the other nodes can reach");
      std::strncpy(host, "127.0.0.1", sizeof host - 1);
    }
  }
  c10d::TCPStoreOptions o;
  o.timeout = timeout;
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
  // LibTorch 2.4+ defaults to the libuv server, which Debian's (and other) builds leave out; the
  // classic server is in every build and is plenty for a one-time rendezvous.
  o.useLibUV = false;
#endif
  o.numWorkers = comm.world_size();
  o.waitWorkers = false;
  c10::intrusive_ptr<c10d::TCPStore> store;
  std::int64_t port = 0;
  if (comm.rank() == 0) {
    o.isServer = true;
    o.port = 0;  // any free port
    store = c10::make_intrusive<c10d::TCPStore>(host, o);
    port = store->getPort();
  }
  comm.broadcast(host, sizeof host, 0);
  comm.broadcast(&port, sizeof port, 0);
  if (comm.rank() != 0) {
    o.isServer = false;
    o.port = std::uint16_t(port);
    store = c10::make_intrusive<c10d::TCPStore>(host, o);
  }
  return store;
}

}  // namespace

bool collectives_available(const std::string& backend) {
#ifdef USE_C10D_GLOO
  if (backend == "gloo") return true;
#endif
#ifdef USE_C10D_NCCL
  if (backend == "nccl") return true;
#endif
  return false;
}

std::unique_ptr<Collectives> make_collectives(Communicator& comm, const std::string& backend,
                                              const torch::Device& device, std::chrono::milliseconds timeout) {
  if (!collectives_available(backend))
    throw std::runtime_error("--comm " + backend + ": this LibTorch was built without c10d's " + backend + " backend");
  auto store = make_store(comm, timeout);
#ifdef USE_C10D_GLOO
  if (backend == "gloo") {
    auto o = c10d::ProcessGroupGloo::Options::create(timeout);
    // GLOO_SOCKET_IFNAME picks the network, as in PyTorch (on LUMI: hsn0, the Slingshot NICs).
    if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) {
      o->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
    } else {
      o->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
    }
    o->threads = 2;
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, comm.rank(), comm.world_size(), o);
    return std::make_unique<GroupCollectives<c10d::ProcessGroupGloo>>(group, "gloo", "Gloo");
  }
#endif
#ifdef USE_C10D_NCCL
  if (backend == "nccl") {
    auto o = c10d::ProcessGroupNCCL::Options::create();
    o->timeout = timeout;
    auto group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, comm.rank(), comm.world_size(), o);
    const auto v = c10d::getNcclVersion();
#if defined(USE_ROCM)
    const std::string library = "RCCL " + v;
#else
    const std::string library = "NCCL " + v;
#endif
    return std::make_unique<GroupCollectives<c10d::ProcessGroupNCCL>>(group, "nccl", library);
  }
#endif
  (void)device;
  throw std::runtime_error("--comm " + backend + ": unknown backend");
}

}  // namespace lb
#else  // built without MPI: a world of one has no process group

namespace lb {
bool collectives_available(const std::string&) { return false; }
std::unique_ptr<Collectives> make_collectives(Communicator&, const std::string& backend, const torch::Device&,
                                              std::chrono::milliseconds) {
  throw std::runtime_error("--comm " + backend + ": this harness was built without MPI (LB_WITH_MPI=OFF)");
}
}  // namespace lb
#endif  // LB_WITH_MPI
