// ui/recorder: see recorder.h.
#include "ui/recorder/recorder.h"

#include <nettle/sha2.h>
#include <sys/statvfs.h>

#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>

#include "model/model.h"

namespace vww {

namespace fs = std::filesystem;

namespace {

// --- files ------------------------------------------------------------------

std::string LocalTime(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}

std::string IsoNow() { return LocalTime("%Y-%m-%dT%H:%M:%S%z"); }

std::string Numbered(const char* prefix, int n, const char* suffix) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s%03d%s", prefix, n, suffix);
  return buf;
}

// A new folder DIR/YYYYmmdd-HHMMSS, or -2, -3... when that exists.
std::string MakeSessionFolder(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("--record " + dir + ": cannot create the folder: " + ec.message());
  const std::string stamp = LocalTime("%Y%m%d-%H%M%S");
  for (int n = 1; n < 1000; ++n) {
    const std::string path = dir + "/" + stamp + (n > 1 ? "-" + std::to_string(n) : "");
    if (fs::create_directory(path, ec)) return path;
    if (ec) throw Error("--record " + dir + ": cannot create a session folder: " + ec.message());
  }
  throw Error("--record " + dir + ": too many sessions named " + stamp);
}

bool OpenVideo(cv::VideoWriter* w, const std::string& path, const char* fourcc, double fps,
               cv::Size size) {
  try {
    return w->open(path, cv::CAP_FFMPEG,
                   cv::VideoWriter::fourcc(fourcc[0], fourcc[1], fourcc[2], fourcc[3]), fps, size,
                   true);
  } catch (const cv::Exception&) {
    return false;
  }
}

// The frame as an 8-bit BGR image of the session's size.
const cv::Mat& AsBgr(const cv::Mat& image, cv::Size size, cv::Mat* buffer) {
  const cv::Mat* m = &image;
  if (image.channels() == 1) {
    cv::cvtColor(image, *buffer, cv::COLOR_GRAY2BGR);
    m = buffer;
  } else if (image.channels() == 4) {
    cv::cvtColor(image, *buffer, cv::COLOR_BGRA2BGR);
    m = buffer;
  }
  if (m->size() != size) {
    cv::resize(*m, *buffer, size, 0, 0, cv::INTER_AREA);
    m = buffer;
  }
  return *m;
}

}  // namespace

std::string Sha256Hex(const void* data, size_t size) {
  sha256_ctx ctx;
  sha256_init(&ctx);
  sha256_update(&ctx, size, static_cast<const uint8_t*>(data));
  uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&ctx, sizeof(digest), digest);
  char hex[2 * SHA256_DIGEST_SIZE + 1];
  for (int i = 0; i < SHA256_DIGEST_SIZE; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return hex;
}

std::string Sha256File(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return Sha256Hex(bytes.data(), bytes.size());
}

// One frame as the writer thread needs it, owning its pixels (the run loop
// reuses its buffers as soon as AddFrame() returns).
struct Recorder::Job {
  Frame frame;
  cv::Mat model_image, annotated;
  Classification classification;
  std::vector<std::string> labels;
  LabelDecision label;
  int person_index = -1;
  double person_score = 0, smoothed = 0, latency_ms = 0, fps = 0;
  bool awake = false;
  std::optional<WakeEvent> event;
  int64_t processed = 0;

  Job(const FrameResult& r, const cv::Mat& shown)
      : frame(r.frame),
        model_image(r.model_image.clone()),
        annotated(shown.clone()),
        classification(r.classification),
        labels(r.labels),
        label(r.label),
        person_index(r.person_index),
        person_score(r.person_score),
        smoothed(r.smoothed),
        latency_ms(r.latency_ms),
        fps(r.fps),
        awake(r.awake),
        event(r.event),
        processed(r.processed) {
    frame.image = r.frame.image.clone();
  }
  FrameResult Result() const {
    FrameResult r{frame, model_image, classification, labels};
    r.label = label;
    r.person_index = person_index;
    r.person_score = person_score;
    r.smoothed = smoothed;
    r.awake = awake;
    r.event = event;
    r.latency_ms = latency_ms;
    r.fps = fps;
    r.processed = processed;
    return r;
  }
};

Recorder::Recorder(const RecorderOptions& options) : options_(options) {
  if (options_.fps <= 0 || options_.fps > 1000) options_.fps = 30;
  if (options_.queue_frames < 1) options_.queue_frames = 1;
  folder_ = MakeSessionFolder(options_.dir);
  start_time_ = IsoNow();
  log_ = std::make_unique<FrameLog>(folder_ + "/log.csv", options_.labels, options_.log_columns);
  events_ = std::make_unique<FileOut>(folder_ + "/events.jsonl");
  if (options_.clips) {
    std::error_code ec;
    fs::create_directory(folder_ + "/clips", ec);
    preroll_frames_ = static_cast<size_t>(std::lround(options_.preroll_s * options_.fps));
  }
  WriteSessionJson(nullptr);  // a valid session.json from the start
  if (!ok()) throw Error(error());
  writer_ = std::thread([this] { WriterLoop(); });
}

Recorder::~Recorder() { Close(); }

std::string Recorder::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

int64_t Recorder::frames() const {
  std::lock_guard<std::mutex> lock(mu_);
  return frames_;
}

int64_t Recorder::dropped_by_recording() const {
  std::lock_guard<std::mutex> lock(mu_);
  return recording_dropped_;
}

void Recorder::AddFrame(const FrameResult& r, const cv::Mat& annotated) {
  if (closed_ || !ok()) return;
  try {
    {
      std::unique_lock<std::mutex> lock(mu_);
      dropped_ = r.frame.dropped;
      const size_t limit = static_cast<size_t>(options_.queue_frames);
      if (options_.drop_when_behind) {
        // The writer is behind: leave this frame out rather than wait. Event
        // frames are kept (events.jsonl and the wake snapshot need them).
        if (!r.event && queue_.size() >= limit) {
          ++recording_dropped_;
          return;
        }
      } else {
        queue_room_.wait(lock, [&] { return queue_.size() < limit || failed_; });
        if (failed_) return;
      }
    }
    auto job = std::make_unique<Job>(r, annotated);
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(job));
    }
    wake_writer_.notify_one();
  } catch (const std::exception& e) {  // bad_alloc, cv::Exception
    Fail(e.what());
  }
}

void Recorder::WriterLoop() {
  for (;;) {
    std::unique_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      wake_writer_.wait(lock, [this] { return stopping_ || failed_ || !queue_.empty(); });
      if (failed_ || queue_.empty()) break;  // failed, or stopping with nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    queue_room_.notify_one();
    try {
      Write(*job);
    } catch (const std::exception& e) {  // cv::Exception, vww::Error, bad_alloc
      Fail(e.what());
    }
  }
  if (!ok()) {
    // Keep what was written valid and say why in session.json at once.
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.clear();
    }
    CloseFiles();
    WriteSessionJson(nullptr);
  }
}

void Recorder::StopWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_writer_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Recorder::Write(const Job& job) {
  const FrameResult r = job.Result();
  const cv::Mat& annotated = job.annotated;
  if (annotated_video_.isOpened() == false && size_.area() == 0) {
    size_ = annotated.size();
    if (!OpenVideo(&annotated_video_, folder_ + "/annotated.avi", "MJPG", options_.fps, size_))
      return Fail(folder_ + "/annotated.avi: cannot open the video writer");
  }
  annotated_video_.write(AsBgr(annotated, size_, &bgr_));
  if (options_.raw) {
    WriteRaw(r.frame.image);
    if (!ok()) return;
  }
  log_->Write(r);
  if (r.event) {
    std::fputs(EventJson(*r.event).c_str(), events_->get());
    if (r.event->type == WakeEventType::kWake) {
      ++wakes_;
      Snapshot(r);
    } else {
      ++sleeps_;
    }
  }
  if (options_.clips) WriteClip(r, AsBgr(annotated, size_, &bgr_));
  int64_t written = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    written = ++frames_;
  }
  if (!log_->Flush() || !events_->Flush()) return Fail(folder_ + ": write failed (disk full?)");
  if (written % 16 == 1) CheckDisk();
}

// Every raw frame kept exactly: a video holds one size with even sides
// (FFmpeg's encoders round odd sides down), so a size change starts a new
// segment, and odd sizes go to a folder of PNG files.
void Recorder::WriteRaw(const cv::Mat& image) {
  const cv::Size size = image.size();
  if (raw_segments_.empty() || raw_segments_.back().size != size) {
    raw_video_.release();
    const int n = static_cast<int>(raw_segments_.size()) + 1;
    const std::string name = n == 1 ? std::string("raw") : Numbered("raw-", n, "");
    const bool video = size.width % 2 == 0 && size.height % 2 == 0;
    RawSegment segment;
    segment.file = video ? name + ".avi" : name + "/";
    segment.first_frame = frames_;
    segment.size = size;
    const std::string path = folder_ + "/" + segment.file;
    if (video) {
      // FFV1 is lossless: replaying raw.avi gives the model the same pixels.
      if (!OpenVideo(&raw_video_, path, "FFV1", options_.fps, size))
        return Fail(path + ": cannot open the video writer");
    } else {
      std::error_code ec;
      if (!fs::create_directory(path, ec)) return Fail(path + ": cannot create the folder");
    }
    if (n > 1)
      std::fprintf(stderr, "recording: frame size %dx%d from frame %lld on: raw frames go to %s\n",
                   size.width, size.height, static_cast<long long>(frames_), path.c_str());
    raw_segments_.push_back(segment);
  }
  RawSegment& segment = raw_segments_.back();
  if (raw_video_.isOpened()) {
    raw_video_.write(AsBgr(image, size, &bgr_));
  } else {
    char name[32];
    std::snprintf(name, sizeof(name), "frame-%08lld.png", static_cast<long long>(segment.frames));
    const std::string path = folder_ + "/" + segment.file + name;
    if (!cv::imwrite(path, image, {cv::IMWRITE_PNG_COMPRESSION, 1}))
      return Fail(path + ": cannot write");
  }
  ++segment.frames;
}

void Recorder::WriteClip(const FrameResult& r, const cv::Mat& annotated) {
  const double t = r.frame.timestamp_ms;
  if (r.event && r.event->type == WakeEventType::kWake) {
    if (!clip_video_.isOpened()) {
      const std::string path = folder_ + "/clips/" + Numbered("clip-", ++clips_, ".avi");
      if (!OpenVideo(&clip_video_, path, "MJPG", options_.fps, size_))
        return Fail(path + ": cannot open the video writer");
      for (const std::vector<uchar>& jpeg : preroll_) {
        decoded_ = cv::imdecode(jpeg, cv::IMREAD_COLOR);
        if (decoded_.size() == size_) clip_video_.write(decoded_);
      }
      preroll_.clear();
      preroll_bytes_ = 0;
    }
    clip_end_ms_ = -1;  // open until postroll after the next sleep
  } else if (r.event && r.event->type == WakeEventType::kSleep) {
    clip_end_ms_ = t + options_.postroll_s * 1000.0;
  }
  if (clip_video_.isOpened()) {
    clip_video_.write(annotated);
    if (clip_end_ms_ >= 0 && t >= clip_end_ms_) clip_video_.release();
    return;
  }
  if (preroll_frames_ == 0) return;
  // The clip is Motion JPEG anyway: keep the ring compressed and bounded in
  // bytes as well as frames, so a long preroll at 1080p stays small.
  std::vector<uchar> jpeg;
  if (!cv::imencode(".jpg", annotated, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90})) return;
  preroll_bytes_ += static_cast<int64_t>(jpeg.size());
  preroll_.push_back(std::move(jpeg));
  while (!preroll_.empty() &&
         (preroll_.size() > preroll_frames_ || preroll_bytes_ > options_.preroll_max_bytes)) {
    preroll_bytes_ -= static_cast<int64_t>(preroll_.front().size());
    preroll_.pop_front();
  }
}

void Recorder::Snapshot(const FrameResult& r) {
  const std::string base = folder_ + "/" + Numbered("wake-", static_cast<int>(wakes_), "");
  if (!cv::imwrite(base + ".png", r.frame.image) ||
      (!r.model_image.empty() && !cv::imwrite(base + "-input.png", r.model_image)))
    Fail(base + ".png: cannot write the wake snapshot");
}

void Recorder::CheckDisk() {
  struct statvfs st {};
  if (statvfs(folder_.c_str(), &st) != 0) return Fail(folder_ + ": the folder is gone");
  const int64_t free_bytes = static_cast<int64_t>(st.f_bavail) * static_cast<int64_t>(st.f_frsize);
  if (free_bytes < options_.min_free_bytes)
    Fail("disk almost full (" + std::to_string(free_bytes >> 20) + " MB free in " + folder_ + ")");
}

// Records the first failure; the writer thread then stops, closes the files
// (so what was written stays valid) and rewrites session.json.
void Recorder::Fail(const std::string& why) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (failed_) return;
    error_ = "recording stopped: " + why;
    failed_ = true;
  }
  wake_writer_.notify_all();
  queue_room_.notify_all();
}

void Recorder::CloseFiles() {
  // release() writes the AVI index and header sizes: after it the files play.
  annotated_video_.release();
  raw_video_.release();
  clip_video_.release();
  preroll_.clear();
  preroll_bytes_ = 0;
  try {
    if (log_) log_->Close();
    if (events_) events_->Close();
  } catch (const Error& e) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_) {
      error_ = std::string("recording stopped: ") + e.what();
      failed_ = true;
    }
  }
}

void Recorder::Close(const SessionSummary* summary) {
  if (closed_) return;
  StopWriter();  // writes what is queued first
  closed_ = true;
  CloseFiles();
  WriteSessionJson(summary);
}

void Recorder::WriteSessionJson(const SessionSummary* summary) {
  int64_t frames = 0, dropped = 0, recording_dropped = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    frames = frames_;
    dropped = dropped_;
    recording_dropped = recording_dropped_;
  }
  OrderedJson j = {{"version", VWW_VERSION},
                   {"model", options_.model_path},
                   {"model_sha256", Sha256File(options_.model_path)},
                   {"labels", options_.labels},
                   {"source", options_.source},
                   {"options", options_.command_line},
                   {"raw", options_.raw},
                   {"clips", options_.clips},
                   {"fps", JsonDigits(options_.fps, 6)},
                   {"start", start_time_},
                   {"end", closed_ || !ok() ? OrderedJson(IsoNow()) : OrderedJson(nullptr)},
                   {"frames", frames},
                   {"wakes", wakes_},
                   {"sleeps", sleeps_},
                   {"clips_written", clips_},
                   {"dropped", dropped},
                   {"recording_dropped", recording_dropped}};
  if (options_.raw) {
    OrderedJson segments = OrderedJson::array();
    for (const RawSegment& s : raw_segments_)
      segments.push_back({{"file", s.file},
                          {"first_frame", s.first_frame},
                          {"frames", s.frames},
                          {"width", s.size.width},
                          {"height", s.size.height}});
    j["raw_segments"] = segments;
  }
  if (summary) {
    j["fps_measured"] = JsonFixed(summary->fps, 2);
    j["ended_by"] = summary->end;
  }
  const std::string err = error();
  j["error"] = err.empty() ? OrderedJson(nullptr) : OrderedJson(err);
  const std::string text = JsonText(j, 2) + "\n";
  // Written whole and renamed, so session.json is never half a file.
  const std::string path = folder_ + "/session.json", tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "we");
  const bool written = f && std::fputs(text.c_str(), f) >= 0;
  const bool closed = f && std::fclose(f) == 0;
  std::error_code ec;
  if (written && closed) fs::rename(tmp, path, ec);
  if (!written || !closed || ec) {
    fs::remove(tmp, ec);
    std::lock_guard<std::mutex> lock(mu_);
    if (!failed_) {
      error_ = "recording stopped: " + path + ": cannot write";
      failed_ = true;
    }
  }
}

}  // namespace vww
