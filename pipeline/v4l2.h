// pipeline/v4l2: cameras through V4L2 (libv4l2). Every device call goes
// through V4l2Io so the tests can script a fake device; the real one calls
// v4l2_open / v4l2_ioctl / v4l2_mmap and friends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/capture.h"

namespace vww {

// The device calls, with the POSIX conventions of the calls they wrap: -1
// (or MAP_FAILED) and errno on failure. Implementations must be safe to call
// from the capture thread while the opening thread is done with the device.
class V4l2Io {
 public:
  virtual ~V4l2Io() = default;
  virtual int Open(const std::string& path, int flags) = 0;
  virtual int Close(int fd) = 0;
  virtual int Ioctl(int fd, unsigned long request, void* arg) = 0;
  virtual void* Mmap(size_t length, int prot, int flags, int fd, int64_t offset) = 0;
  virtual int Munmap(void* addr, size_t length) = 0;
  // Waits up to timeout_ms for a frame: > 0 ready, 0 timeout, -1 error (errno).
  virtual int Poll(int fd, int timeout_ms) = 0;
  // The /dev/video* nodes that exist, sorted by number.
  virtual std::vector<std::string> ListDevices() = 0;
};

// libv4l2 on the real /dev.
std::shared_ptr<V4l2Io> SystemV4l2Io();

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
