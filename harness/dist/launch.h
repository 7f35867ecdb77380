// How the ranks of a job learn who they are. Two launchers are supported:
//  - mpi: an MPI library started by mpirun/srun (PMI/PMIx) gives rank and size (dist/communicator).
//  - env: no MPI at all; the variables Slurm's srun or PyTorch's torchrun set give rank, world
//    size and local rank, and the ranks meet at a c10d TCPStore on the first node (the LUMI AI
//    guide's route: srun plus rank variables, inside a container that may have no working MPI).
// Everything here is pure (an environment in, a description out), so that every branch is tested
// without a launcher.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace lb {

enum class Launcher { automatic, none, mpi, env };

// "auto", "none", "mpi", "env"; throws UsageError naming --launcher for anything else.
Launcher parse_launcher(const std::string& text);
const char* to_string(Launcher launcher);

// Reads one environment variable; nullopt when unset. Tests pass a map instead of getenv.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;
EnvLookup process_env();

// What the env launcher reads, and where each value came from.
struct EnvWorld {
  int rank = 0, world_size = 1, local_rank = 0, local_size = 1;
  int nodes = 1;                  // from Slurm's or torchrun's node count; 1 when neither says
  std::string master_addr;        // where rank 0 serves the store
  int master_port = 0;
  std::string source;             // "torchrun" or "slurm"
};

// torchrun's RANK/WORLD_SIZE/LOCAL_RANK/LOCAL_WORLD_SIZE/MASTER_ADDR/MASTER_PORT take precedence
// (a torchrun inside an allocation also sees Slurm's); otherwise an srun step's SLURM_PROCID,
// SLURM_STEP_NUM_TASKS (or SLURM_NTASKS), SLURM_LOCALID, the first host of SLURM_STEP_NODELIST
// (or SLURM_JOB_NODELIST) and MASTER_PORT, else 1 followed by the last four digits of the job id as
// the guide does. nullopt when neither launcher's variables are there; throws UsageError with the
// variable's name and value when one is malformed or inconsistent (rank >= world size).
std::optional<EnvWorld> read_env_world(const EnvLookup& env);

// The first host of a Slurm host list: "nid[005000-005003,005010]" -> "nid005000",
// "lbn[1-8]" -> "lbn1", "a,b" -> "a", "x1-[2-3]" -> "x1-2". Throws std::invalid_argument on an
// unbalanced bracket or an empty list.
std::string first_host(const std::string& nodelist);

// Which launcher `automatic` means here: mpi when this harness has MPI and an MPI launcher's
// variables are present (Open MPI, PMIx, PMI, or an srun step), env when only torchrun's or an srun
// step's variables are, none otherwise.
Launcher resolve_launcher(Launcher requested, bool built_with_mpi, const EnvLookup& env);

// True when a launcher's variables are present (Open MPI, PMIx, PMI/MPICH/Cray, Slurm's srun).
bool launched_by_mpi_launcher(const EnvLookup& env);

// The cross-check against what Slurm started: inside an srun step, the world the launcher formed
// must have as many ranks as the step has tasks (SLURM_STEP_NUM_TASKS, else SLURM_NTASKS). An MPI
// that cannot talk to Slurm's launcher otherwise gives N runs of one rank each, all writing one
// results file. Returns the one-line error, or nullopt when they agree, no step is running, or
// torchrun's RANK and WORLD_SIZE say the world (torchrun starts several ranks per Slurm task).
std::optional<std::string> world_size_mismatch(int world_size, const EnvLookup& env);

}  // namespace lb
