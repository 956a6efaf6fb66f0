// pipeline/dsp: a camera or file frame -> the model's input tensor, exactly.
// crop -> resize (area) -> gray or RGB -> integer pixel mapping.
#pragma once

#include <opencv2/core.hpp>
#include <string>

#include "model/tensor.h"

namespace vww {

enum class CropMode {
  kFitShortest,  // centre crop of the largest square (default)
  kFitLongest,   // letterbox: the whole frame, padded with black
  kSquash,       // the whole frame, aspect ratio not kept
};
const char* CropModeName(CropMode mode);
CropMode ParseCropMode(const std::string& name);  // throws vww::Error

// What the model wants, read from its input tensor.
struct InputSpec {
  int width = 96, height = 96, channels = 1;
  bool nchw = false;           // [1,C,H,W] instead of [1,H,W,C]
  DType type = DType::kInt8;   // int8, uint8 or float32
  // For models trained with per-channel normalisation (mean/std over 0..1
  // pixels); empty means the plain pixel mapping (int8: p - 128, uint8: p).
  std::vector<float> mean, std;
  float scale = 1.0f;          // input quantization, used with mean/std
  int32_t zero_point = 0;

  static InputSpec FromTensor(const Tensor& input);  // throws vww::Error
  size_t bytes() const;
};

// The last two DSP steps, shared with the tiled DSP (pipeline/tiles.h):
// an 8-bit image -> the model's colour (gray or BGR; resize first, as the
// reference preprocessing does) ...
void ToModelColour(const cv::Mat& src, int channels, cv::Mat* dst);
// ... and the integer pixel mapping of an image of exactly the model's size
// and colour (may be a region of a larger image) into the input tensor.
void WriteModelInput(const cv::Mat& image, const InputSpec& spec, void* dst);

// Owns its intermediate images, so after the first frame of a given size the
// hot path does not allocate.
class Dsp {
 public:
  Dsp(const InputSpec& spec, CropMode crop);

  // frame: 8-bit BGR (3 channels), BGRA (4) or gray (1). Writes spec.bytes()
  // to dst.
  void Run(const cv::Mat& frame, void* dst);

  // The image the model saw, 8-bit gray or BGR at the model's size.
  const cv::Mat& model_image() const { return model_image_; }
  const InputSpec& spec() const { return spec_; }
  CropMode crop() const { return crop_; }
  void set_crop(CropMode crop) { crop_ = crop; }

  // The region of the frame that the model sees (for overlays).
  static cv::Rect CropRect(cv::Size frame, CropMode crop, cv::Size model);

 private:
  InputSpec spec_;
  CropMode crop_;
  cv::Mat bgr_, resized_, letterbox_, model_image_, rgb_;
};

}  // namespace vww
