// pipeline/capture/files: the file sources (video, image, folder, GStreamer
// string), which hand on every frame in order, and the realtime wrapper that
// plays one at its frame rate like a camera.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/videoio/registry.hpp>
#include <system_error>
#include <thread>

#include "pipeline/capture/live_source.h"
#include "pipeline/capture/sources.h"

namespace vww {
namespace {

namespace fs = std::filesystem;
using Clock = NewestFrame::Clock;

// Files without a usable rate (images, folders, broken headers) are timed as
// if they ran at this rate, so timestamps still increase.
constexpr double kAssumedFps = 30.0;

double UsableFps(double fps) { return (std::isfinite(fps) && fps > 0 && fps < 1000) ? fps : 0; }

std::string FpsText(double fps) {
  char s[32];
  std::snprintf(s, sizeof(s), "%g", std::round(fps * 100) / 100);
  return s;
}

// Decodes frames in order; the FileSource around it adds index, timestamps
// and looping.
class FrameDecoder {
 public:
  virtual ~FrameDecoder() = default;
  virtual bool Next(cv::Mat* image) = 0;  // false at the end
  virtual void Rewind() = 0;
  virtual double fps() const = 0;  // 0 when unknown
  virtual std::string Describe() const = 0;
};

class VideoDecoder : public FrameDecoder {
 public:
  VideoDecoder(std::string name, std::string open_arg, int api)
      : name_(std::move(name)), open_arg_(std::move(open_arg)), api_(api) {
    Open();
    fps_ = UsableFps(capture_.get(cv::CAP_PROP_FPS));
    width_ = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_WIDTH));
    height_ = static_cast<int>(capture_.get(cv::CAP_PROP_FRAME_HEIGHT));
  }
  bool Next(cv::Mat* image) override { return capture_.read(*image) && !image->empty(); }
  // Reopening (rather than seeking to 0) gives exactly the same frames on
  // every pass: seeking in MPEG streams is not frame exact.
  void Rewind() override { Open(); }
  double fps() const override { return fps_; }
  std::string Describe() const override {
    return name_ + " " + std::to_string(width_) + "x" + std::to_string(height_) +
           (fps_ > 0 ? " @ " + FpsText(fps_) + " fps" : "");
  }

 private:
  void Open() {
    capture_.release();
    if (!capture_.open(open_arg_, api_) || !capture_.isOpened())
      throw Error(name_ + ": cannot open or decode (not a video OpenCV can read)");
  }
  std::string name_, open_arg_;
  int api_;
  cv::VideoCapture capture_;
  double fps_ = 0;
  int width_ = 0, height_ = 0;
};

cv::Mat ReadImage(const std::string& path) {
  // Always colour: the reference data decodes with IMREAD_COLOR and converts
  // to gray afterwards, which is not bit-identical to IMREAD_GRAYSCALE.
  cv::Mat image = cv::imread(path, cv::IMREAD_COLOR);
  if (image.empty()) throw Error(path + ": cannot read or decode image");
  return image;
}

// One image, or the images of a folder, in order.
class ImageListDecoder : public FrameDecoder {
 public:
  ImageListDecoder(std::string description, std::vector<std::string> paths, double fps)
      : description_(std::move(description)), paths_(std::move(paths)), fps_(fps) {}
  bool Next(cv::Mat* image) override {
    if (next_ >= paths_.size()) return false;
    *image = ReadImage(paths_[next_++]);
    return true;
  }
  void Rewind() override { next_ = 0; }
  double fps() const override { return fps_; }
  std::string Describe() const override { return description_; }

 private:
  std::string description_;
  std::vector<std::string> paths_;
  size_t next_ = 0;
  double fps_;
};

class FileSource : public FrameSource {
 public:
  FileSource(std::unique_ptr<FrameDecoder> decoder, bool loop)
      : decoder_(std::move(decoder)), loop_(loop) {}
  bool Read(Frame* frame) override {
    if (!decoder_->Next(&frame->image)) {
      // A pass without frames would loop forever without progress.
      if (!loop_ || pass_frames_ == 0) return false;
      decoder_->Rewind();
      pass_frames_ = 0;
      if (!decoder_->Next(&frame->image)) return false;
    }
    ++pass_frames_;
    const double fps = decoder_->fps() > 0 ? decoder_->fps() : kAssumedFps;
    frame->index = next_index_++;
    frame->timestamp_ms = frame->index * 1000.0 / fps;
    frame->dropped = 0;
    return true;
  }
  std::string Describe() const override { return decoder_->Describe() + (loop_ ? " (loop)" : ""); }
  bool is_live() const override { return false; }
  double fps() const override { return decoder_->fps(); }

 private:
  std::unique_ptr<FrameDecoder> decoder_;
  bool loop_;
  int64_t next_index_ = 0;
  int64_t pass_frames_ = 0;
};

// Plays a file source at its frame rate like a camera: a reader thread
// decodes ahead on schedule and Read() gets the newest frame, so a slow
// consumer sees drops instead of falling behind.
class RealtimeSource : public FrameSource {
 public:
  RealtimeSource(std::unique_ptr<FrameSource> inner, double fps, double stall_timeout_s)
      : inner_(std::move(inner)), fps_(fps), stall_timeout_s_(stall_timeout_s) {
    thread_ = std::thread([this] { Run(); });
  }
  ~RealtimeSource() override {
    slot_.Stop();
    thread_.join();
  }
  bool Read(Frame* frame) override {
    return slot_.Read(frame, stall_timeout_s_, [this] {
      return inner_->Describe() + ": no frame decoded within " + FpsText(stall_timeout_s_) + " s";
    });
  }
  std::string Describe() const override { return inner_->Describe() + " (realtime)"; }
  bool is_live() const override { return true; }
  double fps() const override { return fps_; }

 private:
  void Run() {
    const Clock::time_point start = Clock::now();
    const auto period = std::chrono::duration<double>(1.0 / fps_);
    for (int64_t n = 0;; ++n) {
      Frame frame;
      try {
        if (!inner_->Read(&frame)) break;
      } catch (const std::exception& e) {
        slot_.Finish(e.what());
        return;
      }
      const auto due = start + std::chrono::duration_cast<Clock::duration>(period * n);
      if (!slot_.SleepUntil(due)) break;
      slot_.Put(std::move(frame));
    }
    slot_.Finish("");
  }

  std::unique_ptr<FrameSource> inner_;
  double fps_;
  double stall_timeout_s_;
  NewestFrame slot_;
  std::thread thread_;
};

// cv::haveImageReader looks at the file's signature, so a folder can hold
// anything (CSV files, READMEs, videos) without tripping the source.
bool IsImageFile(const fs::path& path) {
  try {
    return cv::haveImageReader(path.string());
  } catch (const cv::Exception&) {
    return false;
  }
}

std::unique_ptr<FrameSource> OpenFolder(const std::string& path, const SourceOptions& options) {
  std::vector<std::string> images;
  std::error_code ec;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec) && IsImageFile(it->path())) images.push_back(it->path().string());
  }
  if (ec) throw Error(path + ": cannot list folder: " + ec.message());
  if (images.empty()) throw Error(path + ": folder holds no images");
  // By file name, so frame_0002.png comes before frame_0010.png when the
  // names are zero padded, and the order never depends on the filesystem.
  std::sort(images.begin(), images.end());
  const std::string description =
      "folder " + path + " (" + std::to_string(images.size()) + " images)";
  return std::make_unique<FileSource>(
      std::make_unique<ImageListDecoder>(description, std::move(images), UsableFps(options.fps)),
      options.loop);
}

std::unique_ptr<FrameSource> OpenFile(const SourceOptions& options) {
  const std::string& path = options.source;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (fs::is_directory(status)) return OpenFolder(path, options);
  if (!fs::exists(status)) throw Error(path + ": no such file, folder or camera");
  if (IsImageFile(path)) {
    ReadImage(path);  // fail now, with the file named, rather than at the first Read()
    return std::make_unique<FileSource>(
        std::make_unique<ImageListDecoder>("image " + path, std::vector<std::string>{path},
                                           UsableFps(options.fps)),
        options.loop);
  }
  // FFmpeg only: it is what CAP_ANY picks first for any file it can decode,
  // and falling through to other backends on a corrupt file only adds their
  // noise (and, for GStreamer, leaks) to the error.
  return std::make_unique<FileSource>(
      std::make_unique<VideoDecoder>("video " + path, path, cv::CAP_FFMPEG), options.loop);
}

std::unique_ptr<FrameSource> OpenGStreamer(const SourceOptions& options) {
  const std::string pipeline = options.source.substr(4);
  if (!cv::videoio_registry::hasBackend(cv::CAP_GSTREAMER))
    throw Error("this OpenCV was built without GStreamer support, so '" + options.source +
                "' cannot be opened");
  if (pipeline.empty()) throw Error("empty GStreamer pipeline after 'gst:'");
  return std::make_unique<FileSource>(
      std::make_unique<VideoDecoder>("GStreamer pipeline '" + pipeline + "'", pipeline,
                                     cv::CAP_GSTREAMER),
      options.loop);
}

}  // namespace

std::unique_ptr<FrameSource> OpenFileSource(const SourceOptions& options) {
  std::unique_ptr<FrameSource> source =
      options.source.rfind("gst:", 0) == 0 ? OpenGStreamer(options) : OpenFile(options);
  if (!options.realtime) return source;
  const double fps = source->fps() > 0 ? source->fps() : kAssumedFps;
  return std::make_unique<RealtimeSource>(std::move(source), fps, options.stall_timeout_s);
}

}  // namespace vww
