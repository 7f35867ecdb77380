// Deterministic images from (seed, index): each class has its own colour and stripe pattern, each
// sample its own phase, contrast and noise, so a small model learns it well above chance in a few
// hundred steps, and any rank or thread can produce any sample without coordination.
#include <cmath>

#include "harness/data/dataset.h"

namespace lb {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

double unit(std::uint64_t h) { return double(h >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)

class SyntheticDataset final : public Dataset {
 public:
  SyntheticDataset(std::int64_t samples, int num_classes, std::uint64_t seed)
      : samples_(samples), classes_(num_classes), seed_(seed) {
    labels_.resize(samples);
    for (std::int64_t i = 0; i < samples; ++i)
      labels_[i] = std::int32_t(splitmix64(seed_ ^ splitmix64(std::uint64_t(i))) % std::uint64_t(classes_));
  }
  std::int64_t size() const override { return samples_; }
  ImageShape shape() const override { return {}; }
  std::string source() const override { return "synthetic"; }
  const std::vector<std::int32_t>& labels() const override { return labels_; }

  void read_images(const std::vector<std::int64_t>& indices, float* images) const override {
    const ImageShape s = shape();
    for (size_t n = 0; n < indices.size(); ++n) render(indices[n], s, images + n * s.numel());
  }

 private:
  void render(std::int64_t index, const ImageShape& s, float* out) const {
    const int label = labels_[index];
    const std::uint64_t class_key = splitmix64(seed_ * 31 + std::uint64_t(label) + 1);
    const std::uint64_t sample_key = splitmix64(seed_ ^ (std::uint64_t(index) * 0x9E3779B97F4A7C15ull));
    // Class: base colour, stripe frequency and orientation.
    double colour[3];
    for (int c = 0; c < 3; ++c) colour[c] = 0.2 + 0.6 * unit(splitmix64(class_key + c));
    const double freq = 1.0 + 5.0 * unit(splitmix64(class_key + 7));
    const double angle = 3.14159265358979 * unit(splitmix64(class_key + 11));
    const double fx = std::cos(angle) * freq * 2 * 3.14159265358979 / s.width;
    const double fy = std::sin(angle) * freq * 2 * 3.14159265358979 / s.height;
    // Sample: phase, contrast, noise.
    const double phase = 6.28318530717959 * unit(splitmix64(sample_key + 1));
    const double contrast = 0.15 + 0.15 * unit(splitmix64(sample_key + 2));
    std::uint64_t noise = splitmix64(sample_key + 3);
    for (int c = 0; c < s.channels; ++c) {
      for (int y = 0; y < s.height; ++y) {
        for (int x = 0; x < s.width; ++x) {
          noise = splitmix64(noise);
          const double v = colour[c] + contrast * std::sin(fx * x + fy * y + phase + c) + 0.1 * (unit(noise) - 0.5);
          out[(std::int64_t(c) * s.height + y) * s.width + x] = float(std::fmin(1.0, std::fmax(0.0, v)));
        }
      }
    }
  }

  std::int64_t samples_;
  int classes_;
  std::uint64_t seed_;
  std::vector<std::int32_t> labels_;
};

}  // namespace

std::unique_ptr<Dataset> make_synthetic_dataset(std::int64_t samples, int num_classes, std::uint64_t seed) {
  return std::make_unique<SyntheticDataset>(samples, num_classes, seed);
}

}  // namespace lb
