/* A stand-in for libamd_smi.so: one socket holding two GPUs found through the socket/processor
 * handles, each with its own energy accumulator. */
#include <stddef.h>
#include <stdint.h>

static int gpus[2] = {0, 1};
static int socket_id;
static uint64_t counters[2] = {100, 200};

int amdsmi_init(uint64_t flags) { return flags == (1u << 1) ? 0 : 1; }
int amdsmi_shut_down(void) { return 0; }
int amdsmi_get_socket_handles(uint32_t* n, void** handles) {
  if (handles) handles[0] = &socket_id;
  return *n = 1, 0;
}
int amdsmi_get_processor_handles(void* socket, uint32_t* n, void** handles) {
  if (socket != &socket_id) return 1;
  if (handles) handles[0] = &gpus[0], handles[1] = &gpus[1];
  return *n = 2, 0;
}
/* 1000 counts of 1 uJ (1 mJ) more at every read. */
int amdsmi_get_energy_count(void* h, uint64_t* c, float* resolution, uint64_t* ts) {
  const int i = *(int*)h;
  *c = counters[i];
  counters[i] += 1000;
  *resolution = 1.0f;
  *ts = 1;
  return 0;
}
int amdsmi_get_gpu_bdf_id(void* h, uint64_t* bdfid) { return *bdfid = (uint64_t)((*(int*)h == 0 ? 0x11 : 0x22) << 8), 0; }
int amdsmi_status_code_to_string(int status, const char** s) { return *s = status ? "fake error" : "success", 0; }
