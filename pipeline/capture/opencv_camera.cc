// pipeline/capture/opencv_camera: the fallback camera backend, OpenCV's own
// V4L2 capture, for devices libv4l2 cannot drive. Same newest-frame thread as
// the V4L2 source.
#include <opencv2/videoio.hpp>
#include <thread>

#include "pipeline/capture/live_source.h"
#include "pipeline/capture/sources.h"
#include "pipeline/capture/v4l2/v4l2.h"

namespace vww {
namespace {

class OpenCvCamera : public FrameSource {
 public:
  OpenCvCamera(const SourceOptions& options, std::string name)
      : options_(options), name_(std::move(name)) {}
  ~OpenCvCamera() override {
    slot_.Stop();
    // VideoCapture::read has its own select() timeout, so this returns.
    if (thread_.joinable()) thread_.join();
  }

  void Open(int index, const std::string& path) {
    const bool ok =
        path.empty() ? capture_.open(index, cv::CAP_V4L2) : capture_.open(path, cv::CAP_V4L2);
    if (!ok || !capture_.isOpened()) {
      const std::vector<CameraInfo> cameras = ListCameras(false);
      std::string list;
      for (const CameraInfo& c : cameras)
        list += (list.empty() ? "" : ", ") + c.path + " (" + c.card + ")";
      throw Error("cannot open camera " + name_ + " with OpenCV (missing or busy); " +
                  (list.empty() ? "no camera found" : "cameras: " + list));
    }
    if (options_.width > 0) capture_.set(cv::CAP_PROP_FRAME_WIDTH, options_.width);
    if (options_.height > 0) capture_.set(cv::CAP_PROP_FRAME_HEIGHT, options_.height);
    if (options_.fps > 0) capture_.set(cv::CAP_PROP_FPS, options_.fps);
    width_ = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH));
    height_ = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT));
    const double fps = capture_.get(cv::CAP_PROP_FPS);
    fps_ = fps > 0 && fps < 1000 ? fps : 0;
    thread_ = std::thread([this] { Run(); });
  }

  bool Read(Frame* frame) override {
    return slot_.Read(frame, options_.stall_timeout_s,
                      [this] { return CameraStalled(name_, options_.stall_timeout_s); });
  }
  std::string Describe() const override {
    char s[64];
    std::snprintf(s, sizeof(s), " %dx%d @ %g fps", width_, height_, fps_);
    return "OpenCV camera " + name_ + s;
  }
  bool is_live() const override { return true; }
  double fps() const override { return fps_; }

 private:
  void Run() {
    int64_t index = 0;
    while (!slot_.stopping()) {
      Frame frame;
      if (!capture_.read(frame.image) || frame.image.empty()) {
        // OpenCV does not say why; an unplugged camera is the usual reason.
        slot_.Finish("camera " + name_ + " stopped delivering frames (disconnected?)");
        return;
      }
      frame.timestamp_ms = SteadyNowMs();
      frame.index = index++;
      slot_.Put(std::move(frame));
    }
  }

  SourceOptions options_;
  std::string name_;
  cv::VideoCapture capture_;
  int width_ = 0, height_ = 0;
  double fps_ = 0;
  NewestFrame slot_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<FrameSource> OpenOpenCvCamera(const SourceOptions& options) {
  int index = 0;
  std::string path;
  if (options.source.empty()) {
    if (ListCameras(false).empty()) throw NoCameraError("no camera found");
  } else if (options.source.rfind("/dev/", 0) == 0) {
    path = options.source;
  } else {
    index = std::stoi(options.source);
  }
  auto camera =
      std::make_unique<OpenCvCamera>(options, path.empty() ? std::to_string(index) : path);
  camera->Open(index, path);
  return camera;
}

}  // namespace vww
