#include "harness/dist/launch.h"

#include <cstdlib>
#include <stdexcept>

#include "common/errors.h"

namespace lb {
namespace {

// A whole number in [lo, hi] from variable `name`, or a UsageError naming it.
int whole(const EnvLookup& env, const char* name, int lo, int hi) {
  const auto v = env(name);
  if (!v) throw UsageError(std::string(name) + " is not set");
  try {
    size_t used = 0;
    const long n = std::stol(*v, &used);
    if (used != v->size() || n < lo || n > hi) throw std::out_of_range(name);
    return int(n);
  } catch (const std::logic_error&) {
    throw UsageError(std::string(name) + "='" + *v + "': expected a whole number from " + std::to_string(lo) +
                     " to " + std::to_string(hi));
  }
}

std::optional<int> whole_if_set(const EnvLookup& env, const char* name, int lo, int hi) {
  if (!env(name)) return std::nullopt;
  return whole(env, name, lo, hi);
}

constexpr int kMaxRanks = 1 << 20;

void check_rank(const EnvWorld& w, const char* rank_var, const char* size_var) {
  if (w.rank >= w.world_size)
    throw UsageError(std::string(rank_var) + "=" + std::to_string(w.rank) + " is not below " + size_var + "=" +
                     std::to_string(w.world_size));
  if (w.local_rank >= w.local_size || w.local_size > w.world_size)
    throw UsageError("local rank " + std::to_string(w.local_rank) + " of " + std::to_string(w.local_size) +
                     " ranks per node does not fit a world of " + std::to_string(w.world_size));
}

}  // namespace

Launcher parse_launcher(const std::string& text) {
  if (text == "auto") return Launcher::automatic;
  if (text == "none") return Launcher::none;
  if (text == "mpi") return Launcher::mpi;
  if (text == "env") return Launcher::env;
  throw UsageError("--launcher '" + text + "': expected auto, none, mpi or env");
}

const char* to_string(Launcher launcher) {
  switch (launcher) {
    case Launcher::automatic: return "auto";
    case Launcher::none: return "none";
    case Launcher::mpi: return "mpi";
    case Launcher::env: return "env";
  }
  return "?";
}

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
}

std::string first_host(const std::string& nodelist) {
  // The first entry ends at the first comma outside brackets.
  std::string entry;
  int depth = 0;
  for (char c : nodelist) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (depth < 0) throw std::invalid_argument("host list '" + nodelist + "': unbalanced ']'");
    if (c == ',' && depth == 0) break;
    entry += c;
  }
  if (depth != 0) throw std::invalid_argument("host list '" + nodelist + "': unbalanced '['");
  if (entry.empty()) throw std::invalid_argument("host list '" + nodelist + "': no host");
  const auto open = entry.find('[');
  if (open == std::string::npos) return entry;
  const auto close = entry.find(']', open);
  // Inside the brackets: ranges and numbers separated by commas; the first one's start, as
  // written (zero padding is part of the name).
  std::string inside = entry.substr(open + 1, close - open - 1);
  const auto stop = inside.find_first_of(",-");
  std::string first = inside.substr(0, stop);
  if (first.empty()) throw std::invalid_argument("host list '" + nodelist + "': empty range");
  return entry.substr(0, open) + first + entry.substr(close + 1);
}

bool launched_by_mpi_launcher(const EnvLookup& env) {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (env(v)) return true;
  // Under sbatch without srun, SLURM_PROCID is set for the batch script itself: only a step
  // started by srun has SLURM_STEP_ID as well.
  return env("SLURM_PROCID") && env("SLURM_STEP_ID");
}

std::optional<EnvWorld> read_env_world(const EnvLookup& env) {
  EnvWorld w;
  if (env("RANK") || env("WORLD_SIZE")) {
    w.source = "torchrun";
    w.world_size = whole(env, "WORLD_SIZE", 1, kMaxRanks);
    w.rank = whole(env, "RANK", 0, kMaxRanks);
    w.local_rank = whole_if_set(env, "LOCAL_RANK", 0, kMaxRanks).value_or(0);
    w.local_size = whole_if_set(env, "LOCAL_WORLD_SIZE", 1, kMaxRanks).value_or(w.world_size);
    check_rank(w, "RANK", "WORLD_SIZE");
    w.nodes = w.world_size / w.local_size;
    if (w.world_size > 1) {
      const auto addr = env("MASTER_ADDR");
      if (!addr || addr->empty()) throw UsageError("MASTER_ADDR is not set: torchrun's rendezvous address is needed");
      w.master_addr = *addr;
      w.master_port = whole(env, "MASTER_PORT", 1, 65535);
    }
    return w;
  }
  if (!(env("SLURM_PROCID") && env("SLURM_STEP_ID"))) return std::nullopt;
  w.source = "slurm";
  w.rank = whole(env, "SLURM_PROCID", 0, kMaxRanks);
  w.world_size = env("SLURM_STEP_NUM_TASKS") ? whole(env, "SLURM_STEP_NUM_TASKS", 1, kMaxRanks)
                                              : whole(env, "SLURM_NTASKS", 1, kMaxRanks);
  w.local_rank = whole_if_set(env, "SLURM_LOCALID", 0, kMaxRanks).value_or(0);
  w.nodes = env("SLURM_STEP_NUM_NODES") ? whole(env, "SLURM_STEP_NUM_NODES", 1, kMaxRanks)
                                         : whole_if_set(env, "SLURM_NNODES", 1, kMaxRanks).value_or(1);
  // SLURM_STEP_TASKS_PER_NODE is "8(x4)" or "2,1"; the local size is only used for checks.
  w.local_size = std::max(w.local_rank + 1, (w.world_size + w.nodes - 1) / w.nodes);
  check_rank(w, "SLURM_PROCID", env("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : "SLURM_NTASKS");
  if (w.world_size > 1) {
    if (const auto addr = env("MASTER_ADDR"); addr && !addr->empty()) {
      w.master_addr = *addr;
    } else {
      const char* list_var = env("SLURM_STEP_NODELIST") ? "SLURM_STEP_NODELIST" : "SLURM_JOB_NODELIST";
      const auto list = env(list_var);
      if (!list) throw UsageError("neither MASTER_ADDR nor SLURM_STEP_NODELIST/SLURM_JOB_NODELIST is set");
      try {
        w.master_addr = first_host(*list);
      } catch (const std::invalid_argument& e) {
        throw UsageError(std::string(list_var) + ": " + e.what());
      }
    }
    if (env("MASTER_PORT")) {
      w.master_port = whole(env, "MASTER_PORT", 1, 65535);
    } else {
      // The guide's rule: "1" and the job id's last four digits (10000-19999), so that two jobs
      // sharing a node do not meet at the same port.
      const std::string job = env("SLURM_JOB_ID").value_or("0");
      const std::string tail = job.size() > 4 ? job.substr(job.size() - 4) : std::string(4 - job.size(), '0') + job;
      if (tail.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError("SLURM_JOB_ID='" + job + "': expected a number (or set MASTER_PORT)");
      w.master_port = 10000 + std::stoi(tail);
    }
  }
  return w;
}

Launcher resolve_launcher(Launcher requested, bool built_with_mpi, const EnvLookup& env) {
  if (requested != Launcher::automatic) return requested;
  if (built_with_mpi && launched_by_mpi_launcher(env)) return Launcher::mpi;
  if (env("RANK") || env("WORLD_SIZE") || (env("SLURM_PROCID") && env("SLURM_STEP_ID"))) return Launcher::env;
  return Launcher::none;
}

std::optional<std::string> world_size_mismatch(int world_size, const EnvLookup& env) {
  if (!env("SLURM_STEP_ID") || !env("SLURM_PROCID")) return std::nullopt;
  // torchrun under srun starts LOCAL_WORLD_SIZE processes per Slurm task: its own variables say
  // the world, and Slurm's task count is the node count.
  if (env("RANK") && env("WORLD_SIZE")) return std::nullopt;
  const char* var = env("SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS" : env("SLURM_NTASKS") ? "SLURM_NTASKS" : nullptr;
  if (!var) return std::nullopt;
  int tasks = 0;
  try {
    tasks = whole(env, var, 1, kMaxRanks);
  } catch (const UsageError& e) {
    return std::string(e.what());
  }
  if (tasks == world_size) return std::nullopt;
  return "the launcher formed a world of " + std::to_string(world_size) + " rank" + (world_size == 1 ? "" : "s") +
         " but the Slurm step has " + std::to_string(tasks) + " tasks (" + var + "): each task would run alone. " +
         "With --launcher mpi, srun's --mpi plugin must match the MPI library (LB_SRUN_MPI); or use --launcher env";
}

}  // namespace lb
