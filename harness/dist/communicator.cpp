#include "harness/dist/communicator.h"

#include <netdb.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

#include "common/errors.h"
#include "harness/dist/tcp_store.h"

namespace lb {
namespace {

// A laptop run: every exchange is the identity.
class LocalCommunicator : public Communicator {
 public:
  explicit LocalCommunicator(Launcher launcher) : launcher_(launcher) {}
  Launcher launcher() const override { return launcher_; }
  void allreduce_sum(double*, int) override {}
  void allreduce_max(double*, int) override {}
  std::vector<double> gather(const std::vector<double>& values) override { return values; }
  std::vector<std::string> gather_text(const std::string& text) override { return {text}; }
  void broadcast(void*, long, int) override {}
  c10::intrusive_ptr<c10d::Store> make_store(const std::string& purpose, std::chrono::milliseconds) override {
    throw std::logic_error("a world of one has no process group (" + purpose + ")");
  }
  void fail(const std::string& message, int exit_code) override {
    std::cerr << "harness: error: " << message << std::endl;
    std::exit(exit_code);
  }
  void abort(int exit_code) override { std::exit(exit_code); }
  void check_failure_reports() override {}

 private:
  Launcher launcher_;
};

bool resolves(const char* host) {
  addrinfo* info = nullptr;
  const bool ok = getaddrinfo(host, nullptr, nullptr, &info) == 0;
  if (info) freeaddrinfo(info);
  return ok;
}

}  // namespace

std::optional<std::string> remote_cause(Communicator& comm, int looks) {
  for (int look = 0; look < looks; ++look) {
    try {
      comm.check_failure_reports();
    } catch (const RemoteFailure& f) {
      return std::string(f.what());
    } catch (const std::exception&) {
      return std::nullopt;  // the store (or MPI) went too: nothing more to learn
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

namespace detail {

std::unique_ptr<Communicator> make_local_communicator(Launcher launcher) {
  return std::make_unique<LocalCommunicator>(launcher);
}

c10::intrusive_ptr<c10d::Store> serve_store(Communicator& comm, std::chrono::milliseconds timeout) {
  // MASTER_ADDR, as in PyTorch, overrides the host name clients connect to.
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
  c10::intrusive_ptr<c10d::TCPStore> store;
  std::int64_t port = 0;
  if (comm.rank() == 0) {
    // Port 0: any free port.
    store = c10::make_intrusive<c10d::TCPStore>(host, tcp_store_options(0, true, comm.world_size(), timeout));
    port = store->getPort();
  }
  comm.broadcast(host, sizeof host, 0);
  comm.broadcast(&port, sizeof port, 0);
  if (comm.rank() != 0)
    store = c10::make_intrusive<c10d::TCPStore>(host, tcp_store_options(int(port), false, comm.world_size(), timeout));
  return store;
}

}  // namespace detail

std::unique_ptr<Communicator> make_communicator(const LaunchOptions& options, int* argc, char*** argv) {
  const auto env = process_env();
  switch (resolve_launcher(options.launcher, built_with_mpi(), env)) {
    case Launcher::mpi:
      return detail::make_mpi_communicator(argc, argv);
    case Launcher::env: {
      const auto world = read_env_world(env);
      if (!world)
        throw UsageError("--launcher env: neither torchrun's RANK/WORLD_SIZE nor an srun step's SLURM_PROCID/"
                         "SLURM_STEP_ID are set");
      if (world->world_size == 1) return detail::make_local_communicator(Launcher::env);
      return detail::make_store_communicator(*world, options.timeout);
    }
    case Launcher::none:
    case Launcher::automatic:
      break;
  }
  if (!built_with_mpi() && options.launcher == Launcher::automatic && launched_by_mpi_launcher(env))
    throw UsageError("started by an MPI launcher, but this harness was built without MPI (LB_WITH_MPI=OFF): start "
                     "it with srun or torchrun and --launcher env");
  return detail::make_local_communicator(Launcher::none);
}

}  // namespace lb
