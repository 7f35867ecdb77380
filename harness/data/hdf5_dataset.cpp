// The LUMI AI guide's file: `images` float32 [N, 3, H, W] in [0, 1], `labels` int32 [N].
// Images are read lazily by hyperslab: one read per batch whose selection is the union of the
// batch's (sorted, merged) index runs; the file is never loaded whole.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>

#include "harness/data/dataset.h"
#include "common/h5.h"
#include "common/errors.h"

namespace lb {
namespace {

// Images larger than this per side are refused before anything is allocated (a file can declare
// any shape over chunks that were never written).
constexpr hsize_t kMaxSide = 4096;
// Images read and checked up front: the first, the last and some spread between, at most 64 and
// at most 256 MB of them.
constexpr std::int64_t kSampled = 64;
constexpr std::int64_t kSampleBytes = std::int64_t(256) << 20;

// The first value of `n` that is not a pixel in [0, 1], as text with its position, or "".
std::string first_bad_pixel(const float* v, std::int64_t n, std::int64_t per_image,
                            const std::vector<std::int64_t>& indices, float* largest) {
  for (std::int64_t i = 0; i < n; ++i) {
    if (*largest < v[i] && std::isfinite(v[i])) *largest = v[i];
    if (v[i] >= 0.0f && v[i] <= 1.0f) continue;
    char buf[96];
    std::snprintf(buf, sizeof buf, "image %lld holds %s", static_cast<long long>(indices[size_t(i / per_image)]),
                  std::isnan(v[i]) ? "NaN" : std::isinf(v[i]) ? (v[i] > 0 ? "inf" : "-inf") : "");
    std::string text = buf;
    if (std::isfinite(v[i])) text += std::to_string(v[i]);
    return text;
  }
  return "";
}

class Hdf5Dataset final : public Dataset {
 public:
  explicit Hdf5Dataset(const std::string& path) : path_(path) {
    // Whatever HDF5 reports while the file is opened and checked (a truncated or damaged file) is
    // an input error found before training: exit 2, one line.
    try {
      open();
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      const std::string what = e.what();
      throw UsageError(what.rfind("--data", 0) == 0 ? what + " (damaged or truncated file?)"
                                                    : "--data " + path + ": " + what + " (damaged or truncated file?)");
    }
  }

  void open() {
    const std::string& path = path_;
    {
    std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
    h5::quiet_errors();
    if (H5Fis_hdf5(path.c_str()) <= 0) throw UsageError("--data " + path + ": not an HDF5 file");
    file_ = h5::file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "--data " + path + ": cannot open");
    const std::string expected = "expected 'images' float32 [N,3,H,W] and 'labels' int32 [N]";
    auto fail = [&](const std::string& what) { throw UsageError("--data " + path + ": " + what + " (" + expected + ")"); };
    if (H5Lexists(file_, "images", H5P_DEFAULT) <= 0) fail("no dataset 'images'");
    if (H5Lexists(file_, "labels", H5P_DEFAULT) <= 0) fail("no dataset 'labels'");
    images_ = h5::dataset(H5Dopen2(file_, "images", H5P_DEFAULT), "--data " + path + ": cannot open 'images'");
    {
      auto t = h5::type(H5Dget_type(images_), "type");
      if (H5Tget_class(t) != H5T_FLOAT || H5Tget_size(t) != 4) fail("dataset 'images' is not float32");
      auto sp = h5::space(H5Dget_space(images_), "space");
      hsize_t dims[8] = {};
      const int rank = H5Sget_simple_extent_ndims(sp);
      if (rank != 4) fail("dataset 'images' has " + std::to_string(rank) + " dimensions");
      H5Sget_simple_extent_dims(sp, dims, nullptr);
      if (dims[1] != 3) fail("dataset 'images' has shape [" + std::to_string(dims[0]) + "," + std::to_string(dims[1]) +
                             "," + std::to_string(dims[2]) + "," + std::to_string(dims[3]) + "]");
      if (dims[0] < 2 || dims[2] < 1 || dims[3] < 1) fail("dataset 'images' is empty");
      if (dims[2] > kMaxSide || dims[3] > kMaxSide)
        fail("dataset 'images' holds images of " + std::to_string(dims[2]) + "x" + std::to_string(dims[3]) +
             " pixels, more than " + std::to_string(kMaxSide) + " per side");
      size_ = std::int64_t(dims[0]);
      shape_ = {3, int(dims[2]), int(dims[3])};
    }
    auto labels = h5::dataset(H5Dopen2(file_, "labels", H5P_DEFAULT), "--data " + path + ": cannot open 'labels'");
    auto t = h5::type(H5Dget_type(labels), "type");
    if (H5Tget_class(t) != H5T_INTEGER) fail("dataset 'labels' is not an integer type");
    auto sp = h5::space(H5Dget_space(labels), "space");
    hsize_t n = 0;
    if (H5Sget_simple_extent_ndims(sp) != 1) fail("dataset 'labels' is not one-dimensional");
    H5Sget_simple_extent_dims(sp, &n, nullptr);
    if (std::int64_t(n) != size_)
      fail("dataset 'labels' has " + std::to_string(n) + " entries but 'images' has " + std::to_string(size_));
    labels_.resize(n);
    if (H5Dread(labels, H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, labels_.data()) < 0)
      throw UsageError("--data " + path + ": cannot read 'labels' (damaged or truncated file?)");
    }
    check_sample();
  }

  // Pixels must be float32 in [0, 1]: a sample of images is read and checked now (exit 2), every
  // batch again when it is read (a bad value found during training fails the run, exit 1).
  void check_sample() {
    std::vector<std::int64_t> picks;
    const std::int64_t per_image = shape_.numel() * std::int64_t(sizeof(float));
    const std::int64_t n = std::min({kSampled, size_, std::max<std::int64_t>(2, kSampleBytes / per_image)});
    for (std::int64_t k = 0; k < n; ++k) picks.push_back(n == 1 ? 0 : k * (size_ - 1) / (n - 1));
    picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
    std::vector<float> buffer(picks.size() * size_t(shape_.numel()));
    try {
      read_raw(picks, buffer.data());
    } catch (const std::exception&) {
      throw UsageError("--data " + path_ + ": cannot read 'images' (damaged or truncated file?)");
    }
    float largest = 0;
    const std::string bad =
        first_bad_pixel(buffer.data(), std::int64_t(buffer.size()), shape_.numel(), picks, &largest);
    if (!bad.empty())
      throw UsageError("--data " + path_ + ": 'images' holds values outside [0, 1] (" + bad +
                       (largest > 1.0f && largest <= 255.0f ? "; pixels stored as 0..255? divide them by 255" : "") +
                       "; expected float32 pixels in [0, 1])");
  }

  std::int64_t size() const override { return size_; }
  ImageShape shape() const override { return shape_; }
  std::string source() const override { return "hdf5"; }
  std::string path() const override { return path_; }
  const std::vector<std::int32_t>& labels() const override { return labels_; }

  void read_images(const std::vector<std::int64_t>& indices, float* images) const override {
    read_raw(indices, images);
    float largest = 0;
    const std::string bad = first_bad_pixel(images, std::int64_t(indices.size()) * shape_.numel(), shape_.numel(),
                                            indices, &largest);
    if (!bad.empty())
      throw std::runtime_error("--data " + path_ + ": 'images' holds values outside [0, 1] (" + bad +
                               "; expected float32 pixels in [0, 1])");
  }

 private:
  void read_raw(const std::vector<std::int64_t>& indices, float* images) const {
    if (indices.empty()) return;
    std::lock_guard<std::mutex> lock(h5::hdf5_mutex());
    auto fsp = h5::space(H5Dget_space(images_), "space of 'images'");
    H5Sselect_none(fsp);
    for (size_t i = 0; i < indices.size();) {
      size_t j = i + 1;
      while (j < indices.size() && indices[j] == indices[j - 1] + 1) ++j;  // merge runs
      hsize_t start[4] = {hsize_t(indices[i]), 0, 0, 0};
      hsize_t count[4] = {hsize_t(j - i), hsize_t(shape_.channels), hsize_t(shape_.height), hsize_t(shape_.width)};
      h5::check(H5Sselect_hyperslab(fsp, H5S_SELECT_OR, start, nullptr, count, nullptr), "selection");
      i = j;
    }
    hsize_t mdims[4] = {hsize_t(indices.size()), hsize_t(shape_.channels), hsize_t(shape_.height),
                        hsize_t(shape_.width)};
    auto msp = h5::space(H5Screate_simple(4, mdims, nullptr), "memory space");
    h5::check(H5Dread(images_, H5T_NATIVE_FLOAT, msp, fsp, H5P_DEFAULT, images),
              "--data " + path_ + ": reading 'images' failed");
  }

  std::string path_;
  h5::Handle file_, images_;
  std::int64_t size_ = 0;
  ImageShape shape_;
  std::vector<std::int32_t> labels_;
};

}  // namespace

std::unique_ptr<Dataset> open_hdf5_dataset(const std::string& path) { return std::make_unique<Hdf5Dataset>(path); }

}  // namespace lb
