#include "charts/chart_data.h"

namespace lb::charts {

const char* to_string(Provenance p) {
  switch (p) {
    case Provenance::Measured: return "measured";
    case Provenance::Extrapolated: return "extrapolated";
    case Provenance::Imported: return "imported";
    case Provenance::Modelled: return "modelled";
    case Provenance::ImportedExtrapolated: return "imported, extrapolated";
  }
  return "unknown";
}

}  // namespace lb::charts
