#include "harness/train/schedule.h"

#include <cmath>
#include <stdexcept>

namespace lb {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kDivFactor = 25.0, kFinalDivFactor = 1e4;
constexpr double kBaseMomentum = 0.85, kMaxMomentum = 0.95;

double anneal_cos(double start, double end, double pct) {
  return end + (start - end) / 2.0 * (std::cos(kPi * pct) + 1.0);
}

}  // namespace

LrSchedule::LrSchedule(std::string kind, double max_lr, std::int64_t total_steps, double pct_start)
    : kind_(std::move(kind)), max_lr_(max_lr), total_steps_(std::max<std::int64_t>(1, total_steps)),
      pct_start_(pct_start) {
  if (kind_ != "onecycle" && kind_ != "constant") throw std::invalid_argument("unknown schedule " + kind_);
}

ScheduleValues LrSchedule::at(std::int64_t step) const {
  if (kind_ == "constant") return {max_lr_, -1.0};
  const double initial = max_lr_ / kDivFactor, min_lr = initial / kFinalDivFactor;
  // OneCycleLR's two phases, ending at (pct_start * total - 1) and (total - 1).
  const double warm_end = pct_start_ * double(total_steps_) - 1.0;
  const double last = double(total_steps_ - 1);
  const double s = double(step);
  if (s <= warm_end) {
    const double pct = warm_end > 0 ? s / warm_end : 1.0;
    return {anneal_cos(initial, max_lr_, pct), anneal_cos(kMaxMomentum, kBaseMomentum, pct)};
  }
  const double span = last - warm_end;
  const double pct = span > 0 ? (s - warm_end) / span : 1.0;
  return {anneal_cos(max_lr_, min_lr, pct), anneal_cos(kBaseMomentum, kMaxMomentum, pct)};
}

}  // namespace lb
