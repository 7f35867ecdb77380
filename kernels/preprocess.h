// The LUMI AI guide's transform, Resize(256, bilinear) -> CenterCrop(224) -> Normalize(ImageNet
// mean/std): CPU reference and GPU kernel (HIP or CUDA) in preprocess.cpp. Sizes scale with the
// model's image size (resize = round(size * 256 / 224)), so the tiny test models get the same
// pipeline. Downscaling antialiases as torchvision >= 0.17 (and PIL) do unless `antialias` is off;
// upscaling (the guide's 64 -> 256) is the same either way.
#pragma once

namespace lb {

struct PreprocessSpec {
  int in_h = 64, in_w = 64;           // source image
  int resize_h = 256, resize_w = 256;  // after Resize (smaller edge -> resize)
  int crop = 224;                      // square centre crop = model input
  int top = 16, left = 16;             // crop offset inside the resized image
  bool antialias = true;               // torchvision >= 0.17's default for tensors, PIL's behaviour
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float std[3] = {0.229f, 0.224f, 0.225f};
  // True when some edge shrinks; the antialiased path is taken when this and `antialias` hold
  // (preprocess_cpu and the kernel test both).
  bool downscales() const { return resize_h < in_h || resize_w < in_w; }
};

// torchvision's arithmetic for Resize(int) and CenterCrop on an in_h x in_w image. Throws
// std::invalid_argument when the image is too large to antialias (more than 30x the resize).
PreprocessSpec guide_preprocess_spec(int in_h, int in_w, int crop, bool antialias = true);

// CPU reference. src: [n, 3, in_h, in_w] in [0, 1]; dst: [n, 3, crop, crop].
void preprocess_cpu(const float* src, float* dst, int n, const PreprocessSpec& spec);

#if defined(LB_WITH_GPU_KERNELS)
// The same on the GPU: device pointers, launched on `stream` (a hipStream_t or cudaStream_t).
void preprocess_gpu(const float* d_src, float* d_dst, int n, const PreprocessSpec& spec, void* stream);
#endif

}  // namespace lb
