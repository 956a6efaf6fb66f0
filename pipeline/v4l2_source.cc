// pipeline/v4l2_source: cameras through V4L2 with mmap streaming. A capture
// thread dequeues every buffer as soon as the driver fills it and keeps only
// the newest converted frame, so Read() never returns a stale image and the
// driver never runs out of buffers while the consumer is busy.
#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <dirent.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "pipeline/capture_internal.h"
#include "pipeline/v4l2.h"

namespace vww {
namespace {

using capture_internal::NewestFrame;

class SystemIo : public V4l2Io {
 public:
  int Open(const std::string& path, int flags) override { return v4l2_open(path.c_str(), flags); }
  int Close(int fd) override { return v4l2_close(fd); }
  int Ioctl(int fd, unsigned long request, void* arg) override {
    return v4l2_ioctl(fd, request, arg);
  }
  void* Mmap(size_t length, int prot, int flags, int fd, int64_t offset) override {
    return v4l2_mmap(nullptr, length, prot, flags, fd, offset);
  }
  int Munmap(void* addr, size_t length) override { return v4l2_munmap(addr, length); }
  int Poll(int fd, int timeout_ms) override {
    // libv4l2 keeps the kernel fd, so plain poll works on it.
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    // A vanished device reports POLLERR/POLLHUP; DQBUF then names the error.
    return r;
  }
  std::vector<std::string> ListDevices() override {
    std::vector<std::pair<int, std::string>> found;
    if (DIR* dir = ::opendir("/dev")) {
      while (const dirent* e = ::readdir(dir)) {
        const std::string name = e->d_name;
        if (name.size() <= 5 || name.compare(0, 5, "video") != 0) continue;
        const std::string number = name.substr(5);
        if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; }))
          continue;
        found.emplace_back(std::stoi(number), "/dev/" + name);
      }
      ::closedir(dir);
    }
    // By number, so /dev/video2 comes before /dev/video10.
    std::sort(found.begin(), found.end());
    std::vector<std::string> paths;
    for (auto& f : found) paths.push_back(f.second);
    return paths;
  }
};

int Xioctl(V4l2Io& io, int fd, unsigned long request, void* arg) {
  int r;
  do r = io.Ioctl(fd, request, arg);
  while (r < 0 && errno == EINTR);
  return r;
}

bool IsGone(int err) { return err == ENODEV || err == EIO || err == ENXIO; }

// Formats we take natively, best first (rank = position); the libv4l2
// converted BGR24 / RGB24 are the fallback for anything else.
std::vector<uint32_t> PreferredFormats(bool prefer_gray) {
  if (prefer_gray)
    return {V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_JPEG,
            V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_RGB24};
  return {V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_JPEG, V4L2_PIX_FMT_GREY,
          V4L2_PIX_FMT_BGR24, V4L2_PIX_FMT_RGB24};
}

bool IsConvertedOk(uint32_t fourcc) {
  return fourcc == V4L2_PIX_FMT_BGR24 || fourcc == V4L2_PIX_FMT_RGB24;
}

uint32_t Caps(const v4l2_capability& cap) {
  return (cap.capabilities & V4L2_CAP_DEVICE_CAPS) ? cap.device_caps : cap.capabilities;
}

std::string CString(const uint8_t* s, size_t n) {
  return std::string(reinterpret_cast<const char*>(s), strnlen(reinterpret_cast<const char*>(s), n));
}

double IntervalFps(const v4l2_fract& f) {
  return f.numerator ? static_cast<double>(f.denominator) / f.numerator : 0;
}

std::vector<CameraInfo::Size> EnumerateSizes(V4l2Io& io, int fd, uint32_t fourcc,
                                            std::string* range) {
  std::vector<CameraInfo::Size> sizes;
  for (uint32_t i = 0; i < 256; ++i) {
    v4l2_frmsizeenum fs{};
    fs.index = i;
    fs.pixel_format = fourcc;
    if (Xioctl(io, fd, VIDIOC_ENUM_FRAMESIZES, &fs) < 0) break;
    if (fs.type != V4L2_FRMSIZE_TYPE_DISCRETE) {
      *range = std::to_string(fs.stepwise.min_width) + "x" + std::to_string(fs.stepwise.min_height) +
               " - " + std::to_string(fs.stepwise.max_width) + "x" +
               std::to_string(fs.stepwise.max_height);
      break;
    }
    CameraInfo::Size size;
    size.width = static_cast<int>(fs.discrete.width);
    size.height = static_cast<int>(fs.discrete.height);
    for (uint32_t j = 0; j < 64; ++j) {
      v4l2_frmivalenum fi{};
      fi.index = j;
      fi.pixel_format = fourcc;
      fi.width = fs.discrete.width;
      fi.height = fs.discrete.height;
      if (Xioctl(io, fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi) < 0) break;
      if (fi.type == V4L2_FRMIVAL_TYPE_DISCRETE) {
        size.fps.push_back(IntervalFps(fi.discrete));
      } else {
        // Longest interval = lowest rate.
        size.fps = {IntervalFps(fi.stepwise.max), IntervalFps(fi.stepwise.min)};
        size.fps_range = true;
        break;
      }
    }
    sizes.push_back(size);
  }
  return sizes;
}

std::vector<CameraInfo::Format> EnumerateFormats(V4l2Io& io, int fd) {
  std::vector<CameraInfo::Format> formats;
  for (uint32_t i = 0; i < 256; ++i) {
    v4l2_fmtdesc d{};
    d.index = i;
    d.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (Xioctl(io, fd, VIDIOC_ENUM_FMT, &d) < 0) break;
    CameraInfo::Format f;
    f.fourcc = FourccName(d.pixelformat);
    f.description = CString(d.description, sizeof(d.description));
    f.emulated = (d.flags & V4L2_FMT_FLAG_EMULATED) != 0;
    f.sizes = EnumerateSizes(io, fd, d.pixelformat, &f.size_range);
    formats.push_back(std::move(f));
  }
  return formats;
}

// The outcome of looking at one device node.
enum class Probe { kCamera, kNotCapture, kOpenFailed };

Probe ProbeDevice(V4l2Io& io, const std::string& path, bool details, CameraInfo* info, int* err) {
  info->path = path;
  const int fd = io.Open(path, O_RDWR | O_NONBLOCK);
  if (fd < 0) {
    *err = errno;
    return Probe::kOpenFailed;
  }
  v4l2_capability cap{};
  Probe result = Probe::kNotCapture;
  if (Xioctl(io, fd, VIDIOC_QUERYCAP, &cap) == 0) {
    info->driver = CString(cap.driver, sizeof(cap.driver));
    info->card = CString(cap.card, sizeof(cap.card));
    info->bus_info = CString(cap.bus_info, sizeof(cap.bus_info));
    const uint32_t caps = Caps(cap);
    if ((caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING)) {
      result = Probe::kCamera;
      if (details) info->formats = EnumerateFormats(io, fd);
    }
  }
  io.Close(fd);
  return result;
}

// "/dev/video0 (HD Webcam), /dev/video2 (busy)" or "no camera found".
std::string CameraListText(V4l2Io& io) {
  std::string text;
  for (const std::string& path : io.ListDevices()) {
    CameraInfo info;
    int err = 0;
    const Probe probe = ProbeDevice(io, path, false, &info, &err);
    std::string entry;
    if (probe == Probe::kCamera)
      entry = path + " (" + info.card + ")";
    else if (probe == Probe::kOpenFailed && err == EBUSY)
      entry = path + " (busy)";
    else if (probe == Probe::kOpenFailed && (err == EACCES || err == EPERM))
      entry = path + " (no permission)";
    if (!entry.empty()) text += (text.empty() ? "" : ", ") + entry;
  }
  return text.empty() ? "no camera found" : "cameras: " + text;
}

// Opening failures; not_capture lets the default-source search skip nodes
// that are not cameras (UVC metadata nodes, encoders).
struct OpenError : Error {
  OpenError(const std::string& message, bool not_capture)
      : Error(message), not_capture(not_capture) {}
  bool not_capture;
};

// A size / rate / format to ask the driver for.
struct Mode {
  uint32_t fourcc = 0;
  int width = 0, height = 0;
  double fps = 0;  // 0: unknown (the driver does not enumerate rates)
  double size_cost = 0, fps_cost = 0;
  int rank = 0;
  bool operator<(const Mode& o) const {
    if (size_cost != o.size_cost) return size_cost < o.size_cost;
    if (fps_cost != o.fps_cost) return fps_cost < o.fps_cost;
    return rank < o.rank;
  }
};

class V4l2Camera : public FrameSource {
 public:
  V4l2Camera(const SourceOptions& options, std::shared_ptr<V4l2Io> io)
      : options_(options), io_(std::move(io)), path_(options.source) {}

  ~V4l2Camera() override {
    slot_.Stop();
    if (thread_.joinable()) thread_.join();
    if (fd_ < 0) return;
    if (streaming_) {
      int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      Xioctl(*io_, fd_, VIDIOC_STREAMOFF, &type);
    }
    for (const Buffer& b : buffers_) io_->Munmap(b.data, b.length);
    if (!buffers_.empty()) {
      v4l2_requestbuffers req{};
      req.count = 0;
      req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      req.memory = V4L2_MEMORY_MMAP;
      Xioctl(*io_, fd_, VIDIOC_REQBUFS, &req);
    }
    io_->Close(fd_);
  }

  // Throws OpenError. On failure the destructor releases what was set up.
  void Open() {
    fd_ = io_->Open(path_, O_RDWR | O_NONBLOCK);
    if (fd_ < 0) {
      const int err = errno;
      if (err == ENOENT || err == ENODEV || err == ENXIO)
        throw OpenError("camera " + path_ + " not found; " + CameraListText(*io_), false);
      if (err == EBUSY) throw Busy();
      if (err == EACCES || err == EPERM)
        throw OpenError("no permission to open camera " + path_ +
                            " (is your user in the 'video' group?); " + CameraListText(*io_),
                        false);
      throw OpenError("cannot open camera " + path_ + ": " + std::strerror(err), false);
    }
    v4l2_capability cap{};
    if (Xioctl(*io_, fd_, VIDIOC_QUERYCAP, &cap) < 0)
      throw OpenError(path_ + " is not a V4L2 device; " + CameraListText(*io_), true);
    card_ = CString(cap.card, sizeof(cap.card));
    const uint32_t caps = Caps(cap);
    if (!(caps & V4L2_CAP_VIDEO_CAPTURE) || !(caps & V4L2_CAP_STREAMING))
      throw OpenError(path_ + " (" + card_ + ") is not a streaming video capture device; " +
                          CameraListText(*io_),
                      true);
    Negotiate();
    StartStreaming();
    thread_ = std::thread([this] { Run(); });
  }

  bool Read(Frame* frame) override {
    switch (slot_.Take(frame, options_.stall_timeout_s)) {
      case NewestFrame::Status::kFrame:
        return true;
      case NewestFrame::Status::kEnd:
        return false;
      case NewestFrame::Status::kTimeout:
        break;
    }
    char s[32];
    std::snprintf(s, sizeof(s), "%g", options_.stall_timeout_s);
    throw Error("camera " + path_ + " stalled: no frame for " + s + " s");
  }

  std::string Describe() const override {
    char s[160];
    std::snprintf(s, sizeof(s), "V4L2 %s %s %dx%d", path_.c_str(), FourccName(fourcc_).c_str(),
                  width_, height_);
    std::string d = s;
    if (fps_ > 0) {
      std::snprintf(s, sizeof(s), " @ %g fps", std::round(fps_ * 100) / 100);
      d += s;
    }
    return d + (card_.empty() ? "" : " (" + card_ + ")");
  }
  bool is_live() const override { return true; }
  double fps() const override { return fps_; }

 private:
  struct Buffer {
    void* data = nullptr;
    size_t length = 0;
  };

  OpenError Busy() {
    return OpenError("camera " + path_ + " is busy (another program is using it); " +
                         CameraListText(*io_),
                     false);
  }
  OpenError Failed(const char* what, int err) {
    if (err == EBUSY) return Busy();
    if (IsGone(err)) return OpenError("camera " + path_ + " disconnected while opening", false);
    return OpenError("camera " + path_ + ": " + what + " failed: " + std::strerror(err), false);
  }

  void Negotiate() {
    const int target_w = options_.width > 0 ? options_.width : (options_.height > 0 ? 0 : 640);
    const int target_h = options_.height > 0 ? options_.height : (options_.width > 0 ? 0 : 480);
    const double target_fps = options_.fps > 0 ? options_.fps : 30;
    const std::vector<uint32_t> preferred = PreferredFormats(options_.prefer_gray);

    std::vector<Mode> modes;
    for (uint32_t i = 0; i < 256; ++i) {
      v4l2_fmtdesc d{};
      d.index = i;
      d.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      if (Xioctl(*io_, fd_, VIDIOC_ENUM_FMT, &d) < 0) break;
      const auto it = std::find(preferred.begin(), preferred.end(), d.pixelformat);
      if (it == preferred.end()) continue;
      // libv4l2's own conversions cost CPU; take them only as the last resort.
      if ((d.flags & V4L2_FMT_FLAG_EMULATED) && !IsConvertedOk(d.pixelformat)) continue;
      Mode base;
      base.fourcc = d.pixelformat;
      base.rank = static_cast<int>(it - preferred.begin());
      std::string range;
      std::vector<CameraInfo::Size> sizes = EnumerateSizes(*io_, fd_, d.pixelformat, &range);
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
    if (modes.empty()) {
      std::string offered;
      for (const auto& f : EnumerateFormats(*io_, fd_))
        offered += (offered.empty() ? "" : ", ") + f.fourcc;
      throw OpenError("camera " + path_ + " offers no usable format (" +
                          (offered.empty() ? std::string("none") : offered) +
                          "; VWW Live reads GREY, YUYV, MJPEG or BGR24/RGB24)",
                      false);
    }
    const Mode best = *std::min_element(modes.begin(), modes.end());

    v4l2_format fmt{};
    fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    fmt.fmt.pix.width = static_cast<uint32_t>(best.width);
    fmt.fmt.pix.height = static_cast<uint32_t>(best.height);
    fmt.fmt.pix.pixelformat = best.fourcc;
    fmt.fmt.pix.field = V4L2_FIELD_ANY;
    if (Xioctl(*io_, fd_, VIDIOC_S_FMT, &fmt) < 0) throw Failed("VIDIOC_S_FMT", errno);
    // The driver may adjust any of these; from here on use what it chose.
    fourcc_ = fmt.fmt.pix.pixelformat;
    if (std::find(preferred.begin(), preferred.end(), fourcc_) == preferred.end())
      throw OpenError("camera " + path_ + " switched to unsupported format " + FourccName(fourcc_),
                      false);
    width_ = static_cast<int>(fmt.fmt.pix.width);
    height_ = static_cast<int>(fmt.fmt.pix.height);
    bytes_per_line_ = static_cast<int>(fmt.fmt.pix.bytesperline);
    if (width_ <= 0 || height_ <= 0)
      throw OpenError("camera " + path_ + " reported an empty frame size", false);

    fps_ = best.fps;
    v4l2_streamparm parm{};
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (Xioctl(*io_, fd_, VIDIOC_G_PARM, &parm) == 0 &&
        (parm.parm.capture.capability & V4L2_CAP_TIMEPERFRAME)) {
      if (best.fps > 0) {
        parm.parm.capture.timeperframe.numerator = 1000;
        parm.parm.capture.timeperframe.denominator =
            static_cast<uint32_t>(std::lround(best.fps * 1000));
        // Not fatal: some drivers refuse and keep their own rate.
        Xioctl(*io_, fd_, VIDIOC_S_PARM, &parm);
      }
      if (Xioctl(*io_, fd_, VIDIOC_G_PARM, &parm) == 0 &&
          IntervalFps(parm.parm.capture.timeperframe) > 0)
        fps_ = IntervalFps(parm.parm.capture.timeperframe);
    }
  }

  void StartStreaming() {
    v4l2_requestbuffers req{};
    // Enough for the driver to keep filling while we convert one.
    req.count = 4;
    req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    req.memory = V4L2_MEMORY_MMAP;
    if (Xioctl(*io_, fd_, VIDIOC_REQBUFS, &req) < 0) throw Failed("VIDIOC_REQBUFS", errno);
    if (req.count < 2)
      throw OpenError("camera " + path_ + " granted only " + std::to_string(req.count) + " buffer",
                      false);
    for (uint32_t i = 0; i < req.count; ++i) {
      v4l2_buffer buf{};
      buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      buf.memory = V4L2_MEMORY_MMAP;
      buf.index = i;
      if (Xioctl(*io_, fd_, VIDIOC_QUERYBUF, &buf) < 0) throw Failed("VIDIOC_QUERYBUF", errno);
      void* data = io_->Mmap(buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, buf.m.offset);
      if (data == MAP_FAILED) throw Failed("mmap", errno);
      buffers_.push_back({data, buf.length});
    }
    for (uint32_t i = 0; i < req.count; ++i) {
      v4l2_buffer buf{};
      buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      buf.memory = V4L2_MEMORY_MMAP;
      buf.index = i;
      if (Xioctl(*io_, fd_, VIDIOC_QBUF, &buf) < 0) throw Failed("VIDIOC_QBUF", errno);
    }
    int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
    if (Xioctl(*io_, fd_, VIDIOC_STREAMON, &type) < 0) {
      const int err = errno;
      if (err == ENOSPC)
        throw OpenError("camera " + path_ +
                            ": not enough USB bandwidth; try a smaller size, a lower rate or "
                            "another USB port",
                        false);
      throw Failed("VIDIOC_STREAMON", err);
    }
    streaming_ = true;
  }

  void Fail(const char* what, int err) {
    if (IsGone(err))
      slot_.Finish("camera " + path_ + " disconnected (" + std::strerror(err) + ")");
    else
      slot_.Finish("camera " + path_ + ": " + what + " failed: " + std::strerror(err));
  }

  // The capture thread. Polls with a short timeout so Stop() is noticed
  // quickly; Read() enforces the stall timeout.
  void Run() {
    int64_t index = 0;
    while (!slot_.stopping()) {
      const int r = io_->Poll(fd_, 100);
      if (r < 0) {
        if (errno == EINTR) continue;
        return Fail("poll", errno);
      }
      if (r == 0) continue;
      v4l2_buffer buf{};
      buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      buf.memory = V4L2_MEMORY_MMAP;
      if (Xioctl(*io_, fd_, VIDIOC_DQBUF, &buf) < 0) {
        if (errno == EAGAIN) continue;
        return Fail("VIDIOC_DQBUF", errno);
      }
      if (buf.index >= buffers_.size()) return Fail("VIDIOC_DQBUF (bad buffer index)", EINVAL);
      Frame frame;
      const bool monotonic = (buf.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) ==
                             V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
      // CLOCK_MONOTONIC is what steady_clock reads on Linux, so driver and
      // host timestamps share one time base.
      frame.timestamp_ms = monotonic && (buf.timestamp.tv_sec || buf.timestamp.tv_usec)
                               ? buf.timestamp.tv_sec * 1000.0 + buf.timestamp.tv_usec / 1000.0
                               : capture_internal::NowMs();
      const size_t used = buf.bytesused ? buf.bytesused : buf.length;
      const bool ok = !(buf.flags & V4L2_BUF_FLAG_ERROR) &&
                      ConvertV4l2Frame(fourcc_, static_cast<const uint8_t*>(buffers_[buf.index].data),
                                       std::min<size_t>(used, buffers_[buf.index].length), width_,
                                       height_, bytes_per_line_, options_.prefer_gray,
                                       &frame.image);
      // Hand the buffer back before publishing so the driver can refill it.
      if (Xioctl(*io_, fd_, VIDIOC_QBUF, &buf) < 0) return Fail("VIDIOC_QBUF", errno);
      frame.index = index++;
      if (ok)
        slot_.Put(std::move(frame));
      else
        slot_.AddDropped(1);  // a corrupt frame is a lost frame
    }
  }

  SourceOptions options_;
  std::shared_ptr<V4l2Io> io_;
  std::string path_, card_;
  int fd_ = -1;
  uint32_t fourcc_ = 0;
  int width_ = 0, height_ = 0, bytes_per_line_ = 0;
  double fps_ = 0;
  std::vector<Buffer> buffers_;
  bool streaming_ = false;
  NewestFrame slot_;
  std::thread thread_;
};

std::unique_ptr<FrameSource> OpenDevice(const SourceOptions& options,
                                        const std::shared_ptr<V4l2Io>& io) {
  auto camera = std::make_unique<V4l2Camera>(options, io);
  camera->Open();
  return camera;
}

}  // namespace

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
        cv::cvtColor(px, *out, fourcc == V4L2_PIX_FMT_BGR24 ? cv::COLOR_BGR2GRAY : cv::COLOR_RGB2GRAY);
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

std::shared_ptr<V4l2Io> SystemV4l2Io() { return std::make_shared<SystemIo>(); }

std::vector<CameraInfo> ListCameras(V4l2Io& io, bool details) {
  std::vector<CameraInfo> cameras;
  for (const std::string& path : io.ListDevices()) {
    CameraInfo info;
    int err = 0;
    if (ProbeDevice(io, path, details, &info, &err) == Probe::kCamera)
      cameras.push_back(std::move(info));
  }
  return cameras;
}

std::vector<CameraInfo> ListCameras(bool details) {
  try {
    return ListCameras(*SystemV4l2Io(), details);
  } catch (const std::exception&) {
    return {};
  }
}

std::unique_ptr<FrameSource> OpenV4l2Camera(const SourceOptions& options,
                                            std::shared_ptr<V4l2Io> io) {
  if (!options.source.empty()) return OpenDevice(options, io);
  // The default camera: the first node that is a capture device. A camera
  // that exists but fails (busy) is reported, not skipped, so the user is not
  // silently shown something else.
  std::string first_error;
  for (const std::string& path : io->ListDevices()) {
    SourceOptions device = options;
    device.source = path;
    try {
      return OpenDevice(device, io);
    } catch (const OpenError& e) {
      if (!e.not_capture && first_error.empty()) first_error = e.what();
    }
  }
  if (!first_error.empty()) throw Error(first_error);
  throw NoCameraError("no camera found");
}

}  // namespace vww
