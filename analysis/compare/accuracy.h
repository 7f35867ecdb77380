// Accuracy against time: measured curves, imported end points, and projected curves.
#pragma once

#include "analysis/compare/comparison.h"

namespace lb::analysis {

// Fills Comparison::accuracy and Comparison::best_accuracy.
//  - measured: per configuration, the full-split run with the best accuracy, one point per
//    validation pass ('evaluations', else validated epochs) on the run's job clock;
//  - imported: the final accuracy at the source's runtime, one point;
//  - projected: for a configuration timed from subset runs, the per-epoch accuracy of a measured
//    full-split run with the same recipe (model, data split, global batch, optimizer, peak lr,
//    schedule, epochs, initial weights, precision), placed at this configuration's estimated time
//    at the same point of training. Subset runs' own accuracy is never shown as a full-run accuracy.
void build_accuracy(Comparison& cmp);

}  // namespace lb::analysis
