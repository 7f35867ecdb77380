// A tiny HTTP/1.1 server on POSIX sockets for the live page: GET and HEAD only, one request per
// connection (Connection: close), every socket non-blocking in one poll() loop, so a slow or
// silent client never holds up another or the journal reading between requests. Meant for
// localhost: bound to a loopback address it answers only requests whose Host names a loopback
// address (a web page elsewhere cannot reach it through a DNS name rebound to 127.0.0.1).
#pragma once

#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace lb::analysis::watch {

// The address or port could not be used (in use, not an address of this machine, not allowed).
struct BindError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HttpRequest {
  std::string method;  // "GET" or "HEAD"
  std::string path;    // percent-decoded, without the query
  std::map<std::string, std::string> query;  // percent-decoded; '+' is a space
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides the ones every answer has
};

// Request heads longer than this are refused (431); the page's own are under 1 KiB.
inline constexpr std::size_t kMaxRequestHeadBytes = 16 * 1024;
// Connections open at once; a new one past this closes the oldest (a local page needs two or three).
inline constexpr std::size_t kMaxConnections = 64;
// A connection that sends or takes nothing for this long is closed.
inline constexpr double kIdleTimeoutS = 10;
// A connection open this long is closed whatever it sends or takes: a client trickling a byte at a
// time would otherwise keep its slot for hours (the 5 MB page takes milliseconds on a loopback).
inline constexpr double kMaxConnectionS = 120;

class HttpServer {
 public:
  // Listens on `address` (an IPv4 or IPv6 literal) and `port` (0: any free port). Throws BindError
  // naming the address and the system's reason.
  HttpServer(const std::string& address, int port);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const { return port_; }  // the port bound (the one chosen for port 0)
  const std::string& address() const { return address_; }
  bool loopback() const { return loopback_; }
  // http://127.0.0.1:8765/ (IPv6 in brackets)
  std::string url() const;

  using Handler = std::function<HttpResponse(const HttpRequest&)>;
  // Serves until stop() is called or `stop_fd` (>= 0) becomes readable; calls `tick` about every
  // `tick_s` seconds between requests.
  void serve(const Handler& handler, const std::function<void()>& tick, double tick_s, int stop_fd = -1);
  // From any thread: serve() returns soon after.
  void stop();

 private:
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};  // stop() writes to wake_[1]
  int port_ = 0;
  std::string address_;
  bool loopback_ = false;
};

// Percent-decodes `text` ('+' as a space when `plus_is_space`); a malformed escape stays as it is.
std::string percent_decode(const std::string& text, bool plus_is_space);

// Whether a request's Host header names a loopback address (127.0.0.0/8, ::1, localhost), with or
// without a port.
bool is_loopback_host(const std::string& host);

}  // namespace lb::analysis::watch
