#include "harness/dist/transport.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace lb {
namespace {

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

std::string join(const std::set<std::string>& values) {
  std::string out;
  for (const auto& v : values) {
    if (v.empty()) continue;
    out += (out.empty() ? "" : ", ") + v;
  }
  return out;
}

std::set<std::string> split(const std::string& s) {
  std::set<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) {
    item = trim(item);
    if (!item.empty()) out.insert(item);
  }
  return out;
}

}  // namespace

Transport parse_nccl_report(const std::string& log) {
  std::set<std::string> inter, intra;
  std::stringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find("NCCL INFO") == std::string::npos) continue;
    if (auto p = line.find("Using network "); p != std::string::npos) {
      const auto name = trim(line.substr(p + 14));
      inter.insert(name == "Socket" ? "socket" : name == "IB" ? "IB" : "plugin: " + name);
      continue;
    }
    // "Channel 00/0 : 0[0] -> 1[1] via P2P/IPC" (RCCL: "... via P2P/IPC comm 0x... nRanks 08").
    const auto via = line.find(" via ");
    if (line.find("Channel") == std::string::npos || via == std::string::npos) continue;
    auto path = line.substr(via + 5);
    path = path.substr(0, path.find(' '));
    if (path.rfind("NET/", 0) == 0) continue;  // between nodes: the network line above says which
    if (path.rfind("SHM", 0) == 0) path = "SHM";
    if (path.rfind("P2P/", 0) == 0 && path.find("/read") != std::string::npos) path = path.substr(0, path.find("/read"));
    intra.insert(path);
  }
  return {join(inter), join(intra)};
}

Transport merge_transports(const std::vector<Transport>& per_rank) {
  std::set<std::string> inter, intra;
  for (const auto& t : per_rank) {
    for (const auto& v : split(t.inter_node)) inter.insert(v);
    for (const auto& v : split(t.intra_node)) intra.insert(v);
  }
  return {join(inter), join(intra)};
}

bool slow_inter_node(const Transport& t) {
  return t.inter_node.empty() || t.inter_node.find("socket") != std::string::npos;
}

TransportReport::TransportReport() {
  if (std::getenv("NCCL_DEBUG")) return;
  path_ = (std::filesystem::temp_directory_path() / ("lb-nccl-report-" + std::to_string(getpid()) + ".log")).string();
  std::error_code ec;
  std::filesystem::remove(path_, ec);
  setenv("NCCL_DEBUG", "INFO", 1);
  setenv("NCCL_DEBUG_SUBSYS", "INIT,NET", 1);
  setenv("NCCL_DEBUG_FILE", path_.c_str(), 1);
}

TransportReport::~TransportReport() {
  if (path_.empty()) return;
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

Transport TransportReport::read(std::string* why_unknown) const {
  if (path_.empty()) {
    if (why_unknown) *why_unknown = "NCCL_DEBUG was set by the user: the library's report went where they asked";
    return {};
  }
  std::ifstream in(path_);
  if (!in) {
    if (why_unknown) *why_unknown = "the library wrote no report (" + path_ + ")";
    return {};
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_nccl_report(text.str());
}

std::string describe(const Transport& t) {
  return "inter-node: " + (t.inter_node.empty() ? std::string("unknown") : t.inter_node) +
         "; intra-node: " + (t.intra_node.empty() ? std::string("none seen") : t.intra_node);
}

std::string encode(const Transport& t) { return t.inter_node + "\n" + t.intra_node; }

Transport decode(const std::string& text) {
  const auto nl = text.find('\n');
  if (nl == std::string::npos) return {text, ""};
  return {text.substr(0, nl), text.substr(nl + 1)};
}

}  // namespace lb
