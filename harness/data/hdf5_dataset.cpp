// The LUMI AI guide's file: `images` float32 [N, 3, H, W] in [0, 1], `labels` int32 [N].
// Images are read lazily by hyperslab: one read per batch whose selection is the union of the
// batch's (sorted, merged) index runs; the file is never loaded whole.
#include <mutex>

#include "data/dataset.h"
#include "common/h5.h"
#include "util/errors.h"

namespace lb {
namespace {

class Hdf5Dataset final : public Dataset {
 public:
  explicit Hdf5Dataset(const std::string& path) : path_(path) {
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
      size_ = std::int64_t(dims[0]);
      shape_ = {3, int(dims[2]), int(dims[3])};
      if (size_ < 2 || shape_.height < 1 || shape_.width < 1) fail("dataset 'images' is empty");
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
      throw std::runtime_error("--data " + path + ": cannot read 'labels'");
  }

  std::int64_t size() const override { return size_; }
  ImageShape shape() const override { return shape_; }
  std::string source() const override { return "hdf5"; }
  std::string path() const override { return path_; }
  const std::vector<std::int32_t>& labels() const override { return labels_; }

  void read_images(const std::vector<std::int64_t>& indices, float* images) const override {
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

 private:
  std::string path_;
  h5::Handle file_, images_;
  std::int64_t size_ = 0;
  ImageShape shape_;
  std::vector<std::int32_t> labels_;
};

}  // namespace

std::unique_ptr<Dataset> open_hdf5_dataset(const std::string& path) { return std::make_unique<Hdf5Dataset>(path); }

}  // namespace lb
