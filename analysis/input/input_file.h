// What analyze reads must be a regular file of a bounded size, checked before it is opened: a FIFO
// would block the open forever, a device (/dev/zero) would never end, and a table is read whole.
#pragma once

#include <cstdint>
#include <string>

namespace lb::analysis {

// A CSV table (W&B export, reference) is read whole and parsed into cells: 256 MiB is about a
// million runs, ten times the largest export analyze is measured on (bench/analyze_scale.sh).
inline constexpr std::uint64_t kMaxTableBytes = std::uint64_t(256) << 20;
// A results file is read run by run (each table at most 4 GiB, results_reader.cpp); 256 GiB is far
// past a campaign's (1,000 runs of 10,000 steps: 1.7 GB).
inline constexpr std::uint64_t kMaxResultsFileBytes = std::uint64_t(256) << 30;

// Empty when `path` is a regular file (symbolic links followed) of at most `max_bytes`; else one
// line naming the file and what is wrong: "x.csv: a FIFO, not a regular file; a W&B export must be
// a file", "x.csv: 2.1 GiB, more than the 256 MiB limit for a W&B export; not read". Nothing is
// opened: stat() only.
std::string input_file_problem(const std::string& path, std::uint64_t max_bytes, const std::string& what);

// What a file that is not a regular one is, from its stat() mode: "a FIFO", "a folder", ...
const char* file_kind(unsigned mode);

}  // namespace lb::analysis
