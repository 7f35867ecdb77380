// The world of a run and its control messages: rank, size, placement, the small exchanges between
// ranks (sums of a few numbers, gathers of per-rank values, broadcasts), failure reports, and a
// c10d store for the process groups that carry the gradients (dist/collectives). Three worlds:
//  - a world of one (no launcher): every exchange is the identity;
//  - MPI (dist/mpi_communicator.cpp): mpirun or srun with a PMI the MPI library understands;
//  - env (dist/store_communicator.cpp): Slurm's or torchrun's rank variables and a c10d TCPStore
//    on the first node, no MPI at all (the route of LUMI's PyTorch containers).
// Waits poll instead of blocking, so that rank 0 notices a failure reported by another rank while
// it waits, records it and flushes before the job is aborted.
#pragma once

#include <c10/util/intrusive_ptr.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness/dist/launch.h"

namespace c10d {
class Store;
}

namespace lb {

class Communicator {
 public:
  virtual ~Communicator() = default;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int world_size() const { return world_size_; }
  int local_rank() const { return local_rank_; }
  int nodes() const { return nodes_; }
  // `none`, `mpi` or `env`.
  virtual Launcher launcher() const = 0;
  // "MPI_THREAD_MULTIPLE", ...; empty without MPI.
  virtual std::string thread_level_name() const { return ""; }

  // Sums (or maxima) in place across ranks (blocking, polled: on rank 0 a failure report from
  // another rank turns into a RemoteFailure exception so the caller can record it before aborting).
  virtual void allreduce_sum(double* values, int count) = 0;
  virtual void allreduce_max(double* values, int count) = 0;
  // Rank 0 receives every rank's values, rank after rank (world_size x values.size(); every rank
  // gives as many); other ranks get an empty vector.
  virtual std::vector<double> gather(const std::vector<double>& values) = 0;
  virtual std::vector<std::string> gather_text(const std::string& text) = 0;
  virtual void broadcast(void* data, long bytes, int root) = 0;

  // A c10d store that every rank reaches, for one process group: each call (collective, in the same
  // order on every rank) gets keys of its own.
  virtual c10::intrusive_ptr<c10d::Store> make_store(const std::string& purpose, std::chrono::milliseconds timeout) = 0;

  // A non-zero rank reports its error to rank 0 (best effort), waits briefly for rank 0 to abort
  // the job, then ends itself. Rank 0 calls abort() directly after flushing.
  [[noreturn]] virtual void fail(const std::string& message, int exit_code) = 0;
  [[noreturn]] virtual void abort(int exit_code) = 0;

  // Rank 0: throws RemoteFailure when another rank has reported an error (cheap; call while
  // waiting). Other ranks: throws RemoteFailure when rank 0 has aborted the job.
  virtual void check_failure_reports() = 0;

 protected:
  Communicator() = default;
  int rank_ = 0, world_size_ = 1, local_rank_ = 0, nodes_ = 1;
};

// Another rank failed (or rank 0 ended the job); thrown from a wait. The message names the rank.
struct RemoteFailure : std::runtime_error {
  RemoteFailure(int rank, const std::string& message) : std::runtime_error(message), rank(rank) {}
  int rank;
};

// Rank 0's own collective can fail first when another rank died or failed (that rank's closed
// connection reaches the collective library as soon as rank 0's watch, or before its report): the
// other rank's report or death, if check_failure_reports() finds one within `looks` x 20 ms, is
// the cause worth recording. Empty when none is found or the communicator itself fails.
std::optional<std::string> remote_cause(Communicator& comm, int looks = 10);

struct LaunchOptions {
  Launcher launcher = Launcher::automatic;
  std::chrono::milliseconds timeout{300000};  // rendezvous and any single wait for another rank
};

// The world this process belongs to (resolve_launcher decides what `automatic` means). Throws
// UsageError for a launcher this build lacks or malformed launcher variables, std::runtime_error
// when the rendezvous fails.
std::unique_ptr<Communicator> make_communicator(const LaunchOptions& options, int* argc, char*** argv);

// The MPI library's version line ("Open MPI v4.1.4, ..."), empty in builds without MPI.
std::string mpi_library_version();
bool built_with_mpi();

// Pieces the implementations share (dist/communicator.cpp).
namespace detail {
std::unique_ptr<Communicator> make_local_communicator(Launcher launcher);
std::unique_ptr<Communicator> make_mpi_communicator(int* argc, char*** argv);  // throws without MPI
std::unique_ptr<Communicator> make_store_communicator(const EnvWorld& world, std::chrono::milliseconds timeout);
// The store of an MPI world: rank 0 serves a TCPStore on a free port and broadcasts its address.
c10::intrusive_ptr<c10d::Store> serve_store(Communicator& comm, std::chrono::milliseconds timeout);
}  // namespace detail

}  // namespace lb
