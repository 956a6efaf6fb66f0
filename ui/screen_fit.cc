#include "ui/screen_fit.h"

#include <X11/Xlib.h>

#include <algorithm>
#include <cmath>

namespace vww {

cv::Size DisplaySize() {
  Display* display = XOpenDisplay(nullptr);
  if (!display) return {};
  const int screen = DefaultScreen(display);
  const cv::Size size(DisplayWidth(display, screen), DisplayHeight(display, screen));
  XCloseDisplay(display);
  return size;
}

cv::Size FitToDisplay(cv::Size frame, cv::Size display) {
  if (frame.area() <= 0 || display.area() <= 0) return frame;
  const double usable_w = 0.90 * display.width, usable_h = 0.85 * display.height;
  const double scale = std::min(usable_w / frame.width, usable_h / frame.height);
  if (scale >= 1.0) return frame;
  return {std::max(1, static_cast<int>(std::floor(frame.width * scale))),
          std::max(1, static_cast<int>(std::floor(frame.height * scale)))};
}

}  // namespace vww
