// pipeline/dsp: a camera or file frame -> the model's input tensor, exactly.
// crop -> resize (area) -> gray or RGB -> integer pixel mapping.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

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
  bool nchw = false;          // [1,C,H,W] instead of [1,H,W,C]
  DType type = DType::kInt8;  // int8, uint8 or float32
  // For models trained with per-channel normalisation (mean/std over 0..1
  // pixels); empty means the plain pixel mapping (int8: p - 128, uint8: p).
  std::vector<float> mean, std;
  float scale = 1.0f;  // input quantization, used with mean/std
  int32_t zero_point = 0;

  static InputSpec FromTensor(const Tensor& input);  // throws vww::Error
  size_t bytes() const;
};

// cv::resize(src, *dst, size, 0, 0, cv::INTER_AREA), byte for byte, for
// 8-bit downscales (the reference preprocessing is defined by OpenCV's
// INTER_AREA). OpenCV runs both of its area paths as scalar loops over
// offset tables: about 0.2 ms for a 640x480 camera's BGR crop (whole factor
// 5) and 1.3 ms for a 1280x720 one (factor 7.5), ten times the inference.
// Here the same arithmetic is laid out so that it runs several times faster:
//   - whole factors (OpenCV's "area fast" test): column sums, then box sums,
//     then OpenCV's rounding of sum * (float)(1 / area), tabulated;
//   - other factors: OpenCV's float weights and its exact order of float
//     operations (each output is a weighted sum over source rows of weighted
//     sums over source columns, added in source order), on a float copy of
//     each source row, every source row converted and summed once.
// Tests compare both paths with cv::resize over many sizes, factors and
// channel counts. Upscales (and 2x2, OpenCV's own fast SIMD path) go to
// OpenCV. Keeps its tables and scratch between frames: after the first
// frame of a size the hot path does not allocate.
class AreaResizer {
 public:
  void Run(const cv::Mat& src, cv::Size size, cv::Mat* dst);
  // The two paths alone: false, and nothing written, when they do not apply.
  bool RunWhole(const cv::Mat& src, cv::Size size, cv::Mat* dst);
  bool RunGeneral(const cv::Mat& src, cv::Size size, cv::Mat* dst);

 private:
  // OpenCV's area weights along one axis (its DecimateAlpha tables): the
  // terms of output i are [first[i], first[i + 1]), each a source offset
  // (pixel * cn) and its float weight, in OpenCV's order.
  struct Axis {
    int source = 0, size = 0, cn = 0;
    std::vector<int> first, offset;
    std::vector<float> weight;
    // The same, four outputs at a time (padded; see SumRowGray in dsp.cc).
    std::vector<int> group_first, group_offset;
    std::vector<float> group_weight;
    void Build(int source_size, int size, int cn);
  };

  std::vector<uint16_t> column_;  // whole: one output row's column sums
  std::vector<uint8_t> mean_;     // whole: box sum -> OpenCV's rounded mean, for area_
  int area_ = 0;
  Axis x_, y_;               // general: the weight tables
  std::vector<float> row_;   // general: a source row as float
  std::vector<float> sums_;  // general: a source row's column sums (per output column)
  std::vector<float> acc_;   // general: an output row's weighted sum of them
};

// The last two DSP steps, shared with the tiled DSP (pipeline/dsp/tiles.h):
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

  // Throws Error (one line) unless frame is 8-bit gray, BGR or BGRA.
  static void CheckFrame(const cv::Mat& frame);

  // The region of the frame that the model sees (for overlays).
  static cv::Rect CropRect(cv::Size frame, CropMode crop, cv::Size model);

 private:
  InputSpec spec_;
  CropMode crop_;
  cv::Mat bgr_, resized_, letterbox_, model_image_, rgb_;
  AreaResizer resize_;
};

}  // namespace vww
