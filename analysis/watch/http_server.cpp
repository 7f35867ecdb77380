#include "analysis/watch/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <list>

namespace lb::analysis::watch {
namespace {

double monotonic_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK); }

std::string lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Status";
  }
}

std::string render(const HttpResponse& r, bool head_only) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  // Every answer is of this moment (the page polls), is read as what it says it is, and is never
  // framed by another site.
  out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
         "Referrer-Policy: no-referrer\r\nConnection: close\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  out += "\r\n";
  if (!head_only) out += r.body;
  return out;
}

HttpResponse plain(int status, const std::string& text) {
  HttpResponse r;
  r.status = status;
  r.body = text + "\n";
  return r;
}

std::map<std::string, std::string> parse_query(const std::string& q) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  while (pos <= q.size()) {
    const std::size_t amp = std::min(q.find('&', pos), q.size());
    const std::string pair = q.substr(pos, amp - pos);
    if (!pair.empty()) {
      const std::size_t eq = pair.find('=');
      out[percent_decode(pair.substr(0, eq), true)] =
          eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1), true);
    }
    pos = amp + 1;
  }
  return out;
}

struct Connection {
  int fd = -1;
  std::string in, out;
  std::size_t sent = 0;
  bool answered = false;
  double last_activity = 0;
  double accepted_at = 0;
};

// Parses a request head (up to its blank line) into `req`; the status to answer with otherwise.
int parse_head(const std::string& head, HttpRequest& req, std::string& host) {
  const std::size_t eol = head.find("\r\n");
  const std::string line = head.substr(0, eol);
  const std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
  if (sp1 == std::string::npos || sp2 == sp1) return 400;
  req.method = line.substr(0, sp1);
  const std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (line.compare(sp2 + 1, 7, "HTTP/1.") != 0 || target.empty() || target[0] != '/') return 400;
  const std::size_t qm = target.find('?');
  req.path = percent_decode(target.substr(0, qm), false);
  if (qm != std::string::npos) req.query = parse_query(target.substr(qm + 1));
  for (std::size_t pos = eol == std::string::npos ? head.size() : eol + 2; pos < head.size();) {
    const std::size_t end = head.find("\r\n", pos);
    const std::string h = head.substr(pos, end - pos);
    pos = end == std::string::npos ? head.size() : end + 2;
    const std::size_t colon = h.find(':');
    if (colon == std::string::npos) continue;
    if (lower(trim(h.substr(0, colon))) == "host") host = trim(h.substr(colon + 1));
  }
  if (req.method != "GET" && req.method != "HEAD") return 405;
  return 0;
}

}  // namespace

std::string percent_decode(const std::string& text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(char(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else if (plus_is_space && text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool is_loopback_host(const std::string& raw) {
  std::string host = lower(raw);
  if (!host.empty() && host[0] == '[') {  // [::1]:8765
    const std::size_t close = host.find(']');
    if (close == std::string::npos) return false;
    const std::string rest = host.substr(close + 1);
    if (!rest.empty() && (rest[0] != ':' || rest.find_first_not_of("0123456789", 1) != std::string::npos)) return false;
    host = host.substr(1, close - 1);
    in6_addr a6{};
    return ::inet_pton(AF_INET6, host.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
  }
  const std::size_t colon = host.find(':');
  if (colon != std::string::npos) {
    if (host.find_first_not_of("0123456789", colon + 1) != std::string::npos) return false;
    host = host.substr(0, colon);
  }
  if (host == "localhost") return true;
  in_addr a4{};
  return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 && (ntohl(a4.s_addr) >> 24) == 127;
}

HttpServer::HttpServer(const std::string& address, int port) : address_(address) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(address.c_str(), service.c_str(), &hints, &found) != 0 || !found)
    throw BindError("'" + address + "' is not an IPv4 or IPv6 address (e.g. 127.0.0.1 or ::1)");
  const int family = found->ai_family;
  listen_fd_ = ::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) {
    ::freeaddrinfo(found);
    throw BindError("cannot open a socket: " + std::string(std::strerror(errno)));
  }
  const int one = 1;
  // A port left in TIME_WAIT by the last watch can be taken again; one that is listened on cannot.
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, found->ai_addr, found->ai_addrlen) != 0 || ::listen(listen_fd_, 16) != 0) {
    const int e = errno;
    ::freeaddrinfo(found);
    ::close(listen_fd_);
    listen_fd_ = -1;
    std::string why = std::strerror(e);
    if (e == EADDRINUSE) why = "already in use (another analyze --watch? --port 0 picks a free port)";
    if (e == EADDRNOTAVAIL) why = "not an address of this machine";
    if (e == EACCES) why = "not allowed (ports below 1024 need privileges)";
    throw BindError(address + " port " + std::to_string(port) + ": " + why);
  }
  ::freeaddrinfo(found);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  if (bound.ss_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(&bound);
    port_ = ntohs(a->sin_port);
    loopback_ = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
  } else {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&bound);
    port_ = ntohs(a->sin6_port);
    loopback_ = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
  }
  set_nonblocking(listen_fd_);
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    ::close(listen_fd_);
    throw BindError("cannot create a pipe: " + std::string(std::strerror(errno)));
  }
}

HttpServer::~HttpServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

std::string HttpServer::url() const {
  const bool v6 = address_.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + address_ + "]" : address_) + ":" + std::to_string(port_) + "/";
}

void HttpServer::stop() {
  const char c = 1;
  [[maybe_unused]] const ssize_t n = ::write(wake_[1], &c, 1);
}

void HttpServer::serve(const Handler& handler, const std::function<void()>& tick, double tick_s, int stop_fd) {
  std::list<Connection> conns;  // oldest first
  double next_tick = monotonic_s();
  double accept_paused_until = 0;  // out of file descriptors: the listener is left alone a while
  for (;;) {
    double now = monotonic_s();
    if (now >= next_tick) {
      // A refresh that throws (a folder that cannot be listed, memory) is retried at the next tick:
      // the page keeps being served, and the board says what it could not read.
      try {
        if (tick) tick();
      } catch (const std::exception&) {
      }
      now = monotonic_s();
      next_tick = now + tick_s;
    }
    std::vector<pollfd> fds;
    // poll() ignores a negative fd: while accepting is paused the pending connection does not make
    // every poll return at once.
    fds.push_back({now < accept_paused_until ? -1 : listen_fd_, POLLIN, 0});
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({stop_fd, POLLIN, 0});  // poll ignores a negative fd
    for (const auto& c : conns) fds.push_back({c.fd, short(c.answered ? POLLOUT : POLLIN), 0});
    const int wait_ms = int(std::max(0.0, std::min(next_tick - now, 1.0)) * 1000) + 1;
    const int n = ::poll(fds.data(), nfds_t(fds.size()), wait_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      for (auto& c : conns) ::close(c.fd);
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    }
    if (fds[1].revents || (stop_fd >= 0 && fds[2].revents)) break;
    now = monotonic_s();

    std::size_t i = 3;
    for (auto it = conns.begin(); it != conns.end(); ++i) {
      Connection& c = *it;
      const short ev = fds[i].revents;
      bool close_it = false;
      if (ev & (POLLERR | POLLNVAL)) close_it = true;
      if (!close_it && !c.answered && (ev & (POLLIN | POLLHUP))) {
        char buf[4096];
        const ssize_t got = ::recv(c.fd, buf, sizeof buf, 0);
        if (got <= 0) {
          close_it = got == 0 || (errno != EAGAIN && errno != EINTR);
        } else {
          c.last_activity = now;
          c.in.append(buf, std::size_t(got));
          const std::size_t end = c.in.find("\r\n\r\n");
          HttpResponse resp;
          bool head_only = false;
          if (end != std::string::npos || c.in.size() > kMaxRequestHeadBytes) {
            if (end == std::string::npos || end > kMaxRequestHeadBytes) {
              resp = plain(431, "request head too large");
            } else {
              HttpRequest req;
              std::string host;
              const int bad = parse_head(c.in.substr(0, end), req, host);
              head_only = req.method == "HEAD";
              if (bad == 405) {
                resp = plain(405, "only GET and HEAD");
                resp.headers.emplace_back("Allow", "GET, HEAD");
              } else if (bad) {
                resp = plain(bad, "malformed request");
              } else if (loopback_ && !is_loopback_host(host)) {
                resp = plain(403, "this server answers only requests to a loopback address (Host: 127.0.0.1 or localhost)");
              } else {
                try {
                  resp = handler(req);
                } catch (const std::exception& e) {
                  resp = plain(500, e.what());
                }
              }
            }
            c.out = render(resp, head_only);
            c.answered = true;
          }
        }
      } else if (!close_it && c.answered && (ev & POLLOUT)) {
        const ssize_t put = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
        if (put > 0) {
          c.sent += std::size_t(put);
          c.last_activity = now;
          if (c.sent == c.out.size()) close_it = true;
        } else if (put < 0 && errno != EAGAIN && errno != EINTR) {
          close_it = true;
        }
      } else if (!close_it && (ev & POLLHUP)) {
        close_it = true;
      }
      if (!close_it && (now - c.last_activity > kIdleTimeoutS || now - c.accepted_at > kMaxConnectionS)) close_it = true;
      if (close_it) {
        ::close(c.fd);
        it = conns.erase(it);
      } else {
        ++it;
      }
    }
    if (fds[0].revents & POLLIN) {
      for (;;) {
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
          if (errno == EMFILE || errno == ENFILE) accept_paused_until = now + 0.1;
          break;
        }
        // Full: the oldest connection makes room, so that clients holding slots cannot lock the
        // page out.
        if (conns.size() >= kMaxConnections) {
          ::close(conns.front().fd);
          conns.pop_front();
        }
        conns.push_back(Connection{fd, {}, {}, 0, false, now, now});
      }
    }
  }
  for (auto& c : conns) ::close(c.fd);
  // Drain the wake-up bytes so that a later serve() is not stopped by this stop().
  char buf[64];
  while (::read(wake_[0], buf, sizeof buf) > 0) {
  }
}

}  // namespace lb::analysis::watch
