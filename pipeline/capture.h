// pipeline/capture: where frames come from. Live sources (V4L2 through
// libv4l2, OpenCV VideoCapture) always hand on the newest frame and count
// the ones they drop; file sources (video, image, folder, GStreamer string)
// hand on every frame in order, deterministically.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

namespace vww {

struct Frame {
  cv::Mat image;             // 8-bit BGR, or 8-bit gray when the source delivers gray
  int64_t index = 0;         // 0-based position in the stream, counting dropped frames
  double timestamp_ms = 0;   // capture time on the steady clock (driver time when available)
  int64_t dropped = 0;       // frames dropped so far (live sources)
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // The next frame: the next one in order (files) or the newest (live).
  // Returns false at the end of the stream; throws vww::Error when the source
  // fails (camera unplugged, stalled beyond the timeout, unreadable file).
  virtual bool Read(Frame* frame) = 0;
  virtual std::string Describe() const = 0;  // e.g. "V4L2 /dev/video0 YUYV 640x480 @ 30 fps"
  virtual bool is_live() const = 0;
  virtual double fps() const = 0;  // nominal rate, 0 when unknown
};

struct SourceOptions {
  std::string source;              // "", "/dev/videoN", "N", file, folder, "gst:..."
  std::string capture = "auto";    // auto | v4l2 | opencv (for cameras)
  int width = 0, height = 0;       // 0: the device's best match
  double fps = 0;                  // 0: the device's default
  bool prefer_gray = false;        // the model is gray: a GREY / Y plane is enough
  bool realtime = false;           // pace files at their frame rate and drop like a camera
  bool loop = false;               // restart files at the end (soak tests, demos)
  double stall_timeout_s = 5.0;    // a live source without frames this long has failed
};

// Opens a source; throws vww::Error with a one-line message (for a missing or
// busy camera it lists the cameras that exist).
std::unique_ptr<FrameSource> OpenSource(const SourceOptions& options);

}  // namespace vww
