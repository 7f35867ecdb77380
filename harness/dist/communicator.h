// The MPI world of a run. MPI is initialised only when a launcher started us (mpirun, srun):
// a laptop run is a world of one and never touches MPI beyond MPI_Get_library_version.
// Waits poll (MPI_Test*) instead of blocking, so that rank 0 can notice a failure reported by
// another rank while it waits, record it and flush before the job is aborted.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace lb {

class Communicator {
 public:
  // Initialises MPI when the environment shows a launcher; otherwise a world of one. Only the
  // main thread calls MPI (gradients travel through c10d), so MPI_THREAD_FUNNELED is the level
  // required; a library that offers less is an error.
  Communicator(int* argc, char*** argv);
  ~Communicator();  // MPI_Finalize when initialised here
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  bool distributed() const { return world_size_ > 1 || initialised_; }
  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  int local_rank() const { return local_rank_; }
  int local_size() const { return local_size_; }
  int nodes() const { return nodes_; }
  int thread_level() const { return thread_level_; }
  // "MPI_THREAD_MULTIPLE", ...; empty without MPI.
  std::string thread_level_name() const;

  // Sums (or maxima) in place across ranks (blocking, polled: on rank 0 a failure report from
  // another rank turns into a RemoteFailure exception so the caller can record it before aborting).
  void allreduce_sum(double* values, int count);
  void allreduce_max(double* values, int count);
  // Rank 0 receives every rank's value; other ranks get an empty vector.
  std::vector<double> gather(double value);
  std::vector<std::string> gather_text(const std::string& text);
  void broadcast(void* data, long bytes, int root = 0);
  void barrier();

  // A non-zero rank reports its error to rank 0 (best effort), waits briefly for rank 0 to abort
  // the job, then aborts it itself. Rank 0 calls abort() directly after flushing.
  [[noreturn]] void fail(const std::string& message, int exit_code);
  [[noreturn]] void abort(int exit_code);

  // Rank 0: throws RemoteFailure when another rank has reported an error (cheap; call while
  // waiting). Other ranks: nothing.
  void check_failure_reports();

  // "Open MPI v4.1.4, ..." (the first line of MPI_Get_library_version); empty in builds without MPI.
  static std::string library_version();

 private:
  struct Requests;
  void wait_all(Requests& requests);

  bool initialised_ = false;
  int rank_ = 0, world_size_ = 1, local_rank_ = 0, local_size_ = 1, nodes_ = 1;
  int thread_level_ = 0;
};

// Another rank failed; thrown on rank 0 from a wait. The message names the rank already.
struct RemoteFailure : std::runtime_error {
  RemoteFailure(int rank, const std::string& message) : std::runtime_error(message), rank(rank) {}
  int rank;
};

// True when a launcher's variables are present (Open MPI, PMIx, PMI/MPICH/Cray, Slurm's srun).
bool launched_by_mpi_launcher();

}  // namespace lb
