// Counting what a recording holds, for the recorder and hardening tests.
#pragma once

#include <algorithm>
#include <opencv2/videoio.hpp>
#include <string>

#include "test_util.h"

namespace vww::test {

// Frames OpenCV (FFmpeg) reads from a video file; -1 when it cannot open it.
inline int CountFrames(const std::string& path) {
  cv::VideoCapture cap(path, cv::CAP_FFMPEG);
  if (!cap.isOpened()) return -1;
  int n = 0;
  cv::Mat f;
  while (cap.read(f)) ++n;
  return n;
}

inline int CountLines(const std::string& path) {
  const std::string text = ReadText(path);
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace vww::test
