// An image folder as torchvision's ImageFolder reads it: <dir>/<class>/**/*.JPEG|jpg|png, classes in
// sorted order, files in sorted order (the raw Tiny ImageNet layout: <dir>/train/<wnid>/images/*.JPEG;
// a <dir> holding train/ is read from train/). Decoded with libjpeg(-turbo) / libpng to RGB in [0, 1].
// All images must have the size of the first one (Tiny ImageNet: 64x64).
// jpeglib.h uses size_t and FILE without including their headers: those come first.
#include <cstddef>
#include <cstdio>

#include <jpeglib.h>
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <filesystem>
#include <memory>

#include "harness/data/dataset.h"
#include "common/errors.h"

namespace lb {
namespace fs = std::filesystem;
namespace {

struct Decoded {
  int width = 0, height = 0;
  std::vector<unsigned char> rgb;  // interleaved [H, W, 3]
};

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

// libjpeg prints its warnings (a truncated file: "Premature end of JPEG file") to stderr; errors
// are ours to report in one line, warnings are not printed.
extern "C" void jpeg_quiet(j_common_ptr) {}

extern "C" void jpeg_error_exit(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

// Images larger than this per side are refused (a PNG header can declare 4 billion pixels a side).
constexpr int kMaxSide = 4096;

// With pixels = false only the header is read: width and height, no pixels decoded.
Decoded read_jpeg(const std::string& path, bool pixels) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) throw std::runtime_error(path + ": cannot open");
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_error_exit;
  err.mgr.output_message = jpeg_quiet;
  Decoded out;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    throw std::runtime_error(path + ": not a readable JPEG (" + err.message + ")");
  }
  jpeg_create_decompress(&cinfo);
  jpeg_stdio_src(&cinfo, f.get());
  jpeg_read_header(&cinfo, TRUE);
  if (!pixels) {
    out.width = int(cinfo.image_width);
    out.height = int(cinfo.image_height);
    jpeg_destroy_decompress(&cinfo);
    return out;
  }
  cinfo.out_color_space = JCS_RGB;  // grayscale images (Tiny ImageNet has some) become RGB
  jpeg_start_decompress(&cinfo);
  out.width = int(cinfo.output_width);
  out.height = int(cinfo.output_height);
  out.rgb.resize(size_t(out.width) * out.height * 3);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.rgb.data() + size_t(cinfo.output_scanline) * out.width * 3;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return out;
}

Decoded read_png(const std::string& path, bool pixels) {
  png_image image = {};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    throw std::runtime_error(path + ": not a readable PNG (" + image.message + ")");
  Decoded out;
  if (!pixels) {
    out.width = int(std::min<png_uint_32>(image.width, 1u << 30));
    out.height = int(std::min<png_uint_32>(image.height, 1u << 30));
    png_image_free(&image);
    return out;
  }
  image.format = PNG_FORMAT_RGB;
  out.width = int(image.width);
  out.height = int(image.height);
  out.rgb.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.rgb.data(), 0, nullptr)) {
    png_image_free(&image);
    throw std::runtime_error(path + ": not a readable PNG (" + image.message + ")");
  }
  return out;
}

std::string lower_extension(const fs::path& p) {
  std::string e = p.extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return e;
}

Decoded decode(const std::string& path) {
  return lower_extension(path) == ".png" ? read_png(path, true) : read_jpeg(path, true);
}

Decoded probe(const std::string& path) {
  return lower_extension(path) == ".png" ? read_png(path, false) : read_jpeg(path, false);
}

class FolderDataset final : public Dataset {
 public:
  explicit FolderDataset(const std::string& path) : path_(path) {
    try {
      open();
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {  // a folder that cannot be listed (permissions, a loop)
      throw UsageError("--data " + path + ": " + e.what());
    }
  }

  // Every image's header is read now (a few seconds for Tiny ImageNet's 100,000 files), so a file
  // that is not an image, or has another size than the first, is an input error before training
  // (exit 2) rather than a failed run after hours of it.
  void open() {
    const std::string& path = path_;
    fs::path root = path;
    if (fs::is_directory(root / "train")) root /= "train";
    std::vector<fs::path> classes;
    for (const auto& e : fs::directory_iterator(root))
      if (e.is_directory()) classes.push_back(e.path());
    std::sort(classes.begin(), classes.end());
    if (classes.empty()) throw UsageError("--data " + path + ": no class folders (expected <dir>/<class>/*.JPEG|png)");
    for (size_t c = 0; c < classes.size(); ++c) {
      std::vector<std::string> files;
      for (const auto& e : fs::recursive_directory_iterator(classes[c])) {
        const std::string ext = lower_extension(e.path());
        if (e.is_regular_file() && (ext == ".jpeg" || ext == ".jpg" || ext == ".png")) files.push_back(e.path().string());
      }
      std::sort(files.begin(), files.end());
      if (files.empty())
        throw UsageError("--data " + path + ": class folder '" + classes[c].filename().string() +
                         "' holds no image (expected <dir>/<class>/*.JPEG|jpg|png; torchvision's ImageFolder refuses it too)");
      for (auto& f : files) {
        files_.push_back(std::move(f));
        labels_.push_back(std::int32_t(c));
      }
    }
    if (files_.size() < 2) throw UsageError("--data " + path + ": fewer than 2 images (expected <dir>/<class>/*.JPEG|png)");
    Decoded first;
    for (size_t i = 0; i < files_.size(); ++i) {
      Decoded d;
      try {
        d = probe(files_[i]);
      } catch (const std::runtime_error& e) {
        throw UsageError(std::string("--data ") + path + ": " + e.what());
      }
      if (d.width < 1 || d.height < 1 || d.width > kMaxSide || d.height > kMaxSide)
        throw UsageError("--data " + path + ": " + files_[i] + ": " + std::to_string(d.width) + "x" +
                         std::to_string(d.height) + " pixels (expected 1 to " + std::to_string(kMaxSide) + " a side)");
      if (i == 0) {
        first = d;
      } else if (d.width != first.width || d.height != first.height) {
        throw UsageError("--data " + path + ": " + files_[i] + ": " + std::to_string(d.width) + "x" +
                         std::to_string(d.height) + " pixels, expected " + std::to_string(first.width) + "x" +
                         std::to_string(first.height) + " as the folder's first image (" + files_[0] + ")");
      }
    }
    shape_ = {3, first.height, first.width};
  }

  std::int64_t size() const override { return std::int64_t(files_.size()); }
  ImageShape shape() const override { return shape_; }
  std::string source() const override { return "folder"; }
  std::string path() const override { return path_; }
  const std::vector<std::int32_t>& labels() const override { return labels_; }

  void read_images(const std::vector<std::int64_t>& indices, float* images) const override {
    const auto plane = std::int64_t(shape_.height) * shape_.width;
    for (size_t n = 0; n < indices.size(); ++n) {
      const auto& file = files_[indices[n]];
      Decoded d = decode(file);
      if (d.width != shape_.width || d.height != shape_.height)
        throw std::runtime_error(file + ": " + std::to_string(d.width) + "x" + std::to_string(d.height) +
                                 " pixels, expected " + std::to_string(shape_.width) + "x" +
                                 std::to_string(shape_.height) + " as the folder's first image");
      float* out = images + n * shape_.numel();
      for (std::int64_t p = 0; p < plane; ++p)
        for (int c = 0; c < 3; ++c) out[c * plane + p] = d.rgb[p * 3 + c] * (1.0f / 255.0f);
    }
  }

 private:
  std::string path_;
  std::vector<std::string> files_;
  std::vector<std::int32_t> labels_;
  ImageShape shape_;
};

}  // namespace

std::unique_ptr<Dataset> open_folder_dataset(const std::string& path) { return std::make_unique<FolderDataset>(path); }

}  // namespace lb
