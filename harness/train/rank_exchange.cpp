#include "harness/train/rank_exchange.h"

#include <csignal>
#include <stdexcept>

#include "harness/dist/communicator.h"

namespace lb {

Window exchange_window(Communicator& comm, const std::vector<LocalStep>& steps, const LocalRequests& requests) {
  enum { kSigInt, kSigTerm, kSigUsr1, kRecordFailed, kAdaptive, kFlags };
  constexpr int kPerStep = 3;  // loss_sum, correct, samples
  const size_t n = steps.size();
  std::vector<double> v(n * kPerStep + kFlags, 0.0);
  for (size_t i = 0; i < n; ++i) {
    v[i * kPerStep] = steps[i].loss_sum;
    v[i * kPerStep + 1] = steps[i].correct;
    v[i * kPerStep + 2] = steps[i].samples;
  }
  double* flags = v.data() + n * kPerStep;
  flags[kSigInt] = requests.signal == SIGINT;
  flags[kSigTerm] = requests.signal == SIGTERM;
  flags[kSigUsr1] = requests.signal == SIGUSR1;
  flags[kRecordFailed] = requests.record_failed;
  flags[kAdaptive] = requests.adaptive_stop;
  comm.allreduce_sum(v.data(), int(v.size()));
  std::vector<double> totals(n);
  for (size_t i = 0; i < n; ++i) totals[i] = steps[i].times.total_s;
  const auto all_totals = comm.gather(totals);  // rank 0: world x n, rank after rank

  Window w;
  w.signal = flags[kSigInt] > 0 ? SIGINT : flags[kSigTerm] > 0 ? SIGTERM : flags[kSigUsr1] > 0 ? SIGUSR1 : 0;
  w.record_failed = flags[kRecordFailed] > 0;
  w.adaptive_stop = flags[kAdaptive] > 0;
  for (size_t i = 0; i < n; ++i) {
    WindowStep s;
    s.loss_sum = v[i * kPerStep];
    s.correct = v[i * kPerStep + 1];
    s.samples = v[i * kPerStep + 2];
    s.loss_scale = steps[i].loss_scale;
    s.times = steps[i].times;
    if (!all_totals.empty()) {
      for (int r = 0; r < comm.world_size(); ++r) s.rank_total_s.push_back(all_totals[size_t(r) * n + i]);
    }
    w.steps.push_back(std::move(s));
  }
  return w;
}

}  // namespace lb
