// A Reading as bytes, for the caller's MPI gather (MPI_Gather the sizes, MPI_Gatherv the bytes).
// Text, one figure per line, so a gathered buffer can also be logged as is.
#pragma once

#include <string>

#include "harness/energy/energy_figure.h"

namespace lb::energy {

std::string encode_reading(const Reading& reading);

struct DecodedReading {
  bool ok = false;
  Reading reading;
  std::string error;
};

DecodedReading decode_reading(const std::string& bytes);

}  // namespace lb::energy
