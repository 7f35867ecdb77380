// The LUMI AI guide's transform, Resize(256, bilinear) -> CenterCrop(224) -> Normalize(ImageNet
// mean/std), fused into one pass over each output pixel. Sizes scale with the model's image size
// (resize = round(size * 256 / 224)), so the tiny test models get the same pipeline.
#pragma once

namespace lb {

struct PreprocessSpec {
  int in_h = 64, in_w = 64;           // source image
  int resize_h = 256, resize_w = 256;  // after Resize (smaller edge -> resize)
  int crop = 224;                      // square centre crop = model input
  int top = 16, left = 16;             // crop offset inside the resized image
  float mean[3] = {0.485f, 0.456f, 0.406f};
  float std[3] = {0.229f, 0.224f, 0.225f};
};

// torchvision's arithmetic for Resize(int) and CenterCrop on an in_h x in_w image.
PreprocessSpec guide_preprocess_spec(int in_h, int in_w, int crop);

// CPU reference. src: [n, 3, in_h, in_w] in [0, 1]; dst: [n, 3, crop, crop].
void preprocess_cpu(const float* src, float* dst, int n, const PreprocessSpec& spec);

#if defined(LB_WITH_HIP)
// Same on the GPU: device pointers, launched on `stream` (a hipStream_t).
void preprocess_hip(const float* d_src, float* d_dst, int n, const PreprocessSpec& spec, void* stream);
#endif

}  // namespace lb
