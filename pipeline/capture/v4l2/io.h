// pipeline/capture/v4l2/io: the device calls every V4L2 piece goes through,
// so the tests can script a fake device in place of libv4l2.
#pragma once

#include <linux/videodev2.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

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

// ioctl, retried when a signal interrupts it.
inline int Xioctl(V4l2Io& io, int fd, unsigned long request, void* arg) {
  int r;
  do r = io.Ioctl(fd, request, arg);
  while (r < 0 && errno == EINTR);
  return r;
}

// The errors that mean the device went away.
inline bool IsGone(int err) { return err == ENODEV || err == EIO || err == ENXIO; }

// The capabilities of the node itself (not of the whole physical device).
inline uint32_t Caps(const v4l2_capability& cap) {
  return (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
}

// A fixed-size, NUL-padded driver string.
inline std::string CString(const uint8_t* s, size_t n) {
  return std::string(reinterpret_cast<const char*>(s),
                     strnlen(reinterpret_cast<const char*>(s), n));
}

inline double IntervalFps(const v4l2_fract& f) {
  return f.numerator ? static_cast<double>(f.denominator) / f.numerator : 0;
}

}  // namespace vww
