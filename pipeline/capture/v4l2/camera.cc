// pipeline/capture/v4l2/camera: cameras through V4L2 with mmap streaming. A capture
// thread dequeues every buffer as soon as the driver fills it and keeps only
// the newest converted frame, so Read() never returns a stale image and the
// driver never runs out of buffers while the consumer is busy.
#include <fcntl.h>
#include <linux/videodev2.h>
#include <sys/mman.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <thread>

#include "pipeline/capture/live_source.h"
#include "pipeline/capture/v4l2/devices.h"
#include "pipeline/capture/v4l2/negotiate.h"
#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {
namespace {

// A capture buffer of the mmap kind, for QUERYBUF / QBUF / DQBUF.
v4l2_buffer MmapBuffer(uint32_t index) {
  v4l2_buffer buf{};
  buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  buf.memory = V4L2_MEMORY_MMAP;
  buf.index = index;
  return buf;
}

// Opening failures; not_capture lets the default-source search skip nodes
// that are not cameras (UVC metadata nodes, encoders).
struct OpenError : Error {
  OpenError(const std::string& message, bool not_capture)
      : Error(message), not_capture(not_capture) {}
  bool not_capture;
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
    return slot_.Read(frame, options_.stall_timeout_s,
                      [this] { return CameraStalled(path_, options_.stall_timeout_s); });
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
    return OpenError(
        "camera " + path_ + " is busy (another program is using it); " + CameraListText(*io_),
        false);
  }
  OpenError Failed(const char* what, int err) {
    if (err == EBUSY) return Busy();
    if (IsGone(err)) return OpenError("camera " + path_ + " disconnected while opening", false);
    return OpenError("camera " + path_ + ": " + what + " failed: " + std::strerror(err), false);
  }

  void Negotiate() {
    const std::vector<uint32_t> preferred = PreferredFormats(options_.prefer_gray);
    // Sizes are enumerated only for the formats we would take.
    std::vector<OfferedFormat> offered;
    for (uint32_t i = 0; i < 256; ++i) {
      v4l2_fmtdesc d{};
      d.index = i;
      d.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
      if (Xioctl(*io_, fd_, VIDIOC_ENUM_FMT, &d) < 0) break;
      OfferedFormat format;
      format.fourcc = d.pixelformat;
      format.emulated = (d.flags & V4L2_FMT_FLAG_EMULATED) != 0;
      if (!IsUsableFormat(format.fourcc, format.emulated, options_.prefer_gray)) continue;
      std::string range;
      format.sizes = EnumerateSizes(*io_, fd_, d.pixelformat, &range);
      offered.push_back(std::move(format));
    }
    const std::optional<Mode> chosen = ChooseMode(offered, options_);
    if (!chosen) {
      std::string names;
      for (const auto& f : EnumerateFormats(*io_, fd_))
        names += (names.empty() ? "" : ", ") + f.fourcc;
      throw OpenError("camera " + path_ + " offers no usable format (" +
                          (names.empty() ? std::string("none") : names) +
                          "; VWW Live reads GREY, YUYV, MJPEG or BGR24/RGB24)",
                      false);
    }
    const Mode best = *chosen;

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
      v4l2_buffer buf = MmapBuffer(i);
      if (Xioctl(*io_, fd_, VIDIOC_QUERYBUF, &buf) < 0) throw Failed("VIDIOC_QUERYBUF", errno);
      void* data = io_->Mmap(buf.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, buf.m.offset);
      if (data == MAP_FAILED) throw Failed("mmap", errno);
      buffers_.push_back({data, buf.length});
    }
    for (uint32_t i = 0; i < req.count; ++i) {
      v4l2_buffer buf = MmapBuffer(i);
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
      v4l2_buffer buf = MmapBuffer(0);
      if (Xioctl(*io_, fd_, VIDIOC_DQBUF, &buf) < 0) {
        if (errno == EAGAIN) continue;
        return Fail("VIDIOC_DQBUF", errno);
      }
      if (buf.index >= buffers_.size()) return Fail("VIDIOC_DQBUF (bad buffer index)", EINVAL);
      Frame frame;
      const bool monotonic =
          (buf.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK) == V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
      // CLOCK_MONOTONIC is what steady_clock reads on Linux, so driver and
      // host timestamps share one time base.
      frame.timestamp_ms = monotonic && (buf.timestamp.tv_sec || buf.timestamp.tv_usec)
                               ? buf.timestamp.tv_sec * 1000.0 + buf.timestamp.tv_usec / 1000.0
                               : SteadyNowMs();
      const size_t used = buf.bytesused ? buf.bytesused : buf.length;
      const bool ok =
          !(buf.flags & V4L2_BUF_FLAG_ERROR) &&
          ConvertV4l2Frame(fourcc_, static_cast<const uint8_t*>(buffers_[buf.index].data),
                           std::min<size_t>(used, buffers_[buf.index].length), width_, height_,
                           bytes_per_line_, options_.prefer_gray, &frame.image);
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
