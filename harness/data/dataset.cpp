#include "harness/data/dataset.h"

#include <filesystem>

#include "common/errors.h"

namespace lb {
namespace fs = std::filesystem;

std::unique_ptr<Dataset> open_dataset(const std::string& data, int num_classes, std::uint64_t seed,
                                      std::int64_t synthetic_samples) {
  std::unique_ptr<Dataset> ds;
  if (data == "synthetic") {
    ds = make_synthetic_dataset(synthetic_samples, num_classes, seed);
  } else if (fs::is_directory(data)) {
#if defined(LB_WITH_IMAGE_FOLDERS)
    ds = open_folder_dataset(data);
#else
    throw UsageError("--data " + data + ": this harness was built without libjpeg/libpng (no image folders)");
#endif
  } else if (fs::exists(data)) {
#if defined(LB_WITH_HDF5)
    ds = open_hdf5_dataset(data);
#else
    throw UsageError("--data " + data + ": this harness was built without HDF5 (LB_WITH_HDF5=OFF)");
#endif
  } else {
    throw UsageError("--data " + data + ": no such file or folder (expected 'synthetic', an HDF5 file or an image folder)");
  }
  const auto& labels = ds->labels();
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= num_classes)
      throw UsageError("--data " + data + ": label " + std::to_string(labels[i]) + " of sample " + std::to_string(i) +
                       " is outside [0, " + std::to_string(num_classes) + ") (set --num-classes)");
  }
  return ds;
}

}  // namespace lb
