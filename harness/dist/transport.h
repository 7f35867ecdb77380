// Which network path the GPU collective library chose, read from the library's own report: NCCL
// (and RCCL, which keeps NCCL's messages) logs at INFO level which network it uses between nodes
// ("Using network Socket", "Using network AWS Libfabric" when the aws-ofi-rccl plugin is loaded)
// and how each channel connects ("via P2P/IPC", "via SHM/direct/direct", "via NET/Socket/0"). On
// LUMI a missing plugin sends the gradients over TCP sockets with no error, several times slower:
// the run records what was chosen, analyze marks such multi-node runs, and --require-fast-network
// refuses them.
#pragma once

#include <string>
#include <vector>

namespace lb {

struct Transport {
  std::string inter_node;  // "socket", "plugin: <name>", "IB", ...; "" when the report says nothing
  std::string intra_node;  // "P2P/IPC", "P2P/direct pointer", "SHM", ... joined with ", "; "" when none
};

// What one process's NCCL/RCCL INFO log says.
Transport parse_nccl_report(const std::string& log);
// The job's view from every rank's: distinct values joined with ", ".
Transport merge_transports(const std::vector<Transport>& per_rank);
// True when gradients cross nodes over plain TCP sockets (or the report is silent about it).
bool slow_inter_node(const Transport& t);

// Arms the report before the library starts (NCCL reads its environment once): NCCL_DEBUG=INFO,
// NCCL_DEBUG_SUBSYS=INIT,NET into a file of this process's own (NCCL_DEBUG_FILE). A user's own
// NCCL_DEBUG is left alone, and then nothing is read back.
class TransportReport {
 public:
  TransportReport();
  ~TransportReport();  // removes the file
  // The transport as the report says so far; `why_unknown` explains an empty result.
  Transport read(std::string* why_unknown) const;

 private:
  std::string path_;
};

// "inter-node: socket; intra-node: P2P/IPC", for messages.
std::string describe(const Transport& t);
// Encoding for the gather to rank 0.
std::string encode(const Transport& t);
Transport decode(const std::string& text);

}  // namespace lb
