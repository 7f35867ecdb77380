#include "harness/dist/peer_watch.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace lb {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kGoodbye = 'G';

std::string errno_text() { return std::strerror(errno); }

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return int(std::max<long long>(0, std::min<long long>(left, 1000)));
}

// A dual-stack IPv6 socket takes IPv4 peers too; a kernel without IPv6 gets an IPv4 one.
int listen_any(int& port) {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd >= 0) {
    int off = 0;
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_any;
    // Without dual stack the IPv4 ranks could not connect: then IPv4 alone.
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) != 0 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  if (fd < 0) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error("rank 0 cannot open the socket that watches the other ranks: " + errno_text());
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      const auto why = errno_text();
      ::close(fd);
      throw std::runtime_error("rank 0 cannot bind the socket that watches the other ranks: " + why);
    }
  }
  if (::listen(fd, SOMAXCONN) != 0) {
    const auto why = errno_text();
    ::close(fd);
    throw std::runtime_error("rank 0 cannot listen for the other ranks: " + why);
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port = bound.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                                     : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return fd;
}

// Probes from rank 0 after 30 s of silence, every 10 s, 6 unanswered: a node that stopped
// answering (no close ever comes from a node that lost power) breaks its connection within 90 s.
// The peer's kernel answers, not its process, so a busy rank is never taken for a lost one.
void keep_alive(int fd) {
  int on = 1, idle = 30, interval = 10, count = 6;
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
}

// One connection attempt that gives up at the deadline (a blocking connect to an address that
// drops packets would take the kernel's two minutes of retries). The socket on success, else -1
// with `why` set.
int connect_by(const addrinfo& a, Clock::time_point deadline, std::string& why) {
  const int fd = ::socket(a.ai_family, a.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a.ai_protocol);
  if (fd < 0) {
    why = errno_text();
    return -1;
  }
  if (::connect(fd, a.ai_addr, a.ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      why = errno_text();
      ::close(fd);
      return -1;
    }
    for (;;) {
      pollfd pfd{fd, POLLOUT, 0};
      const int ready = ::poll(&pfd, 1, remaining_ms(deadline));
      if (ready > 0) break;
      if ((ready == 0 && Clock::now() >= deadline) || (ready < 0 && errno != EINTR)) {
        why = ready == 0 ? "no answer" : errno_text();
        ::close(fd);
        return -1;
      }
    }
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      why = std::strerror(error ? error : errno);
      ::close(fd);
      return -1;
    }
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return fd;
}

// Reads exactly n bytes before the deadline; false on a close, an error or the deadline.
bool read_exactly(int fd, void* out, size_t n, Clock::time_point deadline) {
  auto* p = static_cast<char*>(out);
  while (n > 0) {
    pollfd pfd{fd, POLLIN, 0};
    if (::poll(&pfd, 1, remaining_ms(deadline)) <= 0) {
      if (Clock::now() >= deadline) return false;
      continue;
    }
    const auto got = ::recv(fd, p, n, 0);
    if (got <= 0) {
      if (got < 0 && errno == EINTR) continue;
      return false;
    }
    p += got;
    n -= size_t(got);
  }
  return true;
}

}  // namespace

PeerWatch::PeerWatch() { listen_fd_ = listen_any(port_); }

PeerWatch::~PeerWatch() {
  for (auto& p : peers_) ::close(p.fd);
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void PeerWatch::accept(int peers, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<bool> seen(size_t(peers) + 1, false);
  int joined = 0;
  while (joined < peers) {
    // The deadline holds whatever arrives: a stream of strangers cannot keep rank 0 here.
    if (Clock::now() >= deadline) {
      std::string missing;
      for (int r = 1; r <= peers; ++r)
        if (!seen[size_t(r)]) missing += (missing.empty() ? "" : ", ") + std::to_string(r);
      throw std::runtime_error("rank(s) " + missing + " did not connect to rank 0's watch within " +
                               std::to_string(timeout.count() / 1000) + " s (--comm-timeout)");
    }
    pollfd pfd{listen_fd_, POLLIN, 0};
    const int ready = ::poll(&pfd, 1, remaining_ms(deadline));
    if (ready < 0 && errno != EINTR) throw std::runtime_error("rank 0 cannot wait for the other ranks: " + errno_text());
    if (ready <= 0) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS)
        throw std::runtime_error("rank 0 cannot take the other ranks' connections: " + errno_text() +
                                 " (one file descriptor per rank; see ulimit -n)");
      continue;  // the connection went away before it was taken: its rank retries
    }
    // A rank sends its number right after connecting: a connection that stays silent is not one.
    std::uint32_t wire = 0;
    const auto by = std::min(deadline, Clock::now() + std::chrono::seconds(5));
    const int rank = read_exactly(fd, &wire, sizeof wire, by) ? int(ntohl(wire)) : -1;
    if (rank < 1 || rank > peers || seen[size_t(rank)]) {
      ::close(fd);  // not one of ours, or a second connection of one rank
      continue;
    }
    keep_alive(fd);
    seen[size_t(rank)] = true;
    peers_.push_back({rank, fd});
    ++joined;
  }
  ::close(listen_fd_);
  listen_fd_ = -1;
}

const std::vector<LostRank>& PeerWatch::lost() {
  if (peers_.empty()) return lost_;
  std::vector<pollfd> fds;
  for (const auto& p : peers_) fds.push_back({p.fd, POLLIN, 0});
  if (::poll(fds.data(), fds.size(), 0) <= 0) return lost_;
  std::vector<Peer> still;
  std::vector<LostRank> found;
  for (size_t i = 0; i < peers_.size(); ++i) {
    if (fds[i].revents == 0) {
      still.push_back(peers_[i]);
      continue;
    }
    char buf[64];
    const auto got = ::recv(peers_[i].fd, buf, sizeof buf, MSG_DONTWAIT);
    if (got > 0 && std::memchr(buf, kGoodbye, size_t(got))) {
      ::close(peers_[i].fd);  // a clean end: no longer watched
      continue;
    }
    if (got > 0 || (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))) {
      still.push_back(peers_[i]);  // bytes that are not a goodbye are read and dropped
      continue;
    }
    // Closed (0) or broken (reset, keepalive timeout) without a goodbye.
    found.push_back({peers_[i].rank, got == 0 ? "its connection to rank 0 closed"
                                              : "its connection to rank 0 broke (" + errno_text() + ")"});
    ::close(peers_[i].fd);
  }
  peers_ = std::move(still);
  // Earlier looks' losses stay first: a rank that died first is the likelier cause of the rest.
  std::sort(found.begin(), found.end(), [](const LostRank& a, const LostRank& b) { return a.rank < b.rank; });
  lost_.insert(lost_.end(), found.begin(), found.end());
  return lost_;
}

std::optional<FailureReport> first_cause(const std::vector<FailureReport>& reports, const std::vector<LostRank>& lost) {
  for (const auto& l : lost) {
    const bool reported = std::any_of(reports.begin(), reports.end(), [&](const FailureReport& r) { return r.rank == l.rank; });
    if (reported) continue;
    std::string message = "rank " + std::to_string(l.rank) + "'s process ended without reporting an error (" + l.how +
                          ": killed by a signal, out of memory, a crash or its node's failure)";
    if (!reports.empty())
      message += "; then rank " + std::to_string(reports.front().rank) + " reported: " + reports.front().message;
    return FailureReport{l.rank, message};
  }
  if (!reports.empty()) return reports.front();
  return std::nullopt;
}

PeerLink::PeerLink(const std::string& host, int port, int rank, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string where = host + ":" + std::to_string(port);
  std::string why;
  for (int attempt = 0;; ++attempt) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
    if (rc != 0) {
      why = ::gai_strerror(rc);
    } else {
      // At most 10 s per address: one that drops packets (a firewalled IPv6 address before the
      // IPv4 one) must leave time for the next; the first address's error is the one named.
      std::string first_why;
      for (auto* a = found; a && fd_ < 0; a = a->ai_next) {
        fd_ = connect_by(*a, std::min(deadline, Clock::now() + std::chrono::seconds(10)), why);
        if (fd_ < 0 && first_why.empty()) first_why = why;
      }
      if (fd_ < 0) why = first_why;
      ::freeaddrinfo(found);
    }
    if (fd_ >= 0) break;
    if (Clock::now() >= deadline)
      throw std::runtime_error("rank " + std::to_string(rank) + " cannot connect to rank 0's watch at " + where + ": " +
                               why + " (MASTER_ADDR)");
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(100, 5 * (attempt + 1))));
  }
  const std::uint32_t wire = htonl(std::uint32_t(rank));
  if (::send(fd_, &wire, sizeof wire, MSG_NOSIGNAL) != ssize_t(sizeof wire)) {
    const auto reason = errno_text();
    ::close(fd_);
    throw std::runtime_error("rank " + std::to_string(rank) + " cannot reach rank 0's watch at " + where + ": " + reason);
  }
}

PeerLink::~PeerLink() {
  if (fd_ >= 0) ::close(fd_);
}

void PeerLink::goodbye() {
  if (fd_ < 0) return;
  ::send(fd_, &kGoodbye, 1, MSG_NOSIGNAL);  // MSG_NOSIGNAL: rank 0 gone is no reason to die of SIGPIPE
}

}  // namespace lb
