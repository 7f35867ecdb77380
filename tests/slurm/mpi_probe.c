/* A stand-in for the harness under the Slurm scripts: it takes the harness's command line, and
 * rank 0 writes one line per rank to the file named by --output, so that a test can check what
 * the scripts gave every rank (placement, local rank, visible device, CPU binding, environment)
 * without LibTorch. Lines are "key=value" pairs separated by spaces; see check_probe.py. */
#define _GNU_SOURCE
#include <mpi.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { kLineChars = 1024 };

static const char *env_or_dash(const char *name) {
  const char *value = getenv(name);
  return (value && *value) ? value : "-";
}

/* The CPUs this rank may run on, as a comma-separated list ("0,1"). */
static void affinity_list(char *out, size_t size) {
  cpu_set_t set;
  out[0] = '\0';
  if (sched_getaffinity(0, sizeof set, &set) != 0) {
    snprintf(out, size, "?");
    return;
  }
  size_t used = 0;
  for (int cpu = 0; cpu < CPU_SETSIZE && used + 8 < size; ++cpu) {
    if (CPU_ISSET(cpu, &set)) {
      used += (size_t)snprintf(out + used, size - used, used ? ",%d" : "%d", cpu);
    }
  }
}

int main(int argc, char **argv) {
  const char *output = NULL;
  for (int i = 1; i + 1 < argc; ++i) {
    if (strcmp(argv[i], "--output") == 0) output = argv[i + 1];
  }

  MPI_Init(&argc, &argv);
  int rank = 0, size = 1, local_rank = 0, local_size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  /* The harness takes its local rank from this split, so the probe reports the same thing. */
  MPI_Comm shared;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL, &shared);
  MPI_Comm_rank(shared, &local_rank);
  MPI_Comm_size(shared, &local_size);

  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  char cpus[512];
  affinity_list(cpus, sizeof cpus);

  /* The MIOpen folders the rank wrapper made on this node. */
  const char *db = getenv("MIOPEN_USER_DB_PATH");
  const char *cache = getenv("MIOPEN_CUSTOM_CACHE_DIR");
  const int miopen_dirs = db && cache && access(db, W_OK) == 0 && access(cache, W_OK) == 0;

  char line[kLineChars];
  snprintf(line, sizeof line,
           "rank=%d size=%d shm_local_rank=%d shm_local_size=%d host=%s slurm_node=%s "
           "slurm_procid=%s slurm_localid=%s slurm_nnodes=%s slurm_job_id=%s "
           "rocr_visible_devices=%s mpich_gpu_support=%s omp_num_threads=%s cpus=%s "
           "miopen_db=%s miopen_dirs=%d",
           rank, size, local_rank, local_size, host, env_or_dash("SLURMD_NODENAME"),
           env_or_dash("SLURM_PROCID"), env_or_dash("SLURM_LOCALID"),
           env_or_dash("SLURM_JOB_NUM_NODES"), env_or_dash("SLURM_JOB_ID"),
           env_or_dash("ROCR_VISIBLE_DEVICES"), env_or_dash("MPICH_GPU_SUPPORT_ENABLED"),
           env_or_dash("OMP_NUM_THREADS"), cpus, env_or_dash("MIOPEN_USER_DB_PATH"), miopen_dirs);

  char *all = NULL;
  if (rank == 0) all = malloc((size_t)size * kLineChars);
  MPI_Gather(line, kLineChars, MPI_CHAR, all, kLineChars, MPI_CHAR, 0, MPI_COMM_WORLD);

  int status = 0;
  if (rank == 0) {
    FILE *out = output ? fopen(output, "w") : stdout;
    if (!out) {
      fprintf(stderr, "mpi_probe: cannot write --output '%s'\n", output);
      status = 1;
    } else {
      fprintf(out, "argv=");
      for (int i = 1; i < argc; ++i) fprintf(out, "%s%s", i > 1 ? "\t" : "", argv[i]);
      fprintf(out, "\n");
      for (int r = 0; r < size; ++r) fprintf(out, "%s\n", all + (size_t)r * kLineChars);
      if (out != stdout) fclose(out);
    }
    free(all);
  }
  MPI_Comm_free(&shared);
  MPI_Finalize();
  return status;
}
