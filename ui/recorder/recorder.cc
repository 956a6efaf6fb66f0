// ui/recorder: see recorder.h.
#include "ui/recorder/recorder.h"

#include <sys/statvfs.h>

#include <array>
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

// --- SHA-256, FIPS 180-4 ----------------------------------------------------

// The constants are defined as the first 32 bits of the fractional parts of
// square roots (initial hash) and cube roots (round constants) of the first
// primes; computing them from that definition keeps magic tables out of the
// code (the test vectors in the tests confirm every bit).
struct Sha256Constants {
  std::array<uint32_t, 8> h0;
  std::array<uint32_t, 64> k;
  Sha256Constants() {
    int found = 0;
    for (int n = 2; found < 64; ++n) {
      bool prime = true;
      for (int d = 2; d * d <= n; ++d) prime = prime && n % d != 0;
      if (!prime) continue;
      const auto frac32 = [](long double x) {
        return static_cast<uint32_t>(std::floor((x - std::floor(x)) * 4294967296.0L));
      };
      if (found < 8) h0[found] = frac32(std::sqrt(static_cast<long double>(n)));
      k[found++] = frac32(std::cbrt(static_cast<long double>(n)));
    }
  }
};

uint32_t Rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void Sha256Block(const Sha256Constants& c, const uint8_t* block, uint32_t* h) {
  uint32_t w[64];
  for (int t = 0; t < 16; ++t)
    w[t] = uint32_t{block[4 * t]} << 24 | uint32_t{block[4 * t + 1]} << 16 |
           uint32_t{block[4 * t + 2]} << 8 | uint32_t{block[4 * t + 3]};
  for (int t = 16; t < 64; ++t) {
    const uint32_t s0 = Rotr(w[t - 15], 7) ^ Rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const uint32_t s1 = Rotr(w[t - 2], 17) ^ Rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], cc = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 64; ++t) {
    const uint32_t t1 =
        hh + (Rotr(e, 6) ^ Rotr(e, 11) ^ Rotr(e, 25)) + ((e & f) ^ (~e & g)) + c.k[t] + w[t];
    const uint32_t t2 = (Rotr(a, 2) ^ Rotr(a, 13) ^ Rotr(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = cc;
    cc = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a, h[1] += b, h[2] += cc, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

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
  static const Sha256Constants c;
  uint32_t h[8];
  for (int i = 0; i < 8; ++i) h[i] = c.h0[i];
  const auto* p = static_cast<const uint8_t*>(data);
  size_t done = 0;
  for (; size - done >= 64; done += 64) Sha256Block(c, p + done, h);
  // Padding: 0x80, zeros, then the message length in bits, big-endian.
  uint8_t tail[128] = {};
  const size_t rest = size - done;
  std::copy(p + done, p + size, tail);
  tail[rest] = 0x80;
  const size_t tail_size = rest < 56 ? 64 : 128;
  const uint64_t bits = static_cast<uint64_t>(size) * 8;
  for (int i = 0; i < 8; ++i) tail[tail_size - 1 - i] = static_cast<uint8_t>(bits >> (8 * i));
  for (size_t off = 0; off < tail_size; off += 64) Sha256Block(c, tail + off, h);
  char hex[65];
  for (int i = 0; i < 8; ++i) std::snprintf(hex + 8 * i, 9, "%08x", h[i]);
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
  log_ = std::make_unique<FrameLog>(folder_ + "/log.csv", options_.labels);
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
  std::string labels;
  for (const std::string& l : options_.labels)
    labels += (labels.empty() ? "" : ",") + JsonString(l);
  std::string j =
      "{\n  \"version\": " + JsonString(VWW_VERSION) +
      ",\n  \"model\": " + JsonString(options_.model_path) +
      ",\n  \"model_sha256\": " + JsonString(Sha256File(options_.model_path)) +
      ",\n  \"labels\": [" + labels + "]" + ",\n  \"source\": " + JsonString(options_.source) +
      ",\n  \"options\": " + JsonString(options_.command_line) +
      ",\n  \"raw\": " + (options_.raw ? "true" : "false") +
      ",\n  \"clips\": " + (options_.clips ? "true" : "false") +
      ",\n  \"fps\": " + Num("%g", options_.fps) + ",\n  \"start\": " + JsonString(start_time_) +
      ",\n  \"end\": " + (closed_ || !ok() ? JsonString(IsoNow()) : "null") +
      ",\n  \"frames\": " + std::to_string(frames_) + ",\n  \"wakes\": " + std::to_string(wakes_) +
      ",\n  \"sleeps\": " + std::to_string(sleeps_) +
      ",\n  \"clips_written\": " + std::to_string(clips_) +
      ",\n  \"dropped\": " + std::to_string(dropped_);
  if (summary)
    j += ",\n  \"fps_measured\": " + Num("%.2f", summary->fps) +
         ",\n  \"ended_by\": " + JsonString(summary->end);
  j += ",\n  \"error\": " + (ok() ? std::string("null") : JsonString(error_)) + "\n}\n";
  // Written whole and renamed, so session.json is never half a file.
  const std::string path = folder_ + "/session.json", tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "w");
  const bool written = f && std::fputs(j.c_str(), f) >= 0;
  const bool closed = f && std::fclose(f) == 0;
  std::error_code ec;
  if (written && closed) fs::rename(tmp, path, ec);
  if (!written || !closed || ec) {
    fs::remove(tmp, ec);
    if (ok()) error_ = "recording stopped: " + path + ": cannot write";
  }
}

}  // namespace vww
