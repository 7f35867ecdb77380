// Values no measurement can have, dropped before anything is computed from them: a time that is
// zero, negative or subnormal (a 0 s run would be infinitely fast; a subnormal one overflows every
// ratio), an accuracy outside 0..100%, a count of ranks, GPUs, nodes or samples that is zero where
// a run needs at least one. Each drop is a warning on the run naming the field and the value; the
// field is then unknown, as if the source had not stated it.
#pragma once

#include "analysis/input/run_record.h"

namespace lb::analysis {

// Drops every out-of-range value of `run` (above) with a warning per field.
void drop_out_of_range_values(RunRecord& run);

}  // namespace lb::analysis
