// libFuzzer target: image bytes -> cv::imdecode -> the pipeline's Dsp to a
// 96x96 int8 model input, in every crop mode. Odd images (1x1, 1x10000,
// 16-bit, 4-channel, corrupt files) must either be processed or rejected
// with an exception, never crash or read out of bounds.
#include <cstddef>
#include <cstdint>
#include <opencv2/core/utility.hpp>

#include "tests/fuzz/fuzz_targets.h"

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  vww::fuzz::LimitImageDecoding();
  // One thread: OpenCV's worker pool only adds noise and overhead per input.
  cv::setNumThreads(0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vww::fuzz::RunImageBytes(data, size);
  return 0;
}
