// pipeline/capture/v4l2/negotiate: mode negotiation as a pure decision over
// what the camera offers (negotiate.h).
#include "pipeline/capture/v4l2/negotiate.h"

#include <linux/videodev2.h>

#include <algorithm>
#include <cmath>

namespace vww {

std::vector<uint32_t> PreferredFormats(bool prefer_gray) {
  if (prefer_gray)
    return {V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV,  V4L2_PIX_FMT_MJPEG,
            V4L2_PIX_FMT_JPEG, V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_RGB24};
  return {V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_JPEG,
          V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_RGB24};
}

bool IsUsableFormat(uint32_t fourcc, bool emulated, bool prefer_gray) {
  const std::vector<uint32_t> preferred = PreferredFormats(prefer_gray);
  if (std::find(preferred.begin(), preferred.end(), fourcc) == preferred.end()) return false;
  // libv4l2's own conversions cost CPU; take them only as the last resort.
  const bool converted_ok = fourcc == V4L2_PIX_FMT_BGR24 || fourcc == V4L2_PIX_FMT_RGB24;
  return !emulated || converted_ok;
}

std::optional<Mode> ChooseMode(const std::vector<OfferedFormat>& offered,
                               const SourceOptions& options) {
  const int target_w = options.width > 0 ? options.width : (options.height > 0 ? 0 : 640);
  const int target_h = options.height > 0 ? options.height : (options.width > 0 ? 0 : 480);
  const double target_fps = options.fps > 0 ? options.fps : 30;
  const std::vector<uint32_t> preferred = PreferredFormats(options.prefer_gray);

  std::vector<Mode> modes;
  for (const OfferedFormat& format : offered) {
    if (!IsUsableFormat(format.fourcc, format.emulated, options.prefer_gray)) continue;
    Mode base;
    base.fourcc = format.fourcc;
    base.rank = static_cast<int>(std::find(preferred.begin(), preferred.end(), format.fourcc) -
                                 preferred.begin());
    std::vector<CameraInfo::Size> sizes = format.sizes;
    if (sizes.empty()) {
      // Stepwise or not enumerated: ask for the target and let S_FMT adjust.
      CameraInfo::Size s;
      s.width = target_w > 0 ? target_w : 640;
      s.height = target_h > 0 ? target_h : 480;
      sizes.push_back(s);
    }
    for (const CameraInfo::Size& s : sizes) {
      Mode m = base;
      m.width = s.width;
      m.height = s.height;
      m.size_cost = (target_w > 0 ? std::abs(s.width - target_w) : 0) +
                    (target_h > 0 ? std::abs(s.height - target_h) : 0);
      if (s.fps_range) {
        m.fps = std::clamp(target_fps, s.fps[0], s.fps[1]);
      } else {
        for (double f : s.fps) {
          // Closest to the target; on a tie the faster one.
          if (m.fps == 0 || std::abs(f - target_fps) < std::abs(m.fps - target_fps) ||
              (std::abs(f - target_fps) == std::abs(m.fps - target_fps) && f > m.fps))
            m.fps = f;
        }
      }
      // Rates within half a frame per second are the same for our purposes.
      m.fps_cost = m.fps > 0 ? std::round(std::abs(m.fps - target_fps) * 2) : 0;
      modes.push_back(m);
    }
  }
  if (modes.empty()) return std::nullopt;
  return *std::min_element(modes.begin(), modes.end());
}

}  // namespace vww
