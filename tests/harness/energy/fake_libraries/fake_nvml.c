/* A stand-in for libnvidia-ml.so.1 with the C ABI the loader declares: two GPUs, the first with
 * an energy counter, the second (pre-Volta-like) with power only. Lets the tests run the real
 * dlopen/dlsym path and the handle, UUID and PCI-info wrappers. */
#include <stdio.h>
#include <string.h>

typedef struct {
  int index;
} fake_device;
static fake_device devices[2] = {{0}, {1}};

typedef struct {
  char bus_id_legacy[16];
  unsigned domain, bus, device, pci_device_id, pci_subsystem_id;
  char bus_id[32];
} pci_info;

static int initialised;
static unsigned long long energy_mj = 5000;

int nvmlInit_v2(void) { return initialised = 1, 0; }
int nvmlShutdown(void) { return initialised = 0, 0; }
int nvmlDeviceGetCount_v2(unsigned* n) { return initialised ? (*n = 2, 0) : 1; }
int nvmlDeviceGetHandleByIndex_v2(unsigned i, fake_device** d) { return i < 2 ? (*d = &devices[i], 0) : 2; }
/* 1 J more at every read of GPU 0. */
int nvmlDeviceGetTotalEnergyConsumption(fake_device* d, unsigned long long* mj) {
  if (d->index != 0) return 3; /* NVML_ERROR_NOT_SUPPORTED */
  *mj = energy_mj;
  energy_mj += 1000;
  return 0;
}
int nvmlDeviceGetPowerUsage(fake_device* d, unsigned* mw) { return *mw = d->index == 0 ? 100000u : 150000u, 0; }
int nvmlDeviceGetUUID(fake_device* d, char* buf, unsigned len) {
  snprintf(buf, len, "GPU-fake-%d", d->index);
  return 0;
}
int nvmlDeviceGetPciInfo_v3(fake_device* d, pci_info* p) {
  memset(p, 0, sizeof *p);
  p->domain = 0;
  p->bus = d->index == 0 ? 0x3b : 0x86;
  snprintf(p->bus_id, sizeof p->bus_id, "00000000:%02X:00.0", p->bus);
  return 0;
}
const char* nvmlErrorString(int code) { return code == 3 ? "Not Supported" : "Fake Error"; }
