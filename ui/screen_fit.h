// ui/screen_fit: the window's first size, so that a frame larger than the
// display (a 1920x1080 camera on a 1366x768 laptop) opens scaled down and
// whole instead of running off the screen.
#pragma once

#include <opencv2/core.hpp>

namespace vww {

// The size of the display the window opens on (the X11 default screen);
// empty when it cannot be told (no X server: Wayland, offscreen).
cv::Size DisplaySize();

// The frame's size, or, when it does not fit in the usable part of the
// display (90% of its width, 85% of its height: panels, title bar), the
// largest size of the same aspect ratio that does. An empty display: the
// frame's size.
cv::Size FitToDisplay(cv::Size frame, cv::Size display);

}  // namespace vww
