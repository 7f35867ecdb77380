/* A stand-in for librocm_smi64.so: one MI250X-like module of two dies, the module's energy and
 * power on die 0 and nothing on die 1, as the MI200 driver reports them. */
#include <stdint.h>

static uint64_t counter = 1000000;

int rsmi_init(uint64_t flags) { return (void)flags, 0; }
int rsmi_shut_down(void) { return 0; }
int rsmi_num_monitor_devices(uint32_t* n) { return *n = 2, 0; }
/* 65536 counts (about 1 J) more at every read of die 0. */
int rsmi_dev_energy_count_get(uint32_t i, uint64_t* c, float* resolution, uint64_t* ts) {
  *resolution = 15.259f;
  *ts = 1000 + i;
  if (i == 1) return *c = 0, 0;
  *c = counter;
  counter += 65536;
  return 0;
}
int rsmi_dev_power_ave_get(uint32_t i, uint32_t sensor, uint64_t* uw) {
  (void)sensor;
  return i == 0 ? (*uw = 250000000u, 0) : 2; /* RSMI_STATUS_NOT_SUPPORTED */
}
int rsmi_dev_unique_id_get(uint32_t i, uint64_t* id) { return *id = 0x1000 + i, 0; }
int rsmi_dev_pci_id_get(uint32_t i, uint64_t* bdfid) { return *bdfid = (uint64_t)((i == 0 ? 0xc1 : 0xc6) << 8), 0; }
int rsmi_status_string(int status, const char** s) {
  *s = status == 2 ? "RSMI_STATUS_NOT_SUPPORTED" : "fake status";
  return 0;
}
