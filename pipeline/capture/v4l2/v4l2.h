// pipeline/capture/v4l2: cameras through V4L2 (libv4l2): listing them,
// choosing a mode, streaming the newest frame, converting pixels.
//
// Every device call goes through V4l2Io (io.h) so the tests can script a fake
// device; the real one calls v4l2_open / v4l2_ioctl / v4l2_mmap and friends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/capture/frame_source.h"
#include "pipeline/capture/v4l2/io.h"

namespace vww {

// One V4L2 capture device, as `vww devices` prints it.
struct CameraInfo {
  struct Size {
    int width = 0, height = 0;
    std::vector<double> fps;  // discrete rates; for a range: its min and max
    bool fps_range = false;   // fps holds {min, max} of a continuous range
  };
  struct Format {
    std::string fourcc;       // "YUYV", "MJPG", "GREY", ...
    std::string description;  // the driver's name for it
    bool emulated = false;    // converted by libv4l2, not native
    std::vector<Size> sizes;  // empty when the driver does not enumerate
    std::string size_range;   // "320x240 - 1920x1080" for stepwise sizes
  };
  std::string path;             // /dev/videoN
  std::string driver;           // e.g. "uvcvideo"
  std::string card;             // e.g. "HD Webcam C270"
  std::string bus_info;         // e.g. "usb-0000:00:14.0-1"
  std::vector<Format> formats;  // filled only when asked for details
};

// The V4L2 capture devices (streaming, video capture) on this machine,
// sorted by path; metadata and output nodes are left out. Never throws.
std::vector<CameraInfo> ListCameras(bool details);

// The capture devices that io can open (see ListCameras(bool)).
std::vector<CameraInfo> ListCameras(V4l2Io& io, bool details);

// options.source: a device path, or "" for the first device that opens as a
// capture device (NoCameraError when none). Throws vww::Error naming the
// device and listing the cameras for a missing, busy or unsuitable device.
std::unique_ptr<FrameSource> OpenV4l2Camera(const SourceOptions& options,
                                            std::shared_ptr<V4l2Io> io);

// One driver buffer -> an 8-bit gray (gray) or BGR image. GREY and YUYV give
// the Y plane exactly when gray; MJPEG/JPEG decode with cv::imdecode; BGR24
// and RGB24 are libv4l2's converted fallback. bytes_per_line 0: packed.
// False for a short, corrupt or unknown buffer (the frame is dropped).
bool ConvertV4l2Frame(uint32_t fourcc, const uint8_t* data, size_t size, int width, int height,
                      int bytes_per_line, bool gray, cv::Mat* out);

// "YUYV" for V4L2_PIX_FMT_YUYV, etc.
std::string FourccName(uint32_t fourcc);

}  // namespace vww
