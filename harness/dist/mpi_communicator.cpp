// The MPI world (mpirun, or srun with a PMI the MPI library understands). Only the main thread
// calls MPI (gradients travel through c10d), so MPI_THREAD_FUNNELED is the level required.
#include "harness/dist/communicator.h"

#include "common/errors.h"

#if defined(LB_WITH_MPI)
#include <mpi.h>

#include <torch/csrc/distributed/c10d/Store.hpp>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

namespace lb {
namespace {

constexpr int kFailureTag = 7001;
constexpr int kFailureMessageMax = 2048;

void mpi_check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) {
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    throw std::runtime_error(std::string(what) + ": " + std::string(msg, len));
  }
}

class MpiCommunicator : public Communicator {
 public:
  MpiCommunicator(int* argc, char*** argv) {
    mpi_check(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &thread_level_), "MPI_Init_thread");
    if (thread_level_ < MPI_THREAD_FUNNELED) {
      const std::string offered = thread_level_name();
      MPI_Finalize();
      throw std::runtime_error("MPI offers only " + offered + "; the harness needs MPI_THREAD_FUNNELED");
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &world_size_);
    // Local rank: rank within the shared-memory (node) communicator. Nodes: count of local rank 0s.
    MPI_Comm local;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
    MPI_Comm_rank(local, &local_rank_);
    MPI_Comm_free(&local);
    int leader = local_rank_ == 0 ? 1 : 0;
    MPI_Allreduce(&leader, &nodes_, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    // Slurm's virtual nodes on one host share memory: trust Slurm's node count when it is larger.
    if (const char* n = std::getenv("SLURM_NNODES")) {
      const int slurm_nodes = std::atoi(n);
      if (slurm_nodes > nodes_ && slurm_nodes <= world_size_) nodes_ = slurm_nodes;
    }
  }
  ~MpiCommunicator() override { MPI_Finalize(); }

  Launcher launcher() const override { return Launcher::mpi; }

  std::string thread_level_name() const override {
    switch (thread_level_) {
      case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
      case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
      case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
      case MPI_THREAD_MULTIPLE: return "MPI_THREAD_MULTIPLE";
      default: return "MPI thread level " + std::to_string(thread_level_);
    }
  }

  void check_failure_reports() override {
    if (rank_ != 0 || world_size_ == 1) return;
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, kFailureTag, MPI_COMM_WORLD, &flag, &status);
    if (!flag) return;
    char msg[kFailureMessageMax] = {};
    MPI_Recv(msg, kFailureMessageMax - 1, MPI_CHAR, status.MPI_SOURCE, kFailureTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    throw RemoteFailure(status.MPI_SOURCE, msg);
  }

  void allreduce_sum(double* values, int count) override { allreduce(values, count, MPI_SUM); }
  void allreduce_max(double* values, int count) override { allreduce(values, count, MPI_MAX); }

  std::vector<double> gather(const std::vector<double>& values) override {
    if (world_size_ == 1) return values;
    const int n = int(values.size());
    std::vector<double> all(rank_ == 0 ? size_t(world_size_) * values.size() : 0);
    MPI_Request r;
    mpi_check(MPI_Igather(values.data(), n, MPI_DOUBLE, all.data(), n, MPI_DOUBLE, 0, MPI_COMM_WORLD, &r),
              "MPI_Igather");
    wait(r);
    return all;
  }

  std::vector<std::string> gather_text(const std::string& text) override {
    if (world_size_ == 1) return {text};
    std::vector<double> sizes = gather({double(text.size())});
    std::vector<int> counts(sizes.size()), displs(sizes.size());
    int total = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      counts[i] = int(sizes[i]);
      displs[i] = total;
      total += counts[i];
    }
    std::vector<char> all(size_t(std::max(total, 1)));
    MPI_Request r;
    mpi_check(MPI_Igatherv(text.data(), int(text.size()), MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR,
                           0, MPI_COMM_WORLD, &r),
              "MPI_Igatherv");
    wait(r);
    std::vector<std::string> out;
    for (size_t i = 0; i < counts.size(); ++i) out.emplace_back(all.data() + displs[i], size_t(counts[i]));
    return out;
  }

  void broadcast(void* data, long bytes, int root) override {
    if (world_size_ == 1) return;
    // Chunks below INT_MAX bytes: MPI counts are ints.
    constexpr long kChunk = 1L << 30;
    for (long off = 0; off < bytes; off += kChunk) {
      MPI_Request r;
      mpi_check(MPI_Ibcast(static_cast<char*>(data) + off, int(std::min(kChunk, bytes - off)), MPI_BYTE, root,
                           MPI_COMM_WORLD, &r),
                "MPI_Ibcast");
      wait(r);
    }
  }

  c10::intrusive_ptr<c10d::Store> make_store(const std::string&, std::chrono::milliseconds timeout) override {
    return detail::serve_store(*this, timeout);
  }

  void fail(const std::string& message, int exit_code) override {
    std::cerr << "harness: error: " << message << std::endl;
    if (world_size_ == 1) std::exit(exit_code);
    if (rank_ != 0) {
      std::string m = message.substr(0, kFailureMessageMax - 1);
      MPI_Request r;
      MPI_Isend(m.c_str(), int(m.size()) + 1, MPI_CHAR, 0, kFailureTag, MPI_COMM_WORLD, &r);
      // Give rank 0 time to record the failure and abort the job itself.
      for (int i = 0; i < 300; ++i) {  // 30 s
        int done = 0;
        MPI_Test(&r, &done, MPI_STATUS_IGNORE);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
    abort(exit_code);
  }

  void abort(int exit_code) override {
    MPI_Abort(MPI_COMM_WORLD, exit_code);
    std::exit(exit_code);
  }

 private:
  void allreduce(double* values, int count, MPI_Op op) {
    if (world_size_ == 1) return;
    MPI_Request r;
    mpi_check(MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, op, MPI_COMM_WORLD, &r), "MPI_Iallreduce");
    wait(r);
  }

  // Polls, so that rank 0 notices another rank's failure report instead of hanging.
  void wait(MPI_Request& request) {
    int done = 0;
    for (long spins = 0;; ++spins) {
      mpi_check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
      if (done) return;
      if (spins % 64 == 0) check_failure_reports();
      if (spins > 4096) std::this_thread::sleep_for(std::chrono::microseconds(50));  // long waits: yield the core
    }
  }

  int thread_level_ = 0;
};

}  // namespace

bool built_with_mpi() { return true; }

std::string mpi_library_version() {
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(mpi, &len);
  std::string v(mpi, size_t(len));
  if (auto nl = v.find_first_of("\n\r"); nl != std::string::npos) v.resize(nl);
  while (!v.empty() && v.back() == '\0') v.pop_back();
  return v;
}

namespace detail {
std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv) {
  return std::make_unique<MpiCommunicator>(argc, argv);
}
}  // namespace detail

}  // namespace lb

#else  // built without MPI (the device checks, containers without MPI): the env launcher only

namespace lb {
bool built_with_mpi() { return false; }
std::string mpi_library_version() { return ""; }
namespace detail {
std::unique_ptr<Communicator> make_mpi_communicator(int*, char***) {
  throw UsageError("--launcher mpi: this harness was built without MPI (LB_WITH_MPI=OFF); use --launcher env");
}
}  // namespace detail
}  // namespace lb

#endif  // LB_WITH_MPI
