#include "harness/dist/communicator.h"

#include <unistd.h>

#if defined(LB_WITH_MPI)
#include <mpi.h>
#endif

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <thread>

namespace lb {

#if defined(LB_WITH_MPI)
struct Communicator::Requests {
  std::vector<MPI_Request> list;
};

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

}  // namespace
#endif  // LB_WITH_MPI

bool launched_by_mpi_launcher() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE", "SLURM_PROCID"}) {
    if (std::getenv(v)) {
      // Under sbatch without srun, SLURM_PROCID alone is set for the batch script itself: only a
      // step started by srun has SLURM_STEP_ID as well.
      if (std::string(v) == "SLURM_PROCID" && !std::getenv("SLURM_STEP_ID")) continue;
      return true;
    }
  }
  return false;
}

#if defined(LB_WITH_MPI)
Communicator::Communicator(int* argc, char*** argv) {
  if (!launched_by_mpi_launcher()) return;
  mpi_check(MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &thread_level_), "MPI_Init_thread");
  initialised_ = true;
  if (thread_level_ < MPI_THREAD_FUNNELED) {
    const std::string offered = thread_level_name();
    MPI_Finalize();
    initialised_ = false;
    throw std::runtime_error("MPI offers only " + offered + "; the harness needs MPI_THREAD_FUNNELED");
  }
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size_);
  // Local rank: rank within the shared-memory (node) communicator. Nodes: count of local rank 0s.
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  MPI_Comm_rank(local, &local_rank_);
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);
  int leader = local_rank_ == 0 ? 1 : 0;
  MPI_Allreduce(&leader, &nodes_, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  // Slurm's virtual nodes on one host share memory: trust Slurm's node count when it is larger.
  if (const char* n = std::getenv("SLURM_NNODES")) {
    const int slurm_nodes = std::atoi(n);
    if (slurm_nodes > nodes_ && slurm_nodes <= world_size_) nodes_ = slurm_nodes;
  }
}

Communicator::~Communicator() {
  if (initialised_) MPI_Finalize();
}

void Communicator::check_failure_reports() {
  if (rank_ != 0 || world_size_ == 1) return;
  int flag = 0;
  MPI_Status status;
  MPI_Iprobe(MPI_ANY_SOURCE, kFailureTag, MPI_COMM_WORLD, &flag, &status);
  if (!flag) return;
  char msg[kFailureMessageMax] = {};
  MPI_Recv(msg, kFailureMessageMax - 1, MPI_CHAR, status.MPI_SOURCE, kFailureTag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  throw RemoteFailure(status.MPI_SOURCE, msg);
}

std::string Communicator::thread_level_name() const {
  if (!initialised_) return "";
  switch (thread_level_) {
    case MPI_THREAD_SINGLE: return "MPI_THREAD_SINGLE";
    case MPI_THREAD_FUNNELED: return "MPI_THREAD_FUNNELED";
    case MPI_THREAD_SERIALIZED: return "MPI_THREAD_SERIALIZED";
    case MPI_THREAD_MULTIPLE: return "MPI_THREAD_MULTIPLE";
    default: return "MPI thread level " + std::to_string(thread_level_);
  }
}

void Communicator::wait_all(Requests& r) {
  auto& requests = r.list;
  int done = 0;
  for (long spins = 0;; ++spins) {
    mpi_check(MPI_Testall(int(requests.size()), requests.data(), &done, MPI_STATUSES_IGNORE), "MPI_Testall");
    if (done) break;
    if (spins % 64 == 0) check_failure_reports();
    if (spins > 4096) std::this_thread::sleep_for(std::chrono::microseconds(50));  // long waits: yield the core
  }
  requests.clear();
}

void Communicator::allreduce_sum(double* values, int count) {
  if (world_size_ == 1) return;
  Requests r{std::vector<MPI_Request>(1)};
  mpi_check(MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &r.list[0]), "MPI_Iallreduce");
  wait_all(r);
}

void Communicator::allreduce_max(double* values, int count) {
  if (world_size_ == 1) return;
  Requests r{std::vector<MPI_Request>(1)};
  mpi_check(MPI_Iallreduce(MPI_IN_PLACE, values, count, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD, &r.list[0]), "MPI_Iallreduce");
  wait_all(r);
}

std::vector<double> Communicator::gather(double value) {
  if (world_size_ == 1) return {value};
  std::vector<double> all(rank_ == 0 ? world_size_ : 0);
  Requests r{std::vector<MPI_Request>(1)};
  mpi_check(MPI_Igather(&value, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD, &r.list[0]), "MPI_Igather");
  wait_all(r);
  return all;
}

std::vector<std::string> Communicator::gather_text(const std::string& text) {
  if (world_size_ == 1) return {text};
  std::vector<double> sizes = gather(double(text.size()));
  std::vector<int> counts(sizes.size()), displs(sizes.size());
  int total = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    counts[i] = int(sizes[i]);
    displs[i] = total;
    total += counts[i];
  }
  std::vector<char> all(size_t(std::max(total, 1)));
  Requests r{std::vector<MPI_Request>(1)};
  mpi_check(MPI_Igatherv(text.data(), int(text.size()), MPI_CHAR, all.data(), counts.data(), displs.data(), MPI_CHAR, 0,
                         MPI_COMM_WORLD, &r.list[0]),
            "MPI_Igatherv");
  wait_all(r);
  std::vector<std::string> out;
  for (size_t i = 0; i < counts.size(); ++i) out.emplace_back(all.data() + displs[i], size_t(counts[i]));
  return out;
}

void Communicator::broadcast(void* data, long bytes, int root) {
  if (world_size_ == 1) return;
  // Chunks below INT_MAX bytes: MPI counts are ints.
  constexpr long kChunk = 1L << 30;
  Requests r;
  for (long off = 0; off < bytes; off += kChunk) {
    r.list.emplace_back();
    mpi_check(MPI_Ibcast(static_cast<char*>(data) + off, int(std::min(kChunk, bytes - off)), MPI_BYTE, root,
                         MPI_COMM_WORLD, &r.list.back()),
              "MPI_Ibcast");
  }
  wait_all(r);
}

void Communicator::barrier() {
  if (world_size_ == 1) return;
  Requests r{std::vector<MPI_Request>(1)};
  MPI_Ibarrier(MPI_COMM_WORLD, &r.list[0]);
  wait_all(r);
}

void Communicator::fail(const std::string& message, int exit_code) {
  std::cerr << "harness: error: " << message << std::endl;
  if (!initialised_ || world_size_ == 1) std::exit(exit_code);
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

void Communicator::abort(int exit_code) {
  if (initialised_) MPI_Abort(MPI_COMM_WORLD, exit_code);
  std::exit(exit_code);
}

std::string Communicator::library_version() {
  char mpi[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int len = 0;
  MPI_Get_library_version(mpi, &len);
  std::string v(mpi, size_t(len));
  if (auto nl = v.find_first_of("\n\r"); nl != std::string::npos) v.resize(nl);
  while (!v.empty() && v.back() == '\0') v.pop_back();
  return v;
}

#else  // built without MPI (single-GPU device checks): a world of one

struct Communicator::Requests {};

Communicator::Communicator(int*, char***) {
  if (launched_by_mpi_launcher())
    throw std::runtime_error("started by an MPI launcher, but this harness was built without MPI (LB_WITH_MPI=OFF)");
}
Communicator::~Communicator() = default;
void Communicator::check_failure_reports() {}
std::string Communicator::thread_level_name() const { return ""; }
void Communicator::wait_all(Requests&) {}
void Communicator::allreduce_sum(double*, int) {}
void Communicator::allreduce_max(double*, int) {}
std::vector<double> Communicator::gather(double value) { return {value}; }
std::vector<std::string> Communicator::gather_text(const std::string& text) { return {text}; }
void Communicator::broadcast(void*, long, int) {}
void Communicator::barrier() {}
void Communicator::fail(const std::string& message, int exit_code) {
  std::cerr << "harness: error: " << message << std::endl;
  std::exit(exit_code);
}
void Communicator::abort(int exit_code) { std::exit(exit_code); }
std::string Communicator::library_version() { return ""; }

#endif  // LB_WITH_MPI

}  // namespace lb
