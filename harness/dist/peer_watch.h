// Whether the other ranks' processes still exist, as rank 0 sees it, for the env launcher's world.
//
// A rank killed by a signal, the kernel's OOM killer or a crash reports nothing: the store its
// peers wait on keeps no trace of it, so they would wait for its keys until --comm-timeout
// (minutes), and the launcher's SIGTERM would reach rank 0 first and the run would read as
// interrupted. A TCP connection from every rank to rank 0 is closed by the kernel when its process
// ends, however it ends, so rank 0 can tell at its next look; TCP keepalive probes from rank 0 find
// a node that stopped answering altogether (no close ever comes from a node that lost power) within
// about 90 s. A rank that ends cleanly says goodbye first, so a clean end is never mistaken for a
// death.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace lb {

// A rank whose connection closed or broke without a goodbye, and how.
struct LostRank {
  int rank = -1;
  std::string how;  // "its connection to rank 0 closed", "... broke (Connection timed out)"
};

// Another rank's report of its own error, as it reached rank 0.
struct FailureReport {
  int rank = -1;
  std::string message;
};

// What rank 0 records, from the reports it has read and the ranks it has lost: a rank lost without
// a report of its own is the cause of what the others then report (their connections to it
// closed), so it is named first with the earliest report after it; a rank that reported and then
// ended is named by its report. Empty when there is nothing to record.
std::optional<FailureReport> first_cause(const std::vector<FailureReport>& reports, const std::vector<LostRank>& lost);

// Rank 0's end: listens on an ephemeral port of every interface; one connection per other rank.
class PeerWatch {
 public:
  PeerWatch();
  ~PeerWatch();
  PeerWatch(const PeerWatch&) = delete;
  PeerWatch& operator=(const PeerWatch&) = delete;

  int port() const { return port_; }

  // Takes the connections of ranks 1..peers, each named by the rank it sends first (within 5 s of
  // connecting). Throws naming the ranks that did not connect within `timeout`.
  void accept(int peers, std::chrono::milliseconds timeout);

  // Every rank whose connection closed or broke without a goodbye so far, in the order they were
  // found (those found in one look by rank). Never blocks: one poll() over the connections. A lost
  // rank stays lost.
  const std::vector<LostRank>& lost();

 private:
  struct Peer {
    int rank = -1;
    int fd = -1;
  };
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<Peer> peers_;  // still watched
  std::vector<LostRank> lost_;
};

// Another rank's end: one connection to rank 0, held for the life of the process.
class PeerLink {
 public:
  // Connects to host:port (retrying until `timeout`; at most 10 s on each of host's addresses per
  // round) and sends `rank`. Throws naming both.
  PeerLink(const std::string& host, int port, int rank, std::chrono::milliseconds timeout);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  // A clean end: rank 0 reads it before the connection closes. Best effort (rank 0 may be gone).
  void goodbye();

 private:
  int fd_ = -1;
};

}  // namespace lb
