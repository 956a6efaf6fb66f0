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

Recorder::Recorder(const RecorderOptions& options) : options_(options) {
  if (options_.fps <= 0 || options_.fps > 1000) options_.fps = 30;
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
  if (!ok()) throw Error(error_);
}

Recorder::~Recorder() { Close(); }

void Recorder::AddFrame(const FrameResult& r, const cv::Mat& annotated) {
  if (closed_ || !ok()) return;
  try {
    Write(r, annotated);
  } catch (const std::exception& e) {  // cv::Exception, vww::Error, bad_alloc
    Fail(e.what());
  }
}

void Recorder::Write(const FrameResult& r, const cv::Mat& annotated) {
  if (frames_ == 0) {
    size_ = annotated.size();
    if (!OpenVideo(&annotated_video_, folder_ + "/annotated.avi", "MJPG", options_.fps, size_))
      return Fail(folder_ + "/annotated.avi: cannot open the video writer");
    // FFV1 is lossless: replaying raw.avi gives the model the same pixels.
    if (options_.raw &&
        !OpenVideo(&raw_video_, folder_ + "/raw.avi", "FFV1", options_.fps, r.frame.image.size()))
      return Fail(folder_ + "/raw.avi: cannot open the video writer");
  }
  const cv::Mat& shown = AsBgr(annotated, size_, &bgr_);
  annotated_video_.write(shown);
  if (options_.raw) raw_video_.write(AsBgr(r.frame.image, r.frame.image.size(), &bgr_));
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
  ++frames_;
  dropped_ = r.frame.dropped;
  if (!log_->Flush() || !events_->Flush()) return Fail(folder_ + ": write failed (disk full?)");
  if (frames_ % 16 == 1) CheckDisk();
}

void Recorder::WriteClip(const FrameResult& r, const cv::Mat& annotated) {
  const double t = r.frame.timestamp_ms;
  if (r.event && r.event->type == WakeEventType::kWake) {
    if (!clip_video_.isOpened()) {
      const std::string path = folder_ + "/clips/" + Numbered("clip-", ++clips_, ".avi");
      if (!OpenVideo(&clip_video_, path, "MJPG", options_.fps, size_))
        return Fail(path + ": cannot open the video writer");
      for (const cv::Mat& m : preroll_) clip_video_.write(m);
      preroll_.clear();
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
  // Reuse the oldest buffer: the ring allocates only while it fills.
  cv::Mat slot;
  if (preroll_.size() >= preroll_frames_) {
    slot = preroll_.front();
    preroll_.pop_front();
  }
  annotated.copyTo(slot);
  preroll_.push_back(slot);
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

void Recorder::Fail(const std::string& why) {
  if (!ok()) return;
  error_ = "recording stopped: " + why;
  CloseFiles();
  WriteSessionJson(nullptr);
}

void Recorder::CloseFiles() {
  // release() writes the AVI index and header sizes: after it the files play.
  annotated_video_.release();
  raw_video_.release();
  clip_video_.release();
  preroll_.clear();
  try {
    if (log_) log_->Close();
    if (events_) events_->Close();
  } catch (const Error& e) {
    if (ok()) error_ = std::string("recording stopped: ") + e.what();
  }
}

void Recorder::Close(const SessionSummary* summary) {
  if (closed_) return;
  closed_ = true;
  CloseFiles();
  WriteSessionJson(summary);
}

void Recorder::WriteSessionJson(const SessionSummary* summary) {
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
                   {"frames", frames_},
                   {"wakes", wakes_},
                   {"sleeps", sleeps_},
                   {"clips_written", clips_},
                   {"dropped", dropped_}};
  if (summary) {
    j["fps_measured"] = JsonFixed(summary->fps, 2);
    j["ended_by"] = summary->end;
  }
  j["error"] = ok() ? OrderedJson(nullptr) : OrderedJson(error_);
  const std::string text = JsonText(j, 2) + "\n";
  // Written whole and renamed, so session.json is never half a file.
  const std::string path = folder_ + "/session.json", tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  const bool written = f && std::fputs(text.c_str(), f) >= 0;
  const bool closed = f && std::fclose(f) == 0;
  std::error_code ec;
  if (written && closed) fs::rename(tmp, path, ec);
  if (!written || !closed || ec) {
    fs::remove(tmp, ec);
    if (ok()) error_ = "recording stopped: " + path + ": cannot write";
  }
}

}  // namespace vww
