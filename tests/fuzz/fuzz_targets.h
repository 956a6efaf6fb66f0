// The code paths the fuzz targets exercise, shared with the CTest regression
// test (tests/test_fuzz_regressions.cc), which replays every saved crasher
// through exactly the same functions in the normal build.
//
// Contract: for any bytes, these functions return normally. Bad input is
// rejected with an exception of the documented kind (vww::Error from the
// runtime and the DSP; cv::Exception only from OpenCV's decoder); anything
// else escapes and is a finding.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <vector>

#include "model/kernel.h"
#include "model/model.h"
#include "pipeline/dsp/dsp.h"

namespace vww::fuzz {

// A valid but very expensive model is not a bug, only slow: the harness
// prepares it (every check runs) but skips the inference above this many
// multiply-accumulates, so that the per-input timeout catches real hangs.
constexpr double kMaxInvokeMacs = 30e6;

// Rough work of one inference: for weighted ops, output elements times the
// filter's size per output channel; for the rest, the elements they touch.
inline double EstimatedMacs(const Interpreter& interp) {
  double macs = 0;
  for (int i = 0; i < interp.op_count(); ++i) {
    const Node& node = interp.node(i);
    double out = 0;
    for (const Tensor* t : node.outputs) out += static_cast<double>(t->shape.elements());
    const bool weighted = node.opcode == kOpConv2D || node.opcode == kOpDepthwiseConv2D ||
                          node.opcode == kOpFullyConnected;
    if (weighted && node.inputs.size() > 1 && node.inputs[1]) {
      const Tensor& w = *node.inputs[1];
      const int out_channels =
          node.opcode == kOpDepthwiseConv2D ? w.shape[w.shape.rank - 1] : w.shape[0];
      macs += out * static_cast<double>(w.shape.elements()) / std::max(1, out_channels);
    } else {
      for (const Tensor* t : node.inputs)
        if (t) macs += static_cast<double>(t->shape.elements());
      macs += out;
    }
  }
  return macs;
}

// Prepares the model with one backend and, when asked and affordable, runs it.
inline void PrepareAndRun(const Model& model, Backend backend, bool invoke) {
  Interpreter interp(model, backend);
  for (int i = 0; i < interp.input_count(); ++i) {
    Tensor& in = interp.input(i);
    for (size_t b = 0; b < in.bytes; ++b) in.data[b] = static_cast<uint8_t>(b * 37 + 11);
  }
  if (invoke && EstimatedMacs(interp) <= kMaxInvokeMacs) interp.Invoke();
}

// The "--model FILE" path: load + verify, prepare with both backends, and
// run one inference. Which backend runs is picked by the last byte, so that
// both get fuzzed at the cost of one inference per input.
inline void RunModelBytes(const uint8_t* data, size_t size) {
  const bool fast_runs = size > 0 && (data[size - 1] & 1);
  try {
    auto model = Model::FromBytes(std::vector<uint8_t>(data, data + size), "fuzz.tflite");
    PrepareAndRun(*model, Backend::kReference, !fast_runs);
    PrepareAndRun(*model, Backend::kFast, fast_runs);
  } catch (const Error&) {
    // Rejected with a one-line message: the expected outcome for most inputs.
  }
}

// OpenCV's decoders trust the header's image size up to 2^30 pixels (a 3 GB
// BGR buffer); cap it for the fuzzer so that an absurd header is a rejected
// file rather than an out-of-memory report. Must run before the first decode.
inline void LimitImageDecoding() { setenv("OPENCV_IO_MAX_IMAGE_PIXELS", "16777216", 0); }

// Input layout: byte 0 selects the variant, the rest is the image.
//   bits 0-1  crop mode (fit-shortest, fit-longest, squash; 3 = fit-shortest)
//   bit 2     decode with IMREAD_UNCHANGED (16-bit, alpha, gray kept as is)
//             instead of the app's IMREAD_COLOR
//   bit 3     a colour (RGB) model input instead of gray
//   bit 4     raw: no decoder; bytes 1-5 give width-1 and height-1 (16-bit
//             little endian) and the type (depth and 1-4 channels), and the
//             remaining bytes, repeated, are the pixels. Reaches shapes such
//             as 1x10000 and 16-bit or 2-channel frames directly.
inline cv::Mat FrameFromFuzzBytes(uint8_t control, const uint8_t* data, size_t size) {
  if (control & 0x10) {
    if (size < 5) return cv::Mat();
    const int width = 1 + (data[0] | data[1] << 8);
    const int height = 1 + (data[2] | data[3] << 8);
    static const int kDepths[] = {CV_8U, CV_16U, CV_8S, CV_32F};
    const int type = CV_MAKETYPE(kDepths[data[4] & 3], 1 + ((data[4] >> 2) & 3));
    // 2^18 pixels covers 1x10000 and 512x512; more only slows the fuzzer.
    if (static_cast<int64_t>(width) * height > (int64_t{1} << 18)) return cv::Mat();
    cv::Mat frame(height, width, type);
    const size_t total = frame.total() * frame.elemSize();
    uint8_t* px = frame.ptr<uint8_t>();
    const uint8_t* pixels = data + 5;
    const size_t count = size - 5;
    for (size_t i = 0; i < total; ++i) px[i] = count ? pixels[i % count] : 0;
    return frame;
  }
  const cv::Mat encoded(1, static_cast<int>(size), CV_8U, const_cast<uint8_t*>(data));
  try {
    return cv::imdecode(encoded, (control & 0x04) ? cv::IMREAD_UNCHANGED : cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
    return cv::Mat();  // a decoder that throws on a corrupt file: rejected
  }
}

inline void RunImageBytes(const uint8_t* data, size_t size) {
  if (size < 1 || size > (size_t{1} << 24)) return;
  const uint8_t control = data[0];
  const cv::Mat frame = FrameFromFuzzBytes(control, data + 1, size - 1);
  if (frame.empty()) return;
  static const CropMode kCrops[] = {CropMode::kFitShortest, CropMode::kFitLongest,
                                    CropMode::kSquash, CropMode::kFitShortest};
  InputSpec spec;  // 96x96 int8, as the bundled model
  spec.channels = (control & 0x08) ? 3 : 1;
  Dsp dsp(spec, kCrops[control & 3]);
  std::vector<int8_t> input(spec.bytes());
  try {
    dsp.Run(frame, input.data());
  } catch (const Error&) {
    // An unsupported frame format, rejected with a message.
  }
}

}  // namespace vww::fuzz
