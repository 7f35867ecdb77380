// A source of raw samples: images as float32 [3, H, W] in [0, 1] and integer labels. Sources read
// lazily; the loader asks for a batch of sorted indices at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace lb {

struct ImageShape {
  int channels = 3, height = 64, width = 64;
  std::int64_t numel() const { return std::int64_t(channels) * height * width; }
};

class Dataset {
 public:
  virtual ~Dataset() = default;
  virtual std::int64_t size() const = 0;
  virtual ImageShape shape() const = 0;
  // "synthetic", "hdf5" or "folder"
  virtual std::string source() const = 0;
  virtual std::string path() const { return ""; }
  // Every label, in dataset order (small: 400 KB for Tiny ImageNet); validated up front.
  virtual const std::vector<std::int32_t>& labels() const = 0;
  // indices: ascending. images: [indices.size(), C, H, W] in the same order. Thread-safe.
  virtual void read_images(const std::vector<std::int64_t>& indices, float* images) const = 0;
};

// Picks the source from --data: "synthetic", an HDF5 file, or a folder of class folders.
// Throws UsageError with a one-line message (file, dataset, expected shape) for bad input,
// including labels outside [0, num_classes).
std::unique_ptr<Dataset> open_dataset(const std::string& data, int num_classes, std::uint64_t seed,
                                      std::int64_t synthetic_samples);

std::unique_ptr<Dataset> make_synthetic_dataset(std::int64_t samples, int num_classes, std::uint64_t seed);
std::unique_ptr<Dataset> open_hdf5_dataset(const std::string& path);
std::unique_ptr<Dataset> open_folder_dataset(const std::string& path);

}  // namespace lb
