// A scaling model for data-parallel training: an alpha-beta fit of the measured allreduce sweep
// and the one-rank step time predict the step time and efficiency at N ranks; the prediction is
// shown against every measured multi-rank configuration and for node counts not run, marked
// modelled (docs/methodology.md, "Scaling model").
#pragma once

#include "analysis/compare/comparison.h"

namespace lb::analysis {

// Ring allreduce of m bytes over n ranks in `messages` messages:
//   messages * 2 (n - 1) alpha + 2 (n - 1) / n * m * beta.
double ring_allreduce_s(double alpha_s, double beta_s_per_byte, int ranks, double bytes, int64_t messages = 1);

// Fits alpha and beta to a sweep (rows at one or more rank counts): weighted least squares on
// the ring model with weights 1 / t^2, so that every message size counts by its relative error.
TwoTermFit fit_allreduce(const std::vector<AllreduceSample>& sweep);

// Fills cmp.scaling_models: one per family of measured configurations (same device kind and
// model, model, precision and per-rank batch) that has a one-rank configuration, an allreduce
// sweep and a parameter count.
void build_scaling_models(Comparison& cmp);

}  // namespace lb::analysis
