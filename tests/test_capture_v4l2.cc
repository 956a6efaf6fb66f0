// V4L2 cameras against a scripted fake device (no camera exists on the build
// machines): format negotiation, frame content, newest-frame behaviour,
// disconnects, stalls and the one-line errors. Timeouts here only bound
// hangs; no test asserts a duration.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/videodev2.h>
#include <sys/mman.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <thread>

#include "pipeline/capture/frame_source.h"
#include "pipeline/capture/reconnect.h"
#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {
namespace {

struct FakeFormat {
  uint32_t fourcc;
  std::vector<cv::Size> sizes;
  std::vector<int> fps;  // per size, discrete
  bool emulated = false;
};

struct FakeDevice {
  std::string path;
  std::string card = "Fake Camera";
  bool capture = true;  // false: a UVC metadata node
  int open_errno = 0;   // e.g. EBUSY
  std::vector<FakeFormat> formats;
};

// Fills frame n of the stream into a buffer of `length` bytes; returns
// bytesused.
using FillFn = std::function<size_t(uint8_t* data, size_t length, int w, int h, int64_t n)>;

class FakeV4l2Io : public V4l2Io {
 public:
  explicit FakeV4l2Io(std::vector<FakeDevice> devices) : devices_(std::move(devices)) {}

  // Script.
  FillFn fill;
  std::atomic<int64_t> gone_after{-1};  // DQBUF fails with gone_errno after this many frames
  std::atomic<int> gone_errno{ENODEV};  // ENODEV: unplugged; e.g. EPIPE: a driver error
  std::atomic<bool> stall{false};       // never a frame
  int frame_interval_ms = 1;            // how fast the "sensor" produces frames

  // Observations.
  std::atomic<int64_t> produced{0};
  std::atomic<int> open_fds{0};
  std::atomic<int> mapped{0};
  uint32_t set_fourcc = 0;
  int set_width = 0, set_height = 0;
  bool streamed_off = false;

  int Open(const std::string& path, int flags) override {
    for (size_t i = 0; i < devices_.size(); ++i) {
      if (devices_[i].path != path) continue;
      if (devices_[i].open_errno) {
        errno = devices_[i].open_errno;
        return -1;
      }
      ++open_fds;
      return kFdBase + static_cast<int>(i);
    }
    errno = ENOENT;
    return -1;
  }
  int Close(int fd) override {
    --open_fds;
    return 0;
  }
  std::vector<std::string> ListDevices() override {
    std::vector<std::string> paths;
    for (const auto& d : devices_) paths.push_back(d.path);
    return paths;
  }
  void* Mmap(size_t length, int prot, int flags, int fd, int64_t offset) override {
    std::lock_guard<std::mutex> lock(mu_);
    const size_t index = static_cast<size_t>(offset / kOffsetStep);
    if (index >= buffers_.size() || length != buffers_[index].size()) {
      errno = EINVAL;
      return MAP_FAILED;
    }
    ++mapped;
    return buffers_[index].data();
  }
  int Munmap(void* addr, size_t length) override {
    --mapped;
    return 0;
  }
  int Poll(int fd, int timeout_ms) override {
    if (stall) {
      std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
      return 0;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(frame_interval_ms));
    return 1;
  }

  int Ioctl(int fd, unsigned long request, void* arg) override {
    std::lock_guard<std::mutex> lock(mu_);
    const FakeDevice& dev = devices_.at(static_cast<size_t>(fd - kFdBase));
    switch (request) {
      case VIDIOC_QUERYCAP: {
        auto* cap = static_cast<v4l2_capability*>(arg);
        std::memset(cap, 0, sizeof(*cap));
        std::strncpy(reinterpret_cast<char*>(cap->driver), "fake", sizeof(cap->driver));
        std::strncpy(reinterpret_cast<char*>(cap->card), dev.card.c_str(), sizeof(cap->card) - 1);
        cap->device_caps = dev.capture ? (V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING)
                                       : (V4L2_CAP_META_CAPTURE | V4L2_CAP_STREAMING);
        cap->capabilities = cap->device_caps | V4L2_CAP_DEVICE_CAPS;
        return 0;
      }
      case VIDIOC_ENUM_FMT: {
        auto* d = static_cast<v4l2_fmtdesc*>(arg);
        if (!dev.capture || d->index >= dev.formats.size()) return Fail(EINVAL);
        const FakeFormat& f = dev.formats[d->index];
        d->pixelformat = f.fourcc;
        d->flags = f.emulated ? V4L2_FMT_FLAG_EMULATED : 0;
        std::snprintf(reinterpret_cast<char*>(d->description), sizeof(d->description), "fake %s",
                      FourccName(f.fourcc).c_str());
        return 0;
      }
      case VIDIOC_ENUM_FRAMESIZES: {
        auto* s = static_cast<v4l2_frmsizeenum*>(arg);
        const FakeFormat* f = Find(dev, s->pixel_format);
        if (!f || s->index >= f->sizes.size()) return Fail(EINVAL);
        s->type = V4L2_FRMSIZE_TYPE_DISCRETE;
        s->discrete.width = f->sizes[s->index].width;
        s->discrete.height = f->sizes[s->index].height;
        return 0;
      }
      case VIDIOC_ENUM_FRAMEINTERVALS: {
        auto* iv = static_cast<v4l2_frmivalenum*>(arg);
        const FakeFormat* f = Find(dev, iv->pixel_format);
        if (!f) return Fail(EINVAL);
        size_t s = 0;
        while (s < f->sizes.size() && f->sizes[s] != cv::Size(iv->width, iv->height)) ++s;
        if (s == f->sizes.size() || iv->index > 0) return Fail(EINVAL);
        iv->type = V4L2_FRMIVAL_TYPE_DISCRETE;
        iv->discrete.numerator = 1;
        iv->discrete.denominator = static_cast<uint32_t>(f->fps.at(s));
        return 0;
      }
      case VIDIOC_S_FMT: {
        auto* fmt = static_cast<v4l2_format*>(arg);
        const FakeFormat* f = Find(dev, fmt->fmt.pix.pixelformat);
        if (!f) f = &dev.formats.at(0);
        cv::Size size(fmt->fmt.pix.width, fmt->fmt.pix.height);
        if (std::find(f->sizes.begin(), f->sizes.end(), size) == f->sizes.end()) size = f->sizes[0];
        auto& pix = fmt->fmt.pix;
        pix.pixelformat = f->fourcc;
        pix.width = size.width;
        pix.height = size.height;
        pix.field = V4L2_FIELD_NONE;
        pix.bytesperline = f->fourcc == V4L2_PIX_FMT_YUYV   ? 2 * size.width
                           : f->fourcc == V4L2_PIX_FMT_GREY ? size.width
                                                            : 0;
        pix.sizeimage = static_cast<uint32_t>(2 * size.width * size.height + 4096);
        set_fourcc = pix.pixelformat;
        set_width = size.width;
        set_height = size.height;
        sizeimage_ = pix.sizeimage;
        return 0;
      }
      case VIDIOC_G_PARM:
      case VIDIOC_S_PARM: {
        auto* parm = static_cast<v4l2_streamparm*>(arg);
        if (request == VIDIOC_S_PARM) timeperframe_ = parm->parm.capture.timeperframe;
        parm->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
        parm->parm.capture.timeperframe = timeperframe_;
        return 0;
      }
      case VIDIOC_REQBUFS: {
        auto* req = static_cast<v4l2_requestbuffers*>(arg);
        if (req->count == 0) {
          buffers_.clear();
          return 0;
        }
        req->count = 3;
        buffers_.assign(req->count, std::vector<uint8_t>(sizeimage_));
        return 0;
      }
      case VIDIOC_QUERYBUF: {
        auto* buf = static_cast<v4l2_buffer*>(arg);
        if (buf->index >= buffers_.size()) return Fail(EINVAL);
        buf->length = static_cast<uint32_t>(buffers_[buf->index].size());
        buf->m.offset = buf->index * kOffsetStep;
        return 0;
      }
      case VIDIOC_QBUF: {
        auto* buf = static_cast<v4l2_buffer*>(arg);
        if (buf->index >= buffers_.size()) return Fail(EINVAL);
        queued_.push_back(buf->index);
        return 0;
      }
      case VIDIOC_STREAMON:
        streaming_ = true;
        return 0;
      case VIDIOC_STREAMOFF:
        streaming_ = false;
        streamed_off = true;
        queued_.clear();
        return 0;
      case VIDIOC_DQBUF: {
        auto* buf = static_cast<v4l2_buffer*>(arg);
        if (gone_after >= 0 && produced >= gone_after) return Fail(gone_errno);
        if (!streaming_ || queued_.empty() || stall) return Fail(EAGAIN);
        const uint32_t index = queued_.front();
        queued_.pop_front();
        const int64_t n = produced++;
        std::vector<uint8_t>& data = buffers_[index];
        buf->index = index;
        buf->length = static_cast<uint32_t>(data.size());
        buf->bytesused =
            static_cast<uint32_t>(fill ? fill(data.data(), data.size(), set_width, set_height, n)
                                       : data.size());
        buf->flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC;
        // Frame n was captured at 1000 s + n * 40 ms on the monotonic clock.
        const int64_t us = 1000000000LL + n * 40000;
        buf->timestamp.tv_sec = us / 1000000;
        buf->timestamp.tv_usec = us % 1000000;
        buf->sequence = static_cast<uint32_t>(n);
        return 0;
      }
      default:
        return Fail(ENOTTY);
    }
  }

 private:
  static constexpr int kFdBase = 100;
  static constexpr int64_t kOffsetStep = 1 << 24;

  static int Fail(int err) {
    errno = err;
    return -1;
  }
  static const FakeFormat* Find(const FakeDevice& dev, uint32_t fourcc) {
    for (const auto& f : dev.formats)
      if (f.fourcc == fourcc) return &f;
    return nullptr;
  }

  std::mutex mu_;
  std::vector<FakeDevice> devices_;
  std::vector<std::vector<uint8_t>> buffers_;
  std::deque<uint32_t> queued_;
  bool streaming_ = false;
  uint32_t sizeimage_ = 0;
  v4l2_fract timeperframe_{1, 30};
};

// The gray image the fake's sensor sees: a ramp that differs per frame.
uint8_t RampValue(int x, int y, int64_t n) { return static_cast<uint8_t>(x * 3 + y * 7 + n); }

cv::Mat Ramp(int w, int h, int64_t n) {
  cv::Mat m(h, w, CV_8UC1);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) m.at<uint8_t>(y, x) = RampValue(x, y, n);
  return m;
}

size_t FillYuyv(uint8_t* data, size_t length, int w, int h, int64_t n) {
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      data[(y * w + x) * 2] = RampValue(x, y, n);
      data[(y * w + x) * 2 + 1] = (x & 1) ? 90 : 200;  // V / U: must not leak into gray
    }
  }
  return static_cast<size_t>(w) * h * 2;
}

size_t FillGrey(uint8_t* data, size_t length, int w, int h, int64_t n) {
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) data[y * w + x] = RampValue(x, y, n);
  return static_cast<size_t>(w) * h;
}

// A flat colour compresses without visible loss, so the decode is checkable.
size_t FillJpeg(uint8_t* data, size_t length, int w, int h, int64_t n) {
  std::vector<uint8_t> jpeg;
  cv::imencode(".jpg", cv::Mat(h, w, CV_8UC3, cv::Scalar(40, 120, 200)), jpeg);
  if (jpeg.size() > length) return 0;
  std::memcpy(data, jpeg.data(), jpeg.size());
  return jpeg.size();
}

FakeDevice Camera(const std::string& path, std::vector<FakeFormat> formats,
                  const std::string& card = "Fake Camera") {
  FakeDevice d;
  d.path = path;
  d.card = card;
  d.formats = std::move(formats);
  return d;
}

SourceOptions Options(const std::string& source = "/dev/video0") {
  SourceOptions o;
  o.source = source;
  o.stall_timeout_s = 5;  // only an upper bound against hangs
  return o;
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

const FakeFormat kYuyv{V4L2_PIX_FMT_YUYV, {{320, 240}, {640, 480}}, {30, 30}};
const FakeFormat kMjpeg{V4L2_PIX_FMT_MJPEG, {{320, 240}, {640, 480}}, {30, 30}};
const FakeFormat kGrey{V4L2_PIX_FMT_GREY, {{160, 120}, {640, 480}}, {30, 30}};

TEST(CaptureV4l2, YuyvPreferredOverMjpegAndGrayIsTheYPlane) {
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{Camera("/dev/video0", {kMjpeg, kYuyv})});
  io->fill = FillYuyv;
  SourceOptions options = Options();
  options.prefer_gray = true;
  {
    auto source = OpenV4l2Camera(options, io);
    EXPECT_TRUE(source->is_live());
    EXPECT_EQ(io->set_fourcc, V4L2_PIX_FMT_YUYV);
    EXPECT_EQ(cv::Size(io->set_width, io->set_height), cv::Size(640, 480));  // the default target
    EXPECT_DOUBLE_EQ(source->fps(), 30);
    EXPECT_NE(source->Describe().find("YUYV 640x480"), std::string::npos) << source->Describe();
    Frame frame;
    ASSERT_TRUE(source->Read(&frame));
    ASSERT_EQ(frame.image.type(), CV_8UC1);
    EXPECT_EQ(cv::norm(frame.image, Ramp(640, 480, frame.index), cv::NORM_INF), 0);
    // The driver's monotonic timestamp, not the time of Read().
    EXPECT_DOUBLE_EQ(frame.timestamp_ms, 1000000.0 + frame.index * 40.0);
  }
  // Everything released.
  EXPECT_EQ(io->open_fds, 0);
  EXPECT_EQ(io->mapped, 0);
  EXPECT_TRUE(io->streamed_off);
}

TEST(CaptureV4l2, YuyvToBgr) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
  io->fill = FillYuyv;
  auto source = OpenV4l2Camera(Options(), io);
  Frame frame;
  ASSERT_TRUE(source->Read(&frame));
  ASSERT_EQ(frame.image.type(), CV_8UC3);
  EXPECT_EQ(frame.image.size(), cv::Size(640, 480));
}

TEST(CaptureV4l2, GreyPreferredWhenTheModelIsGray) {
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv, kMjpeg, kGrey})});
  io->fill = FillGrey;
  SourceOptions options = Options();
  options.prefer_gray = true;
  auto source = OpenV4l2Camera(options, io);
  EXPECT_EQ(io->set_fourcc, V4L2_PIX_FMT_GREY);
  Frame frame;
  ASSERT_TRUE(source->Read(&frame));
  ASSERT_EQ(frame.image.type(), CV_8UC1);
  EXPECT_EQ(cv::norm(frame.image, Ramp(640, 480, frame.index), cv::NORM_INF), 0);
}

TEST(CaptureV4l2, ColourWantedTakesYuyvOverGrey) {
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{Camera("/dev/video0", {kGrey, kYuyv})});
  io->fill = FillYuyv;
  auto source = OpenV4l2Camera(Options(), io);
  EXPECT_EQ(io->set_fourcc, V4L2_PIX_FMT_YUYV);
}

TEST(CaptureV4l2, MjpegDecodes) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kMjpeg})});
  io->fill = FillJpeg;
  SourceOptions options = Options();
  options.width = 320;
  options.height = 240;
  auto source = OpenV4l2Camera(options, io);
  EXPECT_EQ(io->set_fourcc, V4L2_PIX_FMT_MJPEG);
  Frame frame;
  ASSERT_TRUE(source->Read(&frame));
  ASSERT_EQ(frame.image.type(), CV_8UC3);
  ASSERT_EQ(frame.image.size(), cv::Size(320, 240));
  const cv::Vec3b px = frame.image.at<cv::Vec3b>(120, 160);
  EXPECT_NEAR(px[0], 40, 3);
  EXPECT_NEAR(px[1], 120, 3);
  EXPECT_NEAR(px[2], 200, 3);
}

TEST(CaptureV4l2, CorruptMjpegFramesAreDroppedNotFatal) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kMjpeg})});
  io->fill = [](uint8_t* data, size_t length, int w, int h, int64_t n) -> size_t {
    if (n % 2 == 0) {
      std::memset(data, 0x42, 64);  // garbage
      return 64;
    }
    return FillJpeg(data, length, w, h, n);
  };
  auto source = OpenV4l2Camera(Options(), io);
  Frame frame;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(source->Read(&frame));
    EXPECT_EQ(frame.index % 2, 1);
    EXPECT_GT(frame.dropped, 0);
  }
}

TEST(CaptureV4l2, SizeAndRateNegotiation) {
  // Target 1280x720 @ 30: YUYV only manages 10 fps there, MJPEG 30.
  FakeFormat yuyv{V4L2_PIX_FMT_YUYV, {{640, 480}, {1280, 720}}, {30, 10}};
  FakeFormat mjpeg{V4L2_PIX_FMT_MJPEG, {{640, 480}, {1280, 720}}, {30, 30}};
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{Camera("/dev/video0", {yuyv, mjpeg})});
  io->fill = FillJpeg;
  SourceOptions options = Options();
  options.width = 1280;
  options.height = 720;
  auto source = OpenV4l2Camera(options, io);
  EXPECT_EQ(io->set_fourcc, V4L2_PIX_FMT_MJPEG);
  EXPECT_EQ(cv::Size(io->set_width, io->set_height), cv::Size(1280, 720));
  EXPECT_DOUBLE_EQ(source->fps(), 30);
}

TEST(CaptureV4l2, ClosestSizeWhenTheRequestIsNotOffered) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
  io->fill = FillYuyv;
  SourceOptions options = Options();
  options.width = 352;
  options.height = 288;
  auto source = OpenV4l2Camera(options, io);
  EXPECT_EQ(cv::Size(io->set_width, io->set_height), cv::Size(320, 240));
}

TEST(CaptureV4l2, EmulatedFormatsOnlyAsFallback) {
  FakeFormat bgr{V4L2_PIX_FMT_BGR24, {{640, 480}}, {30}, /*emulated=*/true};
  FakeFormat h264{V4L2_PIX_FMT_H264, {{640, 480}}, {30}};
  {
    auto io = std::make_shared<FakeV4l2Io>(
        std::vector<FakeDevice>{Camera("/dev/video0", {bgr, kYuyv})});
    auto source = OpenV4l2Camera(Options(), io);
    EXPECT_EQ(io->set_fourcc, V4L2_PIX_FMT_YUYV);
  }
  {
    auto io = std::make_shared<FakeV4l2Io>(
        std::vector<FakeDevice>{Camera("/dev/video0", {h264, bgr})});
    auto source = OpenV4l2Camera(Options(), io);
    EXPECT_EQ(io->set_fourcc, V4L2_PIX_FMT_BGR24);
  }
  {
    auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {h264})});
    const std::string error = ErrorOf([&] { OpenV4l2Camera(Options(), io); });
    EXPECT_NE(error.find("no usable format (H264"), std::string::npos) << error;
    EXPECT_EQ(io->open_fds, 0);
  }
}

TEST(CaptureV4l2, NewestFrameDropsWhenTheReaderIsSlow) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kGrey})});
  io->fill = FillGrey;
  SourceOptions options = Options();
  options.prefer_gray = true;
  options.width = 160;
  options.height = 120;
  auto source = OpenV4l2Camera(options, io);
  Frame frame;
  int64_t last = -1;
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(source->Read(&frame));
    EXPECT_GT(frame.index, last);
    last = frame.index;
    // The frame is the one its index says, not an older buffer's content.
    EXPECT_EQ(cv::norm(frame.image, Ramp(160, 120, frame.index), cv::NORM_INF), 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_GT(frame.dropped, 0);
  EXPECT_GT(frame.index, 7);
}

TEST(CaptureV4l2, DeviceDisappearsMidStream) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
  io->fill = FillYuyv;
  io->gone_after = 5;
  auto source = OpenV4l2Camera(Options(), io);
  Frame frame;
  std::string error;
  try {
    for (int i = 0; i < 1000; ++i) source->Read(&frame);  // bounded: the error must come
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_EQ(error, "camera /dev/video0 disconnected (No such device)");
  // Later reads keep failing instead of blocking.
  EXPECT_THROW(source->Read(&frame), Error);
}

TEST(CaptureV4l2, StallTimesOut) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
  io->stall = true;
  SourceOptions options = Options();
  options.stall_timeout_s = 0.3;
  auto source = OpenV4l2Camera(options, io);
  Frame frame;
  const std::string error = ErrorOf([&] { source->Read(&frame); });
  EXPECT_EQ(error, "camera /dev/video0 stalled: no frame for 0.3 s");
}

TEST(CaptureV4l2, BusyDeviceListsCameras) {
  FakeDevice busy = Camera("/dev/video0", {kYuyv});
  busy.open_errno = EBUSY;
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{busy, Camera("/dev/video2", {kYuyv}, "Other Cam")});
  const std::string error = ErrorOf([&] { OpenV4l2Camera(Options("/dev/video0"), io); });
  EXPECT_EQ(error,
            "camera /dev/video0 is busy (another program is using it); cameras: /dev/video0 "
            "(busy), /dev/video2 (Other Cam)");
}

TEST(CaptureV4l2, MissingDeviceListsCameras) {
  FakeDevice meta = Camera("/dev/video1", {});
  meta.capture = false;  // metadata nodes are not listed as cameras
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv}, "Webcam"), meta});
  EXPECT_EQ(ErrorOf([&] { OpenV4l2Camera(Options("/dev/video7"), io); }),
            "camera /dev/video7 not found; cameras: /dev/video0 (Webcam)");
  auto none = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{});
  EXPECT_EQ(ErrorOf([&] { OpenV4l2Camera(Options("/dev/video0"), none); }),
            "camera /dev/video0 not found; no camera found");
}

TEST(CaptureV4l2, MetadataNodeIsNotACamera) {
  FakeDevice meta = Camera("/dev/video1", {});
  meta.capture = false;
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{meta});
  const std::string error = ErrorOf([&] { OpenV4l2Camera(Options("/dev/video1"), io); });
  EXPECT_NE(error.find("not a streaming video capture device"), std::string::npos) << error;
  EXPECT_EQ(io->open_fds, 0);
}

TEST(CaptureV4l2, DefaultSourceIsTheFirstCaptureDevice) {
  FakeDevice meta = Camera("/dev/video0", {});
  meta.capture = false;
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{meta, Camera("/dev/video1", {kYuyv}, "Webcam")});
  io->fill = FillYuyv;
  auto source = OpenV4l2Camera(Options(""), io);
  EXPECT_NE(source->Describe().find("/dev/video1"), std::string::npos) << source->Describe();
}

TEST(CaptureV4l2, NoCameraErrorForTheDefaultSource) {
  FakeDevice meta = Camera("/dev/video0", {});
  meta.capture = false;
  for (auto devices : {std::vector<FakeDevice>{}, std::vector<FakeDevice>{meta}}) {
    auto io = std::make_shared<FakeV4l2Io>(devices);
    EXPECT_THROW(OpenV4l2Camera(Options(""), io), NoCameraError);
  }
  // A camera that exists but is busy is reported, not treated as absent.
  FakeDevice busy = Camera("/dev/video0", {kYuyv});
  busy.open_errno = EBUSY;
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{busy});
  try {
    OpenV4l2Camera(Options(""), io);
    FAIL() << "expected an error";
  } catch (const NoCameraError&) {
    FAIL() << "a busy camera is not 'no camera'";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("busy"), std::string::npos) << e.what();
  }
}

TEST(CaptureV4l2, ListCamerasWithDetails) {
  FakeDevice meta = Camera("/dev/video1", {});
  meta.capture = false;
  auto io = std::make_shared<FakeV4l2Io>(
      std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv, kMjpeg}, "Webcam"), meta});
  const std::vector<CameraInfo> cameras = ListCameras(*io, true);
  ASSERT_EQ(cameras.size(), 1u);
  EXPECT_EQ(cameras[0].path, "/dev/video0");
  EXPECT_EQ(cameras[0].card, "Webcam");
  EXPECT_EQ(cameras[0].driver, "fake");
  ASSERT_EQ(cameras[0].formats.size(), 2u);
  EXPECT_EQ(cameras[0].formats[0].fourcc, "YUYV");
  EXPECT_EQ(cameras[0].formats[1].fourcc, "MJPG");
  ASSERT_EQ(cameras[0].formats[0].sizes.size(), 2u);
  EXPECT_EQ(cameras[0].formats[0].sizes[1].width, 640);
  EXPECT_EQ(cameras[0].formats[0].sizes[1].fps, std::vector<double>{30});
  EXPECT_EQ(io->open_fds, 0);
}

TEST(CaptureV4l2, ConvertRejectsShortBuffers) {
  std::vector<uint8_t> data(100);
  cv::Mat out;
  EXPECT_FALSE(ConvertV4l2Frame(V4L2_PIX_FMT_YUYV, data.data(), data.size(), 64, 48, 0, true, &out));
  EXPECT_FALSE(ConvertV4l2Frame(V4L2_PIX_FMT_H264, data.data(), data.size(), 4, 4, 0, true, &out));
  EXPECT_TRUE(ConvertV4l2Frame(V4L2_PIX_FMT_GREY, data.data(), data.size(), 10, 10, 0, true, &out));
}


// Faults mid-stream (issue 7): a driver error, and --reconnect after an
// unplug or a stall. Every case ends in bounded time.
TEST(CaptureV4l2, DriverErrorMidStreamIsOneLine) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
  io->fill = FillYuyv;
  io->gone_after = 3;
  io->gone_errno = EPIPE;  // not one of the "unplugged" errors (ENODEV, EIO, ENXIO)
  auto source = OpenV4l2Camera(Options(), io);
  Frame frame;
  std::string error;
  try {
    for (int i = 0; i < 1000; ++i) source->Read(&frame);
  } catch (const Error& e) {
    error = e.what();
  }
  EXPECT_EQ(error, "camera /dev/video0: VIDIOC_DQBUF failed: Broken pipe");
  source.reset();
  EXPECT_EQ(io->open_fds, 0);
  EXPECT_EQ(io->mapped, 0);
}

// Reads frames through a reconnecting source until `count` frames have come
// from the device after the reconnection; returns the report lines.
std::vector<std::string> ReadAcrossReconnect(std::shared_ptr<FakeV4l2Io> first,
                                             const SourceOptions& options, int missing_opens,
                                             std::shared_ptr<FakeV4l2Io>* second) {
  std::vector<std::string> lines;
  int opens = 0;
  ReconnectOptions ro;
  ro.first_delay_s = 0.01;
  ro.max_delay_s = 0.02;
  ro.max_attempts = 20;  // bounds the test if reconnecting never works
  auto source = MakeReconnectingSource(
      OpenV4l2Camera(options, first),
      [&]() {
        // Unplugged for a while: no device at all; then a fresh one.
        if (opens++ < missing_opens)
          return OpenV4l2Camera(options, std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{}));
        *second = std::make_shared<FakeV4l2Io>(
            std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
        (*second)->fill = FillYuyv;
        return OpenV4l2Camera(options, *second);
      },
      ro, nullptr, [&](const std::string& l) { lines.push_back(l); });
  Frame frame;
  int64_t last = -1;
  for (int i = 0; i < 2000 && !(*second && (*second)->produced >= 3); ++i) {
    EXPECT_TRUE(source->Read(&frame));
    EXPECT_GT(frame.index, last);  // indices keep increasing across the reconnection
    last = frame.index;
    // The old device was closed before the new one was opened.
    if (*second) {
      EXPECT_EQ(first->open_fds, 0);
      EXPECT_EQ(first->mapped, 0);
    }
  }
  EXPECT_TRUE(*second && (*second)->produced >= 3);
  return lines;
}

TEST(CaptureV4l2, ReconnectAfterUnplug) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
  io->fill = FillYuyv;
  io->gone_after = 5;
  std::shared_ptr<FakeV4l2Io> second;
  const auto lines = ReadAcrossReconnect(io, Options(), 2, &second);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0], "camera /dev/video0 disconnected (No such device); reconnecting");
  EXPECT_EQ(lines[1].rfind("reconnection attempt 1 failed: camera /dev/video0 not found", 0), 0u)
      << lines[1];
  EXPECT_EQ(lines[3].rfind("reconnected to V4L2 /dev/video0 YUYV", 0), 0u) << lines[3];
  EXPECT_NE(lines[3].find("after 3 attempts"), std::string::npos) << lines[3];
}

TEST(CaptureV4l2, ReconnectAfterStall) {
  auto io = std::make_shared<FakeV4l2Io>(std::vector<FakeDevice>{Camera("/dev/video0", {kYuyv})});
  io->stall = true;
  SourceOptions options = Options();
  options.stall_timeout_s = 0.2;
  std::shared_ptr<FakeV4l2Io> second;
  const auto lines = ReadAcrossReconnect(io, options, 0, &second);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "camera /dev/video0 stalled: no frame for 0.2 s; reconnecting");
  EXPECT_NE(lines[1].find("after 1 attempt"), std::string::npos) << lines[1];
}

}  // namespace
}  // namespace vww
