// The env launcher's world: ranks from Slurm's or torchrun's variables (dist/launch), met at a
// c10d TCPStore that rank 0 serves on MASTER_ADDR:MASTER_PORT, and every control message carried
// by that store. No MPI library is involved, so nothing here depends on what a container's MPI can
// or cannot do. The messages are small and, since the step loop exchanges its metrics once every
// few steps, rare; gradients travel through their own process group (dist/collectives).
//
// Each exchange has its own keys ("lb/<op>/<sequence>/..."); every rank makes the same exchanges in
// the same order, so the sequence numbers agree. Sums are taken on rank 0 in rank order, so every
// rank gets bitwise the same result. Waits poll the store (check, never a blocking wait: a timed-out
// TCPStore wait leaves the connection unusable), and between polls rank 0 looks for failure reports
// and for a rank whose process has ended without one (dist/peer_watch), and the other ranks for
// rank 0's abort.
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

#include "common/errors.h"
#include "harness/dist/communicator.h"
#include "harness/dist/peer_watch.h"
#include "harness/dist/tcp_store.h"
#include "harness/util/signals.h"

namespace lb {
namespace {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<uint8_t>;

Bytes to_bytes(const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  return Bytes(p, p + n);
}
Bytes to_bytes(const std::string& s) { return to_bytes(s.data(), s.size()); }
std::string to_text(const Bytes& b) { return std::string(b.begin(), b.end()); }

class StoreCommunicator : public Communicator {
 public:
  StoreCommunicator(const EnvWorld& w, std::chrono::milliseconds timeout) : world_(w), timeout_(timeout) {
    rank_ = w.rank;
    world_size_ = w.world_size;
    local_rank_ = w.local_rank;
    nodes_ = std::max(1, std::min(w.nodes, w.world_size));
    try {
      store_ = c10::make_intrusive<c10d::TCPStore>(
          w.master_addr, detail::tcp_store_options(w.master_port, rank_ == 0, world_size_, timeout_));
    } catch (const std::exception& e) {
      throw std::runtime_error(std::string(rank_ == 0 ? "rank 0 cannot serve" : "rank " + std::to_string(rank_) +
                                                                                   " cannot reach") +
                               " the rendezvous store at " + w.master_addr + ":" + std::to_string(w.master_port) +
                               " (MASTER_ADDR/MASTER_PORT, from " + w.source + "): " + first_line(e.what()));
    }
    // Rank 0's watch listens before anyone can ask where it is.
    if (rank_ == 0 && world_size_ > 1) {
      watch_.emplace();
      store_->set("lb/watch_port", to_bytes(std::to_string(watch_->port())));
    }
    // Everyone joins before anyone goes on: a rank that never comes is named by count, not a hang.
    store_->add("lb/joined", 1);
    const auto t0 = Clock::now();
    for (int spins = 0;; ++spins) {
      const auto joined = store_->add("lb/joined", 0);
      if (joined >= world_size_) break;
      if (Clock::now() - t0 > timeout_)
        throw std::runtime_error("rendezvous at " + w.master_addr + ":" + std::to_string(w.master_port) + ": " +
                                 std::to_string(joined) + " of " + std::to_string(world_size_) + " ranks joined within " +
                                 std::to_string(timeout_.count() / 1000) + " s (--comm-timeout)");
      pause(spins);
    }
    if (world_size_ > 1) {
      if (rank_ == 0) {
        watch_->accept(world_size_ - 1, timeout_);
      } else {
        // Set before rank 0 joined, so already there.
        const int port = std::atoi(to_text(store_->get("lb/watch_port")).c_str());
        link_.emplace(w.master_addr, port, rank_, timeout_);
      }
    }
  }

  ~StoreCommunicator() override {
    // Rank 0 serves the store: it stays until every other rank has made its last request.
    try {
      if (rank_ != 0) {
        if (link_) link_->goodbye();
        store_->add("lb/exited", 1);
      } else if (!aborted_) {
        const auto t0 = Clock::now();
        for (int spins = 0; store_->add("lb/exited", 0) < world_size_ - 1; ++spins) {
          if (Clock::now() - t0 > std::chrono::seconds(30)) break;
          pause(spins);
        }
      }
    } catch (const std::exception&) {
      // A rank that already left, or a store already gone: nothing more to coordinate.
    }
  }

  Launcher launcher() const override { return Launcher::env; }

  void allreduce_sum(double* values, int count) override { allreduce(values, count, false); }
  void allreduce_max(double* values, int count) override { allreduce(values, count, true); }

  std::vector<double> gather(const std::vector<double>& values) override {
    const auto texts = gather_text(std::string(reinterpret_cast<const char*>(values.data()), sizeof(double) * values.size()));
    std::vector<double> out;
    for (const auto& t : texts) {
      std::vector<double> v(values.size());
      std::memcpy(v.data(), t.data(), std::min(t.size(), sizeof(double) * v.size()));
      out.insert(out.end(), v.begin(), v.end());
    }
    return out;
  }

  std::vector<std::string> gather_text(const std::string& text) override {
    const std::string base = next("ga");
    if (rank_ != 0) {
      store_->set(base + std::to_string(rank_), to_bytes(text));
      return {};
    }
    const auto keys = peer_keys(base);
    wait_for(keys, "a gather");
    std::vector<std::string> out{text};
    for (const auto& k : keys) {
      out.push_back(to_text(store_->get(k)));
      store_->deleteKey(k);
    }
    return out;
  }

  void broadcast(void* data, long bytes, int root) override {
    const std::string key = next("bc") + "value";
    if (rank_ == root) {
      store_->set(key, to_bytes(data, size_t(bytes)));
    } else {
      wait_for({key}, "a broadcast");
      const auto v = store_->get(key);
      std::memcpy(data, v.data(), std::min(v.size(), size_t(bytes)));
    }
    if (store_->add(key + "/read", 1) == world_size_) {
      store_->deleteKey(key);
      store_->deleteKey(key + "/read");
    }
  }

  c10::intrusive_ptr<c10d::Store> make_store(const std::string& purpose, std::chrono::milliseconds timeout) override {
    // A client connection of its own (process groups use their store from their own threads) under
    // a prefix of its own (a --repeat run makes its groups again).
    auto client = c10::make_intrusive<c10d::TCPStore>(world_.master_addr,
                                                      detail::tcp_store_options(world_.master_port, false, world_size_, timeout));
    return c10::make_intrusive<c10d::PrefixStore>("pg/" + std::to_string(++groups_) + "/" + purpose, client);
  }

  void check_failure_reports() override {
    // Every rank polls while it waits, and rank 0's store serves them all: a look every 20 ms is
    // prompt enough for a failure and keeps 64 waiting ranks from flooding the store.
    const auto now = Clock::now();
    if (now - last_failure_check_ < std::chrono::milliseconds(20)) return;
    last_failure_check_ = now;
    if (rank_ == 0) {
      std::vector<FailureReport> reports;
      const auto count = store_->add("lb/failures", 0);
      for (std::int64_t k = 1; k <= count; ++k) {
        // A count without its message yet is a report in flight (or its rank died between the
        // two): the next look reads it, or finds the rank lost.
        const std::string key = "lb/failure/" + std::to_string(k);
        if (!store_->check({key})) continue;
        const auto report = to_text(store_->get(key));
        const auto nl = report.find('\n');
        reports.push_back({std::atoi(report.substr(0, nl).c_str()), report.substr(nl + 1)});
      }
      // While rank 0 itself is stopping, a rank that ends on the same signal (its stop watchdog
      // ends it without a goodbye) is no failure: rank 0's own stop path records `interrupted`.
      static const std::vector<LostRank> none;
      const auto& lost = watch_ && stop_signal() == 0 ? watch_->lost() : none;
      if (const auto cause = first_cause(reports, lost)) throw RemoteFailure(cause->rank, cause->message);
      return;
    }
    if (store_->check({"lb/abort"})) throw RemoteFailure(0, "rank 0 ended the job");
  }

  void fail(const std::string& message, int exit_code) override {
    std::cerr << "harness: error: " << message << std::endl;
    if (rank_ == 0) abort(exit_code);
    try {
      const auto n = store_->add("lb/failures", 1);
      store_->set("lb/failure/" + std::to_string(n), to_bytes(std::to_string(rank_) + "\n" + message));
      // Give rank 0 time to record the failure and end the job itself.
      const auto t0 = Clock::now();
      for (int spins = 0; !store_->check({"lb/abort"}); ++spins) {
        if (Clock::now() - t0 > std::chrono::seconds(30)) break;
        pause(spins);
      }
    } catch (const std::exception&) {
      // Rank 0 (and its store) are gone: nobody is left to tell.
    }
    std::exit(exit_code);
  }

  void abort(int exit_code) override {
    aborted_ = true;
    try {
      store_->set("lb/abort", to_bytes(std::to_string(exit_code)));
      // The other ranks see the key at their next poll; rank 0's exit takes the store with it.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } catch (const std::exception&) {
    }
    std::exit(exit_code);
  }

 private:
  static std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

  // Between two looks at the store: a round trip is itself a short wait at first, then the waits
  // grow so that many waiting ranks do not flood rank 0's store.
  static void pause(int spins) {
    if (spins < 20) return;
    std::this_thread::sleep_for(std::chrono::microseconds(spins < 200 ? 100 : 1000));
  }

  std::string next(const char* op) { return std::string("lb/") + op + "/" + std::to_string(++sequence_) + "/"; }

  std::vector<std::string> peer_keys(const std::string& base) const {
    std::vector<std::string> keys;
    for (int r = 1; r < world_size_; ++r) keys.push_back(base + std::to_string(r));
    return keys;
  }

  void wait_for(const std::vector<std::string>& keys, const char* what) {
    const auto t0 = Clock::now();
    for (int spins = 0; !store_->check(keys); ++spins) {
      check_failure_reports();
      if (Clock::now() - t0 > timeout_)
        throw std::runtime_error(std::string("waited ") + std::to_string(timeout_.count() / 1000) + " s for " + what +
                                 " from the other ranks (--comm-timeout)");
      pause(spins);
    }
  }

  void allreduce(double* values, int count, bool max) {
    const std::string base = next("ar");
    const size_t bytes = sizeof(double) * size_t(count);
    if (rank_ != 0) {
      store_->set(base + std::to_string(rank_), to_bytes(values, bytes));
      wait_for({base + "result"}, "a reduction");
      const auto v = store_->get(base + "result");
      std::memcpy(values, v.data(), std::min(v.size(), bytes));
      if (store_->add(base + "read", 1) == world_size_ - 1) {
        store_->deleteKey(base + "result");
        store_->deleteKey(base + "read");
      }
      return;
    }
    const auto keys = peer_keys(base);
    wait_for(keys, "a reduction");
    std::vector<double> other(static_cast<size_t>(count));
    for (const auto& k : keys) {  // rank order: the same additions in the same order every time
      const auto v = store_->get(k);
      std::memcpy(other.data(), v.data(), std::min(v.size(), bytes));
      for (int i = 0; i < count; ++i) values[i] = max ? std::max(values[i], other[size_t(i)]) : values[i] + other[size_t(i)];
      store_->deleteKey(k);
    }
    store_->set(base + "result", to_bytes(values, bytes));
  }

  EnvWorld world_;
  std::chrono::milliseconds timeout_;
  c10::intrusive_ptr<c10d::TCPStore> store_;
  std::optional<PeerWatch> watch_;  // rank 0
  std::optional<PeerLink> link_;    // the other ranks
  std::int64_t sequence_ = 0;
  int groups_ = 0;
  bool aborted_ = false;
  Clock::time_point last_failure_check_{};
};

}  // namespace

namespace detail {
std::unique_ptr<Communicator> make_store_communicator(const EnvWorld& world, std::chrono::milliseconds timeout) {
  return std::make_unique<StoreCommunicator>(world, timeout);
}
}  // namespace detail

}  // namespace lb
