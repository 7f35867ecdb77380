// The options of every c10d TCPStore the harness makes (the MPI world's and the env launcher's),
// in one place.
#pragma once

#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdint>

#include "harness/util/torch_version.h"

namespace lb::detail {

// waitWorkers is off: the callers count who joined themselves, with a message that says so.
inline c10d::TCPStoreOptions tcp_store_options(int port, bool server, int workers, std::chrono::milliseconds timeout) {
  c10d::TCPStoreOptions o;
  o.port = std::uint16_t(port);
  o.isServer = server;
  o.numWorkers = workers;
  o.waitWorkers = false;
  o.timeout = timeout;
#if LB_TORCH_AT_LEAST(2, 4)
  // LibTorch 2.4+ defaults to the libuv server, which Debian's (and other) builds leave out; the
  // classic server is in every build and is plenty for a rendezvous and a few small keys.
  o.useLibUV = false;
#endif
  return o;
}

}  // namespace lb::detail
