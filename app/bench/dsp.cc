// app/bench/dsp: the synthetic test frame, and the DSP stage timed on it.
#include "pipeline/dsp/dsp.h"

#include <random>

#include "app/bench/bench.h"

namespace vww::bench {

cv::Mat MakeFrame(int width, int height) {
  cv::Mat frame(height, width, CV_8UC3);
  std::mt19937 rng(42);
  for (int y = 0; y < frame.rows; ++y) {
    auto* row = frame.ptr<uint8_t>(y);
    for (int x = 0; x < frame.cols; ++x) {
      const int noise = static_cast<int>(rng() % 32);
      row[3 * x + 0] = static_cast<uint8_t>((x / 3 + noise) & 255);
      row[3 * x + 1] = static_cast<uint8_t>((y / 2 + noise) & 255);
      row[3 * x + 2] = static_cast<uint8_t>((x + y + noise) / 5 & 255);
    }
  }
  return frame;
}

DspResult TimeDsp(const Tensor& input_tensor, int runs, std::vector<uint8_t>* input) {
  DspResult r;
  input->assign(input_tensor.bytes, 0);
  InputSpec spec;
  try {
    spec = InputSpec::FromTensor(input_tensor);
  } catch (const Error&) {
    std::mt19937 rng(7);
    for (uint8_t& b : *input) b = static_cast<uint8_t>(rng());
    return r;
  }
  Dsp dsp(spec, CropMode::kFitShortest);
  const cv::Mat frame = MakeFrame();
  dsp.Run(frame, input->data());  // first frame allocates the intermediates
  std::vector<double> ms;
  ms.reserve(runs);
  for (int i = 0; i < runs; ++i) {
    const auto start = Clock::now();
    dsp.Run(frame, input->data());
    ms.push_back(MsSince(start));
  }
  r.ran = true;
  r.what = "640x480 BGR -> " + std::to_string(spec.width) + "x" + std::to_string(spec.height) +
           "x" + std::to_string(spec.channels) + " " + DTypeName(spec.type);
  r.stats = Summarize(std::move(ms));
  return r;
}

}  // namespace vww::bench
