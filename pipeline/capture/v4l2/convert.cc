// pipeline/capture/v4l2/convert: one driver buffer to the 8-bit gray or BGR
// image the pipeline wants, and FourCC names.
#include <linux/videodev2.h>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {

bool ConvertV4l2Frame(uint32_t fourcc, const uint8_t* data, size_t size, int width, int height,
                      int bytes_per_line, bool gray, cv::Mat* out) {
  const auto plane = [&](int type, int bytes_per_pixel) -> cv::Mat {
    const size_t step = bytes_per_line > 0 ? static_cast<size_t>(bytes_per_line)
                                           : static_cast<size_t>(width) * bytes_per_pixel;
    if (step < static_cast<size_t>(width) * bytes_per_pixel ||
        size < step * (height - 1) + static_cast<size_t>(width) * bytes_per_pixel)
      return cv::Mat();  // short buffer: drop rather than read past it
    return cv::Mat(height, width, type, const_cast<uint8_t*>(data), step);
  };
  switch (fourcc) {
    case V4L2_PIX_FMT_GREY: {
      const cv::Mat y = plane(CV_8UC1, 1);
      if (y.empty()) return false;
      if (gray)
        y.copyTo(*out);
      else
        cv::cvtColor(y, *out, cv::COLOR_GRAY2BGR);
      return true;
    }
    case V4L2_PIX_FMT_YUYV: {
      const cv::Mat yuyv = plane(CV_8UC2, 2);
      if (yuyv.empty()) return false;
      if (gray)
        cv::extractChannel(yuyv, *out, 0);  // Y0 U Y1 V: channel 0 is luma
      else
        cv::cvtColor(yuyv, *out, cv::COLOR_YUV2BGR_YUYV);
      return true;
    }
    case V4L2_PIX_FMT_MJPEG:
    case V4L2_PIX_FMT_JPEG: {
      if (size == 0) return false;
      const cv::Mat encoded(1, static_cast<int>(size), CV_8UC1, const_cast<uint8_t*>(data));
      try {
        *out = cv::imdecode(encoded, gray ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
      } catch (const cv::Exception&) {
        return false;
      }
      return !out->empty();
    }
    case V4L2_PIX_FMT_BGR24:
    case V4L2_PIX_FMT_RGB24: {
      const cv::Mat px = plane(CV_8UC3, 3);
      if (px.empty()) return false;
      if (gray)
        cv::cvtColor(px, *out,
                     fourcc == V4L2_PIX_FMT_BGR24 ? cv::COLOR_BGR2GRAY : cv::COLOR_RGB2GRAY);
      else if (fourcc == V4L2_PIX_FMT_RGB24)
        cv::cvtColor(px, *out, cv::COLOR_RGB2BGR);
      else
        px.copyTo(*out);
      return true;
    }
    default:
      return false;
  }
}

std::string FourccName(uint32_t fourcc) {
  std::string s;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>((fourcc >> (8 * i)) & 0xff);
    if (c != ' ' && c != '\0') s += c;
  }
  return s;
}

}  // namespace vww
