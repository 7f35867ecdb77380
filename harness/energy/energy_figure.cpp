#include "harness/energy/energy_figure.h"

namespace lb::energy {

const char* kind_name(Kind kind) { return kind == Kind::counter ? "counter" : "integrated_power"; }

}  // namespace lb::energy
