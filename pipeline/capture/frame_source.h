// pipeline/capture: where frames come from (cameras through V4L2 or OpenCV,
// video files, images, folders, GStreamer), as one FrameSource interface.
//
// Live sources (V4L2 through libv4l2, OpenCV VideoCapture) always hand on the
// newest frame and count the ones they drop; file sources (video, image,
// folder, GStreamer string) hand on every frame in order, deterministically.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "model/error.h"

namespace vww {

// Milliseconds on the steady clock, the time base of Frame::timestamp_ms.
inline double SteadyNowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct Frame {
  cv::Mat image;            // 8-bit BGR, or 8-bit gray when the source delivers gray
  int64_t index = 0;        // 0-based position in the stream, counting dropped frames
  double timestamp_ms = 0;  // capture time on the steady clock (driver time when available)
  int64_t dropped = 0;      // frames dropped so far (live sources)
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
  std::string source;            // "", "/dev/videoN", "N", file, folder, "gst:..."
  std::string capture = "auto";  // auto | v4l2 | opencv (for cameras)
  int width = 0, height = 0;     // 0: the device's best match
  double fps = 0;                // 0: the device's default
  bool prefer_gray = false;      // the model is gray: a GREY / Y plane is enough
  bool realtime = false;         // pace files at their frame rate and drop like a camera
  bool loop = false;             // restart files at the end (soak tests, demos)
  double stall_timeout_s = 5.0;  // a live source without frames this long has failed
};

// Thrown by OpenSource for the default source (options.source empty) when
// this machine has no video capture device at all, so the caller can fall
// back to the bundled sample video. A camera that exists but fails (busy,
// no permission) throws a plain vww::Error instead: the user should hear
// about it rather than silently get the sample.
struct NoCameraError : Error {
  using Error::Error;
};

// Opens a source; throws vww::Error with a one-line message (for a missing or
// busy camera it lists the cameras that exist).
//   ""              the first /dev/video* that opens as a capture device
//                   (NoCameraError when none exists)
//   "/dev/videoN"   V4L2 through libv4l2 (capture "opencv": OpenCV instead)
//   "N"             OpenCV VideoCapture(N, CAP_V4L2) (capture "v4l2": /dev/videoN)
//   a video file    every frame in order; timestamp_ms = index * 1000 / fps
//   an image file   one frame (forever with loop)
//   a folder        its images sorted by file name; other files skipped
//   "gst:PIPELINE"  OpenCV's GStreamer backend; the pipeline ends in appsink
// Files always decode to BGR (prefer_gray only applies to cameras), so their
// pixels match the reference data exactly. With loop, index and timestamps
// keep counting up across restarts. With realtime, a reader thread paces the
// file at its frame rate (options.fps for images and folders, else 30) and
// Read() gets the newest frame, counting the skipped ones in Frame::dropped.
std::unique_ptr<FrameSource> OpenSource(const SourceOptions& options);

}  // namespace vww
