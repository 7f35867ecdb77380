// Error kinds that decide the exit code. The message is one line naming the option, file or
// dataset and what was expected.
#pragma once

#include <stdexcept>
#include <string>

namespace lb {

// Bad options or input found before training: exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The results could not be written (disk full, quota, I/O error): exit 4.
struct RecordError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The loss became NaN or infinite: exit 3.
struct DivergedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace lb
