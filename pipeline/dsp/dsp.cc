// pipeline/dsp/dsp: crop, colour and the model-input mapping (dsp.h); the
// area resize is in area_resizer.cc.
#include "pipeline/dsp/dsp.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <opencv2/imgproc.hpp>

#include "model/model.h"

namespace vww {

const char* CropModeName(CropMode mode) {
  switch (mode) {
    case CropMode::kFitShortest:
      return "fit-shortest";
    case CropMode::kFitLongest:
      return "fit-longest";
    case CropMode::kSquash:
      return "squash";
  }
  return "?";
}

CropMode ParseCropMode(const std::string& name) {
  if (name == "fit-shortest" || name == "crop") return CropMode::kFitShortest;
  if (name == "fit-longest" || name == "letterbox") return CropMode::kFitLongest;
  if (name == "squash") return CropMode::kSquash;
  throw Error("unknown crop mode '" + name + "' (use fit-shortest, fit-longest or squash)");
}

InputSpec InputSpec::FromTensor(const Tensor& t) {
  InputSpec s;
  if (t.type != DType::kInt8 && t.type != DType::kUInt8 && t.type != DType::kFloat32)
    throw Error(std::string("model input type ") + DTypeName(t.type) +
                " is not supported (int8, uint8 or float32)");
  auto is_channels = [](int c) { return c == 1 || c == 3; };
  if (t.shape.rank == 4 && t.shape[0] == 1 && is_channels(t.shape[3])) {
    s.height = t.shape[1];
    s.width = t.shape[2];
    s.channels = t.shape[3];
  } else if (t.shape.rank == 4 && t.shape[0] == 1 && is_channels(t.shape[1])) {
    s.nchw = true;
    s.channels = t.shape[1];
    s.height = t.shape[2];
    s.width = t.shape[3];
  } else if (t.shape.rank == 3 && is_channels(t.shape[2])) {
    s.height = t.shape[0];
    s.width = t.shape[1];
    s.channels = t.shape[2];
  } else {
    throw Error("model input shape " + t.shape.str() +
                " is not an image (NHWC or NCHW, 1 or 3 channels)");
  }
  if (s.width <= 0 || s.height <= 0) throw Error("model input has an empty image shape");
  s.type = t.type;
  s.scale = t.scale;
  s.zero_point = t.zero_point;
  return s;
}

size_t InputSpec::bytes() const {
  return static_cast<size_t>(width) * height * channels * DTypeSize(type);
}

cv::Rect Dsp::CropRect(cv::Size frame, CropMode crop, cv::Size model) {
  if (crop != CropMode::kFitShortest) return cv::Rect(0, 0, frame.width, frame.height);
  // The largest region with the model's aspect ratio, centred; integer
  // division exactly as the reference preprocessing does.
  int w = frame.width, h = frame.height;
  if (static_cast<int64_t>(frame.width) * model.height >
      static_cast<int64_t>(frame.height) * model.width)
    w = static_cast<int>(static_cast<int64_t>(frame.height) * model.width / model.height);
  else
    h = static_cast<int>(static_cast<int64_t>(frame.width) * model.height / model.width);
  return cv::Rect((frame.width - w) / 2, (frame.height - h) / 2, w, h);
}

Dsp::Dsp(const InputSpec& spec, CropMode crop) : spec_(spec), crop_(crop) {}

void Dsp::CheckFrame(const cv::Mat& frame) {
  // Decoders and drivers can hand on 16-bit, float or 2-channel images; say
  // so instead of failing inside OpenCV (or reading the wrong bytes).
  if (frame.empty()) throw Error("empty frame");
  if (frame.depth() != CV_8U ||
      (frame.channels() != 1 && frame.channels() != 3 && frame.channels() != 4))
    throw Error("unsupported frame format (" + std::to_string(frame.channels()) + " channels of " +
                std::to_string(frame.elemSize1() * 8) + "-bit; need 8-bit gray, BGR or BGRA)");
}

void Dsp::Run(const cv::Mat& frame, void* dst) {
  CheckFrame(frame);
  const cv::Size model_size(spec_.width, spec_.height);
  const cv::Mat* src = &frame;
  if (frame.channels() == 4) {
    cv::cvtColor(frame, bgr_, cv::COLOR_BGRA2BGR);
    src = &bgr_;
  }

  if (crop_ == CropMode::kFitLongest) {
    // Scale the longest side to fit, centre on black.
    const double s = std::min(static_cast<double>(model_size.width) / src->cols,
                              static_cast<double>(model_size.height) / src->rows);
    const int w = std::max(1, static_cast<int>(src->cols * s + 0.5));
    const int h = std::max(1, static_cast<int>(src->rows * s + 0.5));
    resize_.Run(*src, cv::Size(w, h), &resized_);
    letterbox_.create(model_size, src->type());
    letterbox_.setTo(cv::Scalar::all(0));
    resized_.copyTo(
        letterbox_(cv::Rect((model_size.width - w) / 2, (model_size.height - h) / 2, w, h)));
    src = &letterbox_;
  } else {
    const cv::Rect roi = CropRect(src->size(), crop_, model_size);
    resize_.Run((*src)(roi), model_size, &resized_);
    src = &resized_;
  }

  // Colour after resizing, as the reference preprocessing does.
  ToModelColour(*src, spec_.channels, &model_image_);
  WriteModelInput(model_image_, spec_, dst);
}

void ToModelColour(const cv::Mat& src, int channels, cv::Mat* dst) {
  if (channels == 1) {
    if (src.channels() == 3)
      cv::cvtColor(src, *dst, cv::COLOR_BGR2GRAY);
    else
      src.copyTo(*dst);
  } else {
    if (src.channels() == 1)
      cv::cvtColor(src, *dst, cv::COLOR_GRAY2BGR);
    else
      src.copyTo(*dst);
  }
}

void WriteModelInput(const cv::Mat& image, const InputSpec& spec, void* dst) {
  CV_Assert(image.depth() == CV_8U && image.channels() == spec.channels &&
            image.cols == spec.width && image.rows == spec.height);
  // Pixel mapping. Channel order for colour models is RGB.
  const int w = spec.width, h = spec.height, c = spec.channels;
  const bool normalise = !spec.mean.empty();
  if (!normalise && c == 1 && spec.type == DType::kInt8) {
    // The common case (gray int8, e.g. the person detector), without the
    // per-pixel branches: the tiled search maps many tiles per frame.
    for (int y = 0; y < h; ++y) {
      const uint8_t* row = image.ptr<uint8_t>(y);
      int8_t* out = static_cast<int8_t*>(dst) + static_cast<size_t>(y) * w;
      for (int x = 0; x < w; ++x) out[x] = static_cast<int8_t>(row[x] - 128);
    }
    return;
  }
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = image.ptr<uint8_t>(y);
    for (int x = 0; x < w; ++x) {
      for (int ch = 0; ch < c; ++ch) {
        const uint8_t p = c == 3 ? row[x * 3 + (2 - ch)] : row[x];  // BGR -> RGB
        const size_t i = spec.nchw ? (static_cast<size_t>(ch) * h + y) * w + x
                                   : (static_cast<size_t>(y) * w + x) * c + ch;
        if (normalise) {
          const float real =
              (p / 255.0f - spec.mean[ch % spec.mean.size()]) / spec.std[ch % spec.std.size()];
          if (spec.type == DType::kFloat32) {
            static_cast<float*>(dst)[i] = real;
          } else {
            const int lo = spec.type == DType::kInt8 ? -128 : 0;
            const int q = spec.zero_point + static_cast<int>(std::lround(real / spec.scale));
            const int v = std::min(std::max(q, lo), lo + 255);
            if (spec.type == DType::kInt8)
              static_cast<int8_t*>(dst)[i] = static_cast<int8_t>(v);
            else
              static_cast<uint8_t*>(dst)[i] = static_cast<uint8_t>(v);
          }
        } else if (spec.type == DType::kInt8) {
          static_cast<int8_t*>(dst)[i] = static_cast<int8_t>(p - 128);  // TFLM convention
        } else if (spec.type == DType::kUInt8) {
          static_cast<uint8_t*>(dst)[i] = p;
        } else {
          static_cast<float*>(dst)[i] = p / 255.0f;
        }
      }
    }
  }
}

}  // namespace vww
